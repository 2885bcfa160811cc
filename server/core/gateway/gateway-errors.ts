/** Errors the gateway answers itself, with the status and `ModelArts.`-prefixed code of each. */
export const GATEWAY_ERRORS = {
  TOKEN_MISSING: [401, 'ModelArts.4101', 'Send a project-scoped token in the X-Auth-Token header (POST /v3/auth/tokens).'],
  TOKEN_INVALID: [401, 'ModelArts.4102', 'The token is not valid.'],
  TOKEN_EXPIRED: [401, 'ModelArts.4103', 'The token has expired; request a new one (tokens are valid for 24 hours).'],
  WRONG_PROJECT: [403, 'ModelArts.4104', 'The token is scoped to another project than the service.'],
  SERVICE_NOT_FOUND: [404, 'ModelArts.4201', 'The service does not exist.'],
  SERVICE_NOT_RUNNING: [503, 'ModelArts.4202', 'The service is not running.'],
  NO_READY_INSTANCE: [503, 'ModelArts.4203', 'No instance of the service is ready; retry shortly.'],
  API_NOT_FOUND: [404, 'ModelArts.4204', 'The service has no API at this path.'],
  BODY_TOO_LARGE: [413, 'ModelArts.4301', 'The request body is larger than 12 MB.'],
  UNSUPPORTED_MEDIA_TYPE: [415, 'ModelArts.4302', 'The request Content-Type does not match the API.'],
  INSTANCE_UNREACHABLE: [502, 'ModelArts.4501', 'The model instance could not be reached.'],
  PREDICTION_TIMEOUT: [504, 'ModelArts.4504', 'The prediction took longer than 40 seconds.'],
} as const satisfies Record<string, readonly [number, string, string]>;

export type TGatewayError = keyof typeof GATEWAY_ERRORS;
