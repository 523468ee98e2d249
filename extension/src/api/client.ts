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

/** Headers of a JSON POST to the service. */
function requestHeaders(options: Pick<Sam2ClientOptions, 'token' | 'requestId'>): Record<string, string> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  if (options.requestId) headers['X-Request-Id'] = options.requestId;
  return headers;
}

/**
 * Where the time of one call went, for the click's timing breakdown (docs/performance.md "Browser share
 * of a click"): JSON text of the body, the POST until the answer's headers (upload + service + network),
 * then reading and parsing the answer.
 */
export interface CallTimings {
  serialiseMs: number;
  roundTripMs: number;
  parseMs: number;
}

/**
 * One POST of a JSON body with a time budget, the caller's signal and one retry when `retry` allows it.
 * Resolves with the validated answer or rejects with a Sam2Error (kind `aborted` when the caller's signal
 * fired, `timeout` when the budget ran out).
 */
async function postJson<T>(
  payload: unknown,
  options: Sam2ClientOptions,
  isAnswer: (body: unknown) => body is T,
  retry: (err: Sam2Error) => boolean,
  timings?: CallTimings,
): Promise<T> {
  const fetchImpl = options.fetchImpl ?? globalThis.fetch.bind(globalThis);
  const deadline = Date.now() + options.timeoutMs;
  let mark = performance.now();
  const body = JSON.stringify(payload);
  if (timings) timings.serialiseMs += performance.now() - mark;
  const headers = requestHeaders(options);

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

  const attempt = async (): Promise<T> => {
    let res: Response;
    mark = performance.now();
    try {
      res = await fetchImpl(options.url, { method: 'POST', headers, body, signal: controller.signal });
    } catch (e) {
      throw stopped() ?? new Sam2Error('network', `Cannot reach the SAM2 service (${(e as Error).message})`);
    }
    if (timings) timings.roundTripMs += performance.now() - mark;
    if (!res.ok) throw stopped() ?? (await errorFromResponse(res));
    mark = performance.now();
    let json: unknown;
    try {
      json = await res.json();
    } catch (e) {
      throw stopped() ?? new Sam2Error('server', `Unreadable answer from SAM2 (${(e as Error).message})`);
    }
    if (timings) timings.parseMs += performance.now() - mark;
    if (!isAnswer(json)) throw new Sam2Error('server', 'Unexpected answer from SAM2');
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
      if (!(err instanceof Sam2Error) || !retry(err)) throw err;
      const delay = Math.min(
        err.retryAfterS !== undefined ? err.retryAfterS * 1000 : (options.retryDelayMs ?? 500),
        options.maxRetryDelayMs ?? 2000,
      );
      // Only retry when the budget leaves room for an answer.
      if (Date.now() + delay >= deadline) throw err;
      await wait(delay);
      try {
        return await attempt();
      } catch (again) {
        // After a 504 the service is usually still running the first attempt, so it refuses the retry
        // as busy (429); the first failure is what the user needs to hear.
        if (err.status === 504 && again instanceof Sam2Error && again.kind === 'busy') throw err;
        throw again;
      }
    }
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onUserAbort);
  }
}

/**
 * Sends one segmentation request. Resolves with the service's answer or rejects with a Sam2Error
 * (kind `aborted` when the caller's signal fired, `timeout` when the budget ran out). `timings`, when
 * given, receives where the time went (added to its fields).
 */
export function sam2Segment(
  request: SegmentRequest,
  options: Sam2ClientOptions,
  timings?: CallTimings,
): Promise<SegmentResponse> {
  return postJson(request, options, isSegmentResponse, isRetryable, timings);
}

/** The answer of POST /api/segmentation/sam2/encode. */
export interface EncodeResponse {
  /** The id a later segment request sends instead of the pixels. */
  image_id: string;
  /** The service already held this slice's embedding. */
  cached: boolean;
  model?: { name: string; family: string; version: string };
}

function isEncodeResponse(body: unknown): body is EncodeResponse {
  const b = body as EncodeResponse;
  return !!b && typeof b.image_id === 'string' && b.image_id.length > 0;
}

/**
 * Asks the service to encode a slice ahead of any click (speculative encoding, docs/api.md): the same
 * image fields as a segment request, no prompts. Never retried: speculation is optional work, and a
 * 429 means the service has better things to do. Rejects with a Sam2Error like sam2Segment.
 */
export function sam2Encode(request: SegmentRequest, options: Sam2ClientOptions): Promise<EncodeResponse> {
  return postJson(request, options, isEncodeResponse, () => false);
}
