/** Error codes of the public API; each maps to exactly one HTTP status. */
export const errorStatus = {
  INVALID_REQUEST: 400,
  UNAUTHORIZED: 401,
  IMAGE_NOT_FOUND: 404,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  QUEUE_FULL: 429,
  INTERNAL: 500,
  MODEL_UNAVAILABLE: 503,
  WORKER_CRASHED: 503,
  TIMEOUT: 504,
} as const;

export type ErrorCode = keyof typeof errorStatus;

/** An error that is safe to show to the client as `{error: {code, message, details}}`. */
export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
    /** Seconds for a Retry-After header (429/503). */
    readonly retryAfterS?: number,
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = errorStatus[code];
  }
}

/** A 400 that names the offending request field. */
export function invalidField(field: string, message: string, extra: Record<string, unknown> = {}): ApiError {
  return new ApiError('INVALID_REQUEST', `${field}: ${message}`, { field, ...extra });
}
