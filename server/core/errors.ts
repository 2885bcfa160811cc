/** The core's one error type. Adapters map `code` to tRPC codes or HTTP status + {error_code, error_msg}. */
export type TCoreErrorCode =
  | 'INVALID_ARGUMENT'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'FAILED_PRECONDITION'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'PAYLOAD_TOO_LARGE'
  | 'QUOTA_EXCEEDED'
  | 'UNAVAILABLE'
  | 'TIMEOUT'
  | 'RATE_LIMITED'
  | 'INTERNAL';

export class CoreError extends Error {
  constructor(
    readonly code: TCoreErrorCode,
    message: string,
    /** The form field the error belongs to, for field-level display. */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'CoreError';
  }
}

/** Too many attempts: the message says when to retry, and REST adds `Retry-After`. */
export class RateLimitedError extends CoreError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super('RATE_LIMITED', message);
  }
}

export const invalid = (field: string, message: string) => new CoreError('INVALID_ARGUMENT', message, field);
export const notFound = (what: string) => new CoreError('NOT_FOUND', `${what} does not exist.`);
