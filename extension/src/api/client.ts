/**
 * The SAM2 API client: one POST, a time budget for the whole call, one retry for transient failures,
 * and cancellation. No OHIF or DOM dependency, so it is tested against a real local HTTP server.
 */
import { kindForStatus, parseRetryAfter, Sam2Error } from './errors';
import type { ErrorBody, SegmentRequest, SegmentResponse } from './types';

export interface Sam2ClientOptions {
  /** POST endpoint, e.g. `/api/segmentation/sam2`. */
  url: string;
  /** Budget for the whole call, the retry included (what the "up to 30 s" overlay promises). */
  timeoutMs: number;
  /** Cancels the call (the overlay's Cancel button). */
  signal?: AbortSignal;
  /** Bearer token when the service runs with SAM2_API_TOKEN. */
  token?: string;
  /** Sent as X-Request-Id so a failure can be found in the service log. */
  requestId?: string;
  /** Wait before the retry when the answer gives no Retry-After. */
  retryDelayMs?: number;
  /** Longest wait before the retry, whatever Retry-After says. */
  maxRetryDelayMs?: number;
  fetchImpl?: typeof fetch;
}

/** Transient failures worth one more try: the network, a proxy error, a crashed worker, a 504. */
function isRetryable(err: Sam2Error): boolean {
  if (err.kind === 'network') return true;
  if (err.status === 504) return true;
  // 503 MODEL_UNAVAILABLE will not heal within seconds; the readiness poll disables the button instead.
  if (err.status === 503) return err.code !== 'MODEL_UNAVAILABLE';
  return false;
}

async function errorFromResponse(res: Response): Promise<Sam2Error> {
  let code: string | undefined;
  let message = `SAM2 service answered HTTP ${res.status}`;
  let details: Record<string, unknown> | undefined;
  try {
    const body = (await res.json()) as Partial<ErrorBody>;
    if (body?.error) {
      code = body.error.code;
      message = body.error.message || message;
      details = body.error.details;
    }
  } catch {
    // Not the JSON error shape (e.g. a proxy's HTML page): keep the generic message.
  }
  const retryFromDetails =
    typeof details?.retry_after_s === 'number' ? (details.retry_after_s as number) : undefined;
  return new Sam2Error(kindForStatus(res.status, code), message, {
    status: res.status,
    code,
    details,
    retryAfterS: parseRetryAfter(res.headers.get('retry-after')) ?? retryFromDetails,
    requestId: res.headers.get('x-request-id') ?? undefined,
  });
}

function isSegmentResponse(body: unknown): body is SegmentResponse {
  const b = body as SegmentResponse;
  return !!b && Array.isArray(b.masks) && typeof b.image_id === 'string';
}

/**
 * Sends one segmentation request. Resolves with the service's answer or rejects with a Sam2Error
 * (kind `aborted` when the caller's signal fired, `timeout` when the budget ran out).
 */
export async function sam2Segment(
  request: SegmentRequest,
  options: Sam2ClientOptions,
): Promise<SegmentResponse> {
  const fetchImpl = options.fetchImpl ?? globalThis.fetch.bind(globalThis);
  const deadline = Date.now() + options.timeoutMs;
  const body = JSON.stringify(request);
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  if (options.requestId) headers['X-Request-Id'] = options.requestId;

  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, options.timeoutMs);
  const onUserAbort = () => controller.abort();
  if (options.signal?.aborted) controller.abort();
  options.signal?.addEventListener('abort', onUserAbort);

  /** Turns a failure caused by our own abort into the right error kind. */
  const stopped = (): Sam2Error | undefined => {
    if (options.signal?.aborted) return new Sam2Error('aborted', 'Cancelled');
    if (timedOut) {
      const s = Math.round(options.timeoutMs / 1000);
      return new Sam2Error('timeout', `No answer from SAM2 within ${s} s`);
    }
    return undefined;
  };

  const attempt = async (): Promise<SegmentResponse> => {
    let res: Response;
    try {
      res = await fetchImpl(options.url, { method: 'POST', headers, body, signal: controller.signal });
    } catch (e) {
      throw stopped() ?? new Sam2Error('network', `Cannot reach the SAM2 service (${(e as Error).message})`);
    }
    if (!res.ok) throw stopped() ?? (await errorFromResponse(res));
    let json: unknown;
    try {
      json = await res.json();
    } catch (e) {
      throw stopped() ?? new Sam2Error('server', `Unreadable answer from SAM2 (${(e as Error).message})`);
    }
    if (!isSegmentResponse(json)) throw new Sam2Error('server', 'Unexpected answer from SAM2');
    return json;
  };

  const wait = (ms: number) =>
    new Promise<void>((resolve, reject) => {
      const t = setTimeout(resolve, ms);
      controller.signal.addEventListener('abort', () => {
        clearTimeout(t);
        reject(stopped() ?? new Sam2Error('aborted', 'Cancelled'));
      });
    });

  try {
    try {
      return await attempt();
    } catch (e) {
      const err = e as Sam2Error;
      if (!(err instanceof Sam2Error) || !isRetryable(err)) throw err;
      const delay = Math.min(
        err.retryAfterS !== undefined ? err.retryAfterS * 1000 : (options.retryDelayMs ?? 500),
        options.maxRetryDelayMs ?? 2000,
      );
      // Only retry when the budget leaves room for an answer.
      if (Date.now() + delay >= deadline) throw err;
      await wait(delay);
      return await attempt();
    }
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onUserAbort);
  }
}
