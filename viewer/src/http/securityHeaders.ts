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

/** The isolation headers and the viewer's Content-Security-Policy (contentSecurityPolicy.ts) on every answer. */
export function securityHeaders(contentSecurityPolicy: string): Middleware {
  return async (ctx, next) => {
    ctx.set(crossOriginIsolationHeaders);
    ctx.set('Content-Security-Policy', contentSecurityPolicy);
    await next();
  };
}
