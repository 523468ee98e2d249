import type { IncomingHttpHeaders } from 'node:http';
import { PassThrough } from 'node:stream';
import type { Context, Middleware } from 'koa';
import { Pool, errors as undiciErrors } from 'undici';
import type { Logger } from '../logger';
import { sendJsonError } from './errors';
import { isProxyRequest, OTHER_ROUTE, proxyTarget } from './proxyTarget';

// Connection-level headers are per hop (RFC 9110 §7.6.1); host and length are set by the client library.
const hopByHop = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
]);

export interface Sam2ProxyOptions {
  /** The service's base URL, e.g. http://127.0.0.1:5005 (a path prefix is kept). */
  serviceUrl: string;
  /** Sent as `Authorization: Bearer …`; the browser's own Authorization header is never forwarded. */
  apiToken?: string;
  connectTimeoutMs: number;
  /** Longest wait for the service's answer headers, and for each chunk of its body. */
  responseTimeoutMs: number;
  logger: Logger;
}

export interface Sam2Upstream {
  pool: Pool;
  basePath: string;
}

/** Pooled keep-alive connections to the service, so each click does not pay a TCP handshake. */
export function createSam2Upstream(
  opts: Pick<Sam2ProxyOptions, 'serviceUrl' | 'connectTimeoutMs' | 'responseTimeoutMs'>,
) {
  const url = new URL(opts.serviceUrl);
  const pool = new Pool(url.origin, {
    connections: 32,
    connect: { timeout: opts.connectTimeoutMs },
    headersTimeout: opts.responseTimeoutMs,
    bodyTimeout: opts.responseTimeoutMs,
    keepAliveTimeout: 30000,
  });
  return { pool, basePath: url.pathname.replace(/\/+$/, '') };
}

function requestHeaders(incoming: IncomingHttpHeaders, apiToken: string | undefined, clientIp: string) {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(incoming)) {
    if (value === undefined || hopByHop.has(name) || name === 'authorization' || name === 'cookie') continue;
    headers[name] = value;
  }
  if (apiToken) headers.authorization = `Bearer ${apiToken}`;
  const forwardedFor = incoming['x-forwarded-for'];
  headers['x-forwarded-for'] = forwardedFor ? `${forwardedFor}, ${clientIp}` : clientIp;
  return headers;
}

/** Maps a failure to reach the service to the status and code the extension acts on. */
export function classifyUpstreamError(error: unknown): { status: number; code: string; message: string } {
  const code = (error as { code?: string }).code ?? (error as { cause?: { code?: string } }).cause?.code;
  if (error instanceof undiciErrors.HeadersTimeoutError || error instanceof undiciErrors.BodyTimeoutError) {
    return { status: 504, code: 'GATEWAY_TIMEOUT', message: 'The SAM2 service did not answer in time.' };
  }
  if (
    error instanceof undiciErrors.ConnectTimeoutError ||
    ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'].includes(code ?? '')
  ) {
    return { status: 503, code: 'SERVICE_UNAVAILABLE', message: 'The SAM2 service is not reachable.' };
  }
  return { status: 502, code: 'BAD_GATEWAY', message: 'The SAM2 service answered with a broken response.' };
}

/** How long the browser may go on uploading after our answer before its connection is closed (as nginx's lingering_time). */
const LINGER_MS = 10000;

/**
 * After an answer to a request whose upload was not fully read (the service answered early, e.g. 413,
 * or was unreachable): the rest is read and dropped, so the browser gets the answer instead of a reset and
 * its next request on this keep-alive connection does not wait behind the unread bytes. A browser still
 * sending after LINGER_MS loses the connection.
 */
function drainUnread(ctx: Context, hasBody: boolean): void {
  if (!hasBody || ctx.req.readableEnded) return;
  ctx.req.unpipe();
  ctx.req.resume();
  const linger = setTimeout(() => ctx.req.socket?.destroy(), LINGER_MS);
  linger.unref();
  ctx.req.once('end', () => clearTimeout(linger));
  ctx.req.once('close', () => clearTimeout(linger));
}

/**
 * Streams `/api/segmentation/*` to the SAM2 service and its answer back, unchanged apart from hop headers.
 * Only the normalised path below the prefix is forwarded (proxyTarget.ts). A connection that carried a
 * request body is closed after the answer instead of going back to the pool: the proxy cannot tell whether
 * the service read all of it (an early 413 or 400 leaves bytes unread, and the next request on that
 * connection would wait behind them until the time limit); connections of GET probes are reused.
 */
export function sam2Proxy(opts: Sam2ProxyOptions, upstream: Sam2Upstream): Middleware {
  const { logger } = opts;
  return async (ctx, next) => {
    const rawTarget = ctx.req.url ?? '/';
    if (!isProxyRequest(rawTarget, ctx.path)) return next();
    const hasBody = ctx.method !== 'GET' && ctx.method !== 'HEAD';
    const target = proxyTarget(rawTarget);
    if (!target.ok) {
      drainUnread(ctx, hasBody);
      logger.warn({ method: ctx.method, route: OTHER_ROUTE, status: target.status }, target.message);
      sendJsonError(ctx, target.status, target.code, target.message, { field: 'path' });
      return;
    }
    const { route } = target;

    // The browser gave up (its own time limit, or the user moved on): abandon the request upstream too.
    const abort = new AbortController();
    ctx.res.once('close', () => {
      if (!ctx.res.writableFinished) abort.abort();
    });
    // Through a PassThrough: undici destroys the body it was given when it drops the connection, and
    // destroying the browser's request would reset the browser's connection before it gets the answer.
    const body = hasBody ? ctx.req.pipe(new PassThrough()) : undefined;
    const started = Date.now();
    try {
      const answer = await upstream.pool.request({
        method: ctx.method,
        path: upstream.basePath + target.target,
        headers: requestHeaders(ctx.req.headers, opts.apiToken, ctx.ip),
        body,
        reset: hasBody,
        signal: abort.signal,
      });
      drainUnread(ctx, hasBody);
      ctx.status = answer.statusCode;
      for (const [name, value] of Object.entries(answer.headers)) {
        if (value !== undefined && !hopByHop.has(name)) ctx.set(name, value);
      }
      ctx.body = answer.body;
      logger.info(
        { method: ctx.method, route, status: answer.statusCode, ms: Date.now() - started },
        'proxied to the SAM2 service',
      );
    } catch (error) {
      if (abort.signal.aborted) {
        logger.info({ method: ctx.method, route, ms: Date.now() - started }, 'client went away');
        return;
      }
      drainUnread(ctx, hasBody);
      const mapped = classifyUpstreamError(error);
      logger.warn(
        { method: ctx.method, route, status: mapped.status, err: (error as Error).message },
        'SAM2 service request failed',
      );
      if (mapped.status === 503) ctx.set('Retry-After', '5');
      sendJsonError(ctx, mapped.status, mapped.code, mapped.message, { upstream: 'sam2-service' });
    }
  };
}
