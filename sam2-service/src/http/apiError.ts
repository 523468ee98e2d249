/** Error codes of the public API; each maps to exactly one HTTP status. */
export const errorStatus = {
  INVALID_REQUEST: 400,
  UNAUTHORIZED: 401,
  IMAGE_NOT_FOUND: 404,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  SPECULATION_DISABLED: 403,
  QUEUE_FULL: 429,
  /** Logged only: the client closed the connection before the answer (nginx's 499). */
  CLIENT_CLOSED_REQUEST: 499,
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

/** What a client may see of a 5xx: a fixed reason, and only details that reveal nothing internal. */
const publicServerErrors: Partial<Record<ErrorCode, { message: string; details: string[] }>> = {
  INTERNAL: { message: 'internal error', details: [] },
  MODEL_UNAVAILABLE: {
    message: 'the segmentation model is not available (loading, missing, failed to load or disabled)',
    // `reason` is one of the generic reason codes of /readyz (e.g. model_files_missing), never a path.
    details: ['state', 'reason'],
  },
  WORKER_CRASHED: {
    message: 'the inference worker stopped while handling this request; retry',
    details: [],
  },
  TIMEOUT: { message: 'segmentation took longer than the time limit', details: ['timeout_ms'] },
};

/**
 * The `{code, message, details}` sent to the client. 4xx errors describe the client's own input and go
 * out as they are; 5xx errors get a generic message and allow-listed details, since their internal
 * message may hold filesystem paths or ONNX Runtime internals (the log keeps those).
 */
export function publicError(error: ApiError): {
  code: ErrorCode;
  message: string;
  details: Record<string, unknown>;
} {
  if (error.status < 500) return { code: error.code, message: error.message, details: error.details ?? {} };
  const known = publicServerErrors[error.code] ?? { message: 'internal error', details: [] };
  const details = Object.fromEntries(
    known.details.filter((k) => error.details?.[k] !== undefined).map((k) => [k, error.details![k]]),
  );
  return { code: error.code, message: known.message, details };
}
