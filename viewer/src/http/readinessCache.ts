import type { Middleware } from 'koa';
import { SAM2_API_PREFIX, SAM2_READINESS_PATH } from '../urls';
import { sendJsonError } from './errors';
import { classifyUpstreamError, type Sam2Upstream } from './sam2Proxy';

/** The service's readiness answer as forwarded: its status and its body's public fields. */
interface Snapshot {
  status: number;
  body: Record<string, unknown>;
  at: number;
}

export interface ReadinessCacheOptions {
  /** How long one probe answers every browser (default 1000 ms). */
  maxAgeMs?: number;
  /** A probe without an answer by then counts as "not reachable" (default 2500 ms, under the 5 s goal). */
  timeoutMs?: number;
}

/**
 * GET SAM2_READINESS_PATH: the service's /readyz answer (status and body: ready, state, reason, download),
 * shared by every browser for `maxAgeMs`. Concurrent polls wait for the same probe, so the service sees
 * at most one readiness request per `maxAgeMs` however many viewers are open. When the service does not
 * answer, the proxy's 503 SERVICE_UNAVAILABLE JSON, which the extension shows as "cannot reach".
 */
export function readinessCache(upstream: Sam2Upstream, opts: ReadinessCacheOptions = {}): Middleware {
  const maxAgeMs = opts.maxAgeMs ?? 1000;
  const timeoutMs = opts.timeoutMs ?? 2500;
  let last: Snapshot | undefined;
  let inFlight: Promise<Snapshot> | undefined;

  const probe = async (): Promise<Snapshot> => {
    try {
      const answer = await upstream.pool.request({
        method: 'GET',
        path: `${upstream.basePath}${SAM2_API_PREFIX}/readyz`,
        signal: AbortSignal.timeout(timeoutMs),
      });
      const parsed = (await answer.body.json().catch(() => ({}))) as Record<string, unknown>;
      const { ready, state, reason, download } = parsed;
      if (typeof ready !== 'boolean')
        throw new Error(`readiness answer without "ready" (HTTP ${answer.statusCode})`);
      return { status: answer.statusCode, body: { ready, state, reason, download }, at: Date.now() };
    } catch (error) {
      const mapped = classifyUpstreamError(error);
      const body = {
        error: { code: mapped.code, message: mapped.message, details: { upstream: 'sam2-service' } },
      };
      return { status: mapped.status, body, at: Date.now() };
    }
  };

  const current = (): Promise<Snapshot> => {
    if (last && Date.now() - last.at < maxAgeMs) return Promise.resolve(last);
    inFlight ??= probe().then((snapshot) => {
      last = snapshot;
      inFlight = undefined;
      return snapshot;
    });
    return inFlight;
  };

  return async (ctx, next) => {
    // The raw target, not ctx.path: anything but the plain path (absolute-form, dot segments, encodings)
    // goes on to the proxy, which refuses it (proxyTarget.ts).
    if (ctx.req.url?.split('?')[0] !== SAM2_READINESS_PATH) return next();
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
      ctx.set('Allow', 'GET, HEAD');
      return sendJsonError(ctx, 405, 'METHOD_NOT_ALLOWED', `${ctx.method} is not allowed here`);
    }
    const snapshot = await current();
    ctx.status = snapshot.status;
    ctx.set('Cache-Control', 'no-store');
    if (snapshot.status === 503 && 'error' in snapshot.body) ctx.set('Retry-After', '5');
    ctx.body = snapshot.body;
  };
}
