import type { ServerResponse } from 'node:http';
import path from 'node:path';
import { send } from '@koa/send';
import type { Context, Middleware } from 'koa';
import { BUNDLE_URL_PREFIX } from '../urls';

/** Webpack/rspack output names carry a 16-hex content hash (`app.bundle.0f6159c501addfe9.js`, `0ddf…a.wasm`). */
const contentHashed = /(^|\.)[0-9a-f]{16}\.(js|css|wasm|woff2?)$/;
/** Entry points whose URL never changes while their content does. */
const alwaysRevalidate = new Set(['index.html', 'sw.js', 'init-service-worker.js', 'manifest.json']);

/** Cache-Control for a file of the OHIF dist/. */
export function cacheControlFor(file: string): string {
  const name = path.basename(file);
  if (alwaysRevalidate.has(name)) return 'no-cache';
  if (contentHashed.test(name)) return 'public, max-age=31536000, immutable';
  // Other files are fixed for a pinned OHIF version, but a version bump must show up within the hour.
  return 'public, max-age=3600';
}

const noCache = (res: ServerResponse) => res.setHeader('Cache-Control', 'no-cache');

/** Serves `file` below `root` with @koa/send; false when there is no such regular, non-hidden file. */
async function trySend(
  ctx: Context,
  root: string,
  file: string,
  setHeaders: (res: ServerResponse, path: string) => void,
): Promise<boolean> {
  try {
    return (await send(ctx, file, { root, setHeaders })) !== undefined;
  } catch (error) {
    if ((error as { status?: number }).status === 404) return false;
    throw error;
  }
}

/** A path the single-page app routes itself (`/local`, `/sam2-segmentation/dicomlocal`): no file extension. */
function isAppRoute(urlPath: string): boolean {
  return !path.posix.basename(urlPath).includes('.');
}

export interface StaticFilesOptions {
  /** The prebuilt OHIF viewer. */
  ohifDistDir: string;
  /** Generates `app-config.js`, served instead of the shipped one (per request: it reflects rebuilt bundles). */
  appConfigJs: () => string;
  /** Directories served under /sam2/ (the extension's and the mode's dist/), searched in order. */
  bundleDirs: string[];
}

/** The viewer: generated app-config.js, our bundles under /sam2/, OHIF's dist/, SPA fallback to index.html. */
export function staticFiles({ ohifDistDir, appConfigJs, bundleDirs }: StaticFilesOptions): Middleware {
  const setDistHeaders = (res: ServerResponse, file: string) =>
    res.setHeader('Cache-Control', cacheControlFor(file));

  return async (ctx, next) => {
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return next();

    if (ctx.path === '/app-config.js') {
      ctx.type = 'text/javascript';
      ctx.set('Cache-Control', 'no-cache');
      ctx.body = appConfigJs();
      return;
    }

    if (ctx.path.startsWith(BUNDLE_URL_PREFIX)) {
      const file = ctx.path.slice(BUNDLE_URL_PREFIX.length);
      for (const dir of file ? bundleDirs : []) {
        // Our bundles keep their names across rebuilds, so the browser must revalidate them.
        if (await trySend(ctx, dir, file, noCache)) return;
      }
      ctx.status = 404;
      ctx.type = 'text/plain';
      ctx.body = `Not found: ${ctx.path} (build the extension and mode: npm run build)`;
      return;
    }

    if (await trySend(ctx, ohifDistDir, ctx.path, setDistHeaders)) return;
    if (isAppRoute(ctx.path) && (await trySend(ctx, ohifDistDir, 'index.html', setDistHeaders))) return;
    return next();
  };
}
