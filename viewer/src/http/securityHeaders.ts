import type { Middleware } from 'koa';

/**
 * Cross-origin isolation: OHIF needs SharedArrayBuffer (volume loading, web workers), which browsers only
 * allow when the page is isolated. Set before anything downstream runs, so errors and proxied answers
 * carry them too.
 */
export const crossOriginIsolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Content-Type-Options': 'nosniff',
} as const;

export function securityHeaders(): Middleware {
  return async (ctx, next) => {
    ctx.set(crossOriginIsolationHeaders);
    await next();
  };
}
