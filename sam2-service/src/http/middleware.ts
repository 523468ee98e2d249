import { randomUUID, timingSafeEqual } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type Koa from 'koa';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import { ApiError } from './apiError';

export interface State {
  requestId: string;
  log: Logger;
}

/** Request id (echoed as X-Request-Id), one access-log line and the request counter per request. */
export function requestContext(logger: Logger, metrics: Metrics): Koa.Middleware<State> {
  return async (ctx, next) => {
    const incoming = ctx.get('X-Request-Id');
    const requestId = /^[A-Za-z0-9._-]{1,64}$/.test(incoming) ? incoming : randomUUID();
    ctx.state.requestId = requestId;
    ctx.state.log = logger.child({ reqId: requestId });
    ctx.set('X-Request-Id', requestId);
    const start = performance.now();
    try {
      await next();
    } finally {
      const route = (ctx as unknown as { _matchedRoute?: string })._matchedRoute ?? 'unmatched';
      metrics.requests.inc({ route: String(route), method: ctx.method, status: String(ctx.status) });
      // Method, route and status only: never the URL query, headers or body.
      ctx.state.log.info(
        { method: ctx.method, route, status: ctx.status, ms: Math.round(performance.now() - start) },
        'request',
      );
    }
  };
}

/** Every failure becomes `{error: {code, message, details}}`; unexpected ones are 500 and logged. */
export function errorHandler(): Koa.Middleware<State> {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        throw new ApiError('NOT_FOUND', `no route ${ctx.method} ${ctx.path}`);
      }
    } catch (error) {
      const apiError = toApiError(error);
      if (apiError.status >= 500 && apiError.code === 'INTERNAL') {
        ctx.state.log?.error(
          { err: { message: (error as Error).message, stack: (error as Error).stack } },
          'unhandled error',
        );
      }
      ctx.status = apiError.status;
      if (apiError.retryAfterS !== undefined) ctx.set('Retry-After', String(apiError.retryAfterS));
      if (apiError.status === 401) ctx.set('WWW-Authenticate', 'Bearer realm="sam2"');
      ctx.body = {
        error: { code: apiError.code, message: apiError.message, details: apiError.details ?? {} },
      };
    }
  };
}

/** Errors thrown by the body parser carry an HTTP status and a `type`. */
function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  const e = error as { status?: number; type?: string; message?: string; limit?: number };
  if (e?.status === 413 || e?.type === 'entity.too.large') {
    return new ApiError('PAYLOAD_TOO_LARGE', `request body is larger than ${e.limit ?? 'the limit'} bytes`, {
      field: 'body',
      limit_bytes: e.limit,
    });
  }
  if (e?.status === 400 && (e.type === 'entity.parse.failed' || /JSON/i.test(e.message ?? ''))) {
    return new ApiError('INVALID_REQUEST', 'body: is not valid JSON', { field: 'body' });
  }
  if (e?.status === 415) return new ApiError('UNSUPPORTED_MEDIA_TYPE', e.message ?? 'unsupported media type');
  // 501 is the router's answer to a method it does not implement at all (e.g. PROPFIND).
  if (e?.status === 405 || e?.status === 501) return new ApiError('METHOD_NOT_ALLOWED', 'method not allowed');
  if (e?.status && e.status >= 400 && e.status < 500) {
    return new ApiError('INVALID_REQUEST', e.message ?? 'invalid request', { field: 'body' });
  }
  return new ApiError('INTERNAL', 'internal error');
}

/** Bearer token check, constant-time, when SAM2_API_TOKEN is set. */
export function requireToken(token: string | undefined): Koa.Middleware<State> {
  const expected = token ? Buffer.from(token) : undefined;
  return async (ctx, next) => {
    if (expected) {
      const match = /^Bearer (.+)$/.exec(ctx.get('Authorization'));
      const given = match ? Buffer.from(match[1]) : undefined;
      if (!given || given.length !== expected.length || !timingSafeEqual(given, expected)) {
        throw new ApiError('UNAUTHORIZED', match ? 'bearer token is wrong' : 'bearer token is missing', {
          field: 'Authorization',
        });
      }
    }
    await next();
  };
}

/** Only JSON bodies are accepted on the API. */
export function requireJson(): Koa.Middleware<State> {
  return async (ctx, next) => {
    if (!ctx.is('application/json')) {
      throw new ApiError('UNSUPPORTED_MEDIA_TYPE', 'Content-Type must be application/json', {
        field: 'Content-Type',
      });
    }
    await next();
  };
}
