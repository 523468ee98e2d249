import Koa from 'koa';
import type { Logger } from '../logger';
import { errorHandler } from './errors';
import { readinessCache } from './readinessCache';
import { sam2Proxy, type Sam2ProxyOptions, type Sam2Upstream } from './sam2Proxy';
import { securityHeaders } from './securityHeaders';
import { staticFiles, type StaticFilesOptions } from './staticFiles';

export interface AppOptions extends StaticFilesOptions {
  logger: Logger;
  proxy: Sam2ProxyOptions;
  upstream: Sam2Upstream;
  /** The Content-Security-Policy header value (contentSecurityPolicy.ts). */
  contentSecurityPolicy: string;
}

/**
 * The viewer server: isolation headers on everything, then the shared SAM2 readiness, the SAM2 proxy,
 * then the viewer's files.
 */
export function createApp(opts: AppOptions): Koa {
  const app = new Koa();
  app.use(securityHeaders(opts.contentSecurityPolicy));
  app.use(errorHandler(opts.logger));
  app.use(readinessCache(opts.upstream));
  app.use(sam2Proxy(opts.proxy, opts.upstream));
  app.use(staticFiles(opts));
  // Only failures after the answer started (e.g. a broken stream) get here.
  app.on('error', (err: Error) => opts.logger.warn({ err: err.message }, 'response stream failed'));
  return app;
}
