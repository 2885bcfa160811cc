/**
 * The gateway's own answers, in the shapes ModelArts clients receive from Huawei's API Gateway
 * (GUIDE-INDEX §A decision 23): `{"error_code", "error_msg", "request_id"}` with `APIG.xxxx` codes
 * for what the gateway refuses and `ModelArts.4302` when no instance can take the request.
 */
export const GATEWAY_ERRORS = {
  API_NOT_FOUND: [404, 'APIG.0101', 'The API does not exist or has not been published in the environment'],
  BODY_TOO_LARGE: [413, 'APIG.0201', 'Request entity too large'],
  BACKEND_TIMEOUT: [504, 'APIG.0203', 'Backend timeout'],
  IAM_AUTH_FAILED: [401, 'APIG.0301', 'Incorrect IAM authentication information'],
  IAM_NOT_AUTHORIZED: [403, 'APIG.0302', 'The IAM user is not authorized to access the API'],
  APP_AUTH_FAILED: [401, 'APIG.0303', 'Incorrect app authentication information'],
  APP_NOT_AUTHORIZED: [403, 'APIG.0304', 'The app is not authorized to access the API'],
  AUTH_FAILED: [401, 'APIG.0305', 'Incorrect authentication information'],
  THROTTLED: [429, 'APIG.0308', 'The throttling threshold has been reached'],
  /** Anvil's own check (the API declares another request Content-Type); no APIG equivalent. */
  UNSUPPORTED_MEDIA_TYPE: [415, 'ModelArts.4303', 'The request Content-Type does not match the API'],
  NOT_RUNNING: [503, 'ModelArts.4302', 'Gateway forwarding error'],
  NO_READY_INSTANCE: [503, 'ModelArts.4302', 'Gateway forwarding error'],
  INSTANCE_UNREACHABLE: [502, 'ModelArts.4302', 'Gateway forwarding error'],
  /** Asynchronous requests: no such request id for the service, or its result expired (Anvil's own). */
  RESULT_NOT_FOUND: [404, 'ModelArts.4304', 'The request does not exist or its result has expired'],
} as const satisfies Record<string, readonly [number, string, string]>;

export type TGatewayError = keyof typeof GATEWAY_ERRORS;

/** A refusal with the detail after the guide's message ("Incorrect IAM authentication information: verify aksk signature fail"). */
export type TRefusal = { error: TGatewayError; detail?: string };

/** The JSON body and status of a refusal. */
export function refusalBody(refusal: TRefusal, requestId: string): { status: number; body: string } {
  const [status, code, message] = GATEWAY_ERRORS[refusal.error];
  const msg = refusal.detail ? `${message}: ${refusal.detail}` : message;
  return { status, body: JSON.stringify({ error_code: code, error_msg: msg, request_id: requestId }) };
}
