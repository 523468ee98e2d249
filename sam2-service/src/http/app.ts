import cors from '@koa/cors';
import Koa from 'koa';
import type { Config } from '../config';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import { type State, errorHandler, requestContext } from './middleware';
import { type RouteDeps, createRouter } from './routes';

/** The Koa application: request context, CORS from the allowlist, JSON errors, routes. */
export function createApp(
  deps: RouteDeps & { config: Config; logger: Logger; metrics: Metrics },
): Koa<State> {
  const app = new Koa<State>();
  app.proxy = false;
  app.silent = true; // errors are handled (and logged without bodies) by errorHandler
  const allowed = new Set(deps.config.corsOrigins);
  app.use(requestContext(deps.logger, deps.metrics));
  app.use(
    cors({
      // Echo the origin only when it is on the allowlist; otherwise send no CORS header at all.
      origin: (ctx) => {
        const origin = ctx.get('Origin');
        return allowed.has('*') ? '*' : allowed.has(origin) ? origin : '';
      },
      allowMethods: ['GET', 'POST', 'OPTIONS'],
      allowHeaders: ['Content-Type', 'Authorization', 'X-Request-Id'],
      exposeHeaders: ['X-Request-Id', 'Retry-After', 'Server-Timing'],
      maxAge: 600,
    }),
  );
  app.use(errorHandler());
  const router = createRouter(deps);
  app.use(router.routes());
  app.use(router.allowedMethods({ throw: true }));
  return app;
}
