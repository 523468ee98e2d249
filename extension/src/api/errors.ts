/**
 * One error type for everything that can go wrong talking to the service, classified into the few
 * kinds the UI explains differently (docs/api.md "Errors").
 */
export type Sam2ErrorKind =
  | 'aborted' // the user cancelled
  | 'timeout' // no answer within the time budget (client) or 504 (service)
  | 'network' // fetch failed, or 502 from the proxy: the service cannot be reached
  | 'unavailable' // 503: no model (loading, missing, disabled) or a worker crashed
  | 'busy' // 429 QUEUE_FULL
  | 'unauthorized' // 401
  | 'invalid' // 400/415: the service rejected this image or request
  | 'too-large' // 413, or refused here before uploading: the slice exceeds the service's limits
  | 'image-not-found' // 404 IMAGE_NOT_FOUND: the image_id is no longer cached
  | 'server'; // 500 and anything unexpected

export class Sam2Error extends Error {
  readonly kind: Sam2ErrorKind;
  readonly status?: number;
  readonly code?: string;
  /** Seconds, from Retry-After or details.retry_after_s. */
  readonly retryAfterS?: number;
  readonly requestId?: string;
  readonly details?: Record<string, unknown>;

  constructor(
    kind: Sam2ErrorKind,
    message: string,
    extra: {
      status?: number;
      code?: string;
      retryAfterS?: number;
      requestId?: string;
      details?: Record<string, unknown>;
    } = {},
  ) {
    super(message);
    this.name = 'Sam2Error';
    this.kind = kind;
    this.status = extra.status;
    this.code = extra.code;
    this.retryAfterS = extra.retryAfterS;
    this.requestId = extra.requestId;
    this.details = extra.details;
  }
}

/** Maps an HTTP status (and the service's error code) to an error kind. */
export function kindForStatus(status: number, code?: string): Sam2ErrorKind {
  if (status === 404 && code === 'IMAGE_NOT_FOUND') return 'image-not-found';
  // The viewer's proxy answers in the service's error shape when it cannot reach the service.
  if (code === 'SERVICE_UNAVAILABLE' || code === 'BAD_GATEWAY') return 'network';
  if (code === 'GATEWAY_TIMEOUT') return 'timeout';
  if (status === 401 || status === 403) return 'unauthorized';
  if (status === 429) return 'busy';
  if (status === 502) return 'network';
  if (status === 503) return 'unavailable';
  if (status === 504) return 'timeout';
  if (status === 413) return 'too-large';
  if (status === 400 || status === 415) return 'invalid';
  return 'server';
}

/** Parses a Retry-After header given in seconds (the service never sends an HTTP date). */
export function parseRetryAfter(value: string | null | undefined): number | undefined {
  if (!value) return undefined;
  const s = Number(value);
  return Number.isFinite(s) && s >= 0 ? s : undefined;
}
