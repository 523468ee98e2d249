import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type Koa from 'koa';
import type { Reservation } from '../inference/workerPool';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import { ApiError, publicError } from './apiError';

export interface State {
  requestId: string;
  log: Logger;
  /** The parsed JSON body (jsonBody middleware). */
  body?: unknown;
  /** Reading the body failed part-way (jsonBody middleware): unread bytes may remain. */
  bodyReadFailed?: boolean;
  /** Room the scheduler holds for this request from before its body was read until it queues its task. */
  reservation?: Reservation;
}

/**
 * Our own request id (echoed as X-Request-Id), one access-log line and the request counter per request,
 * and the headers every answer carries. A client's X-Request-Id is untrusted text: the log gets only a
 * short SHA-256 of it (`client_req_sha256`), so a client can still find its request by hashing its id.
 */
export function requestContext(logger: Logger, metrics: Metrics): Koa.Middleware<State> {
  return async (ctx, next) => {
    const requestId = randomUUID();
    const clientId = ctx.get('X-Request-Id');
    ctx.state.requestId = requestId;
    ctx.state.log = logger.child({
      reqId: requestId,
      ...(clientId ? { client_req_sha256: sha256(clientId).slice(0, 16) } : {}),
    });
    ctx.set('X-Request-Id', requestId);
    // Answers are per-request JSON (or metrics): never to be sniffed as another type, nor cached.
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Cache-Control', 'no-store');
    const start = performance.now();
    try {
      await next();
    } finally {
      const route = (ctx as unknown as { _matchedRoute?: string })._matchedRoute ?? 'unmatched';
      // The service's own time until the answer is ready (W3C Server Timing), so a client can tell it
      // from the time its request spent on the wire.
      if (!ctx.headerSent) ctx.set('Server-Timing', `app;dur=${(performance.now() - start).toFixed(1)}`);
      if (ctx.status === 429) observeRefusal(ctx.res, start, String(route), metrics);
      metrics.requests.inc({ route: String(route), method: ctx.method, status: String(ctx.status) });
      // Method, route and status only: never the URL query, headers or body. Probes (polled every few
      // seconds by viewers, npm start and orchestrators) only at debug, or they would drown the log.
      const probe = /(^|\/)(readyz|healthz)$/.test(String(route));
      ctx.state.log[probe ? 'debug' : 'info'](
        { method: ctx.method, route, status: ctx.status, ms: Math.round(performance.now() - start) },
        'request',
      );
    }
  };
}

/** A 429's service time: from the request reaching the app until its answer is handed to the socket. */
function observeRefusal(res: ServerResponse, start: number, route: string, metrics: Metrics): void {
  res.once('finish', () => metrics.refusalSeconds.observe({ route }, (performance.now() - start) / 1000));
}

/**
 * Every failure becomes `{error: {code, message, details}}`. 4xx are the client's (logged at info);
 * 5xx public bodies are generic and their internal message goes only to the log (error for INTERNAL,
 * warn otherwise). An answer given before the request body was fully read (or after reading it failed)
 * closes the connection, so unread body bytes can never stall or be taken for the next request on a
 * keep-alive connection.
 */
export function errorHandler(): Koa.Middleware<State> {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        throw new ApiError('NOT_FOUND', `no route ${ctx.method} ${ctx.path}`);
      }
    } catch (error) {
      const apiError = toApiError(error);
      logFailure(ctx.state.log, apiError, error);
      ctx.status = apiError.status;
      if (apiError.retryAfterS !== undefined) ctx.set('Retry-After', String(apiError.retryAfterS));
      if (apiError.status === 401) ctx.set('WWW-Authenticate', 'Bearer realm="sam2"');
      if (!ctx.req.complete || ctx.state.bodyReadFailed) {
        ctx.set('Connection', 'close');
        discardBody(ctx.req);
      }
      ctx.body = { error: publicError(apiError) };
    }
  };
}

function logFailure(log: Logger | undefined, apiError: ApiError, error: unknown): void {
  if (!log) return;
  const { code, message, details } = apiError;
  if (apiError.status < 500) {
    log.info({ code, field: details?.field }, 'request refused');
  } else if (code === 'INTERNAL') {
    const e = error as Error;
    log.error({ code, err: { message: e?.message, stack: e?.stack }, details }, 'unhandled error');
  } else {
    log.warn({ code, reason: message, details }, 'request failed');
  }
}

/** Reads and drops what is left of a body nobody will parse, until the connection closes. */
function discardBody(req: IncomingMessage): void {
  req.unpipe();
  req.on('error', () => undefined);
  req.resume();
}

/** Errors from Koa or the router carry an HTTP status; anything else is a 500. */
function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  const e = error as { status?: number; message?: string };
  // 501 is the router's answer to a method it does not implement at all (e.g. PROPFIND).
  if (e?.status === 405 || e?.status === 501) return new ApiError('METHOD_NOT_ALLOWED', 'method not allowed');
  if (e?.status === 415) return new ApiError('UNSUPPORTED_MEDIA_TYPE', 'unsupported media type');
  if (e?.status && e.status >= 400 && e.status < 500) {
    return new ApiError('INVALID_REQUEST', 'invalid request', { field: 'body' });
  }
  return new ApiError('INTERNAL', 'internal error');
}

/**
 * Bearer token check when SAM2_API_TOKEN is set. The scheme is case-insensitive and followed by one or
 * more spaces (RFC 9110 §11.1, RFC 6750 §2.1); the token is compared exactly, in constant time (SHA-256
 * digests of equal length, so neither content nor length leaks through timing).
 */
export function requireToken(token: string | undefined): Koa.Middleware<State> {
  const expected = token ? sha256Bytes(token) : undefined;
  return async (ctx, next) => {
    if (expected) {
      const match = /^bearer +(\S+)$/i.exec(ctx.get('Authorization'));
      if (!match || !timingSafeEqual(sha256Bytes(match[1]), expected)) {
        throw new ApiError('UNAUTHORIZED', match ? 'bearer token is wrong' : 'bearer token is missing', {
          field: 'Authorization',
        });
      }
    }
    await next();
  };
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function sha256Bytes(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
