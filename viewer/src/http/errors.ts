import type { Context, Middleware } from 'koa';
import type { Logger } from '../logger';
import { SAM2_API_PREFIX } from '../urls';
import { OTHER_ROUTE } from './proxyTarget';
import { crossOriginIsolationHeaders } from './securityHeaders';

/** The SAM2 service's error shape, so the extension handles our errors and the service's alike. */
export function sendJsonError(
  ctx: Context,
  status: number,
  code: string,
  message: string,
  details: Record<string, unknown> = {},
): void {
  ctx.status = status;
  ctx.set('Cache-Control', 'no-store');
  ctx.body = { error: { code, message, details } };
}

/**
 * Turns thrown errors into JSON (for the API) or plain text answers, keeping the isolation headers that
 * Koa's default error handler would strip.
 */
export function errorHandler(logger: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      const err = error as Error & { status?: number; expose?: boolean };
      const status = err.status && err.status >= 400 && err.status < 600 ? err.status : 500;
      // The route, not the path: paths are the browser's and may carry anything.
      const route = ctx.path.startsWith(SAM2_API_PREFIX) ? OTHER_ROUTE : 'viewer files';
      if (status >= 500) logger.error({ err, route }, 'request failed');
      if (ctx.headerSent) return;
      ctx.set(crossOriginIsolationHeaders);
      if (ctx.path.startsWith('/api/')) {
        sendJsonError(
          ctx,
          status,
          status >= 500 ? 'INTERNAL' : 'BAD_REQUEST',
          err.expose ? err.message : 'error',
        );
      } else {
        ctx.status = status;
        ctx.type = 'text/plain';
        ctx.body = err.expose ? err.message : 'Internal Server Error';
      }
    }
  };
}
