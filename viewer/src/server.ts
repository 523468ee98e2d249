import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { renderAppConfig } from './appConfig';
import type { ViewerConfig } from './config';
import { createApp } from './http/app';
import { contentSecurityPolicy } from './http/contentSecurityPolicy';
import { createSam2Upstream } from './http/sam2Proxy';
import type { Logger } from './logger';
import { ensureOhifApp } from './ohifApp/fetchOhifApp';
import { checkServiceReadiness, logServiceReadiness } from './readiness';
import { HttpShutdown } from '@ohif-sam2/http-shutdown';
import { appConfigOptions, bundleFiles } from './viewerAppConfig';

export interface RunningViewer {
  server: http.Server;
  port: number;
  url: string;
  /** Resolves once the start-up readiness check of the SAM2 service has been logged. */
  readinessChecked: Promise<void>;
  /**
   * Stops accepting, closes idle connections at once, lets answers in progress finish with
   * `Connection: close`, force-closes whatever is left after VIEWER_SHUTDOWN_TIMEOUT_MS.
   */
  close(): Promise<void>;
}

/** Fetches the viewer if needed, then listens; the SAM2 service's readiness is checked without waiting. */
export async function startViewer(config: ViewerConfig, logger: Logger): Promise<RunningViewer> {
  const ohifDistDir =
    config.ohifDistDir ?? (await ensureOhifApp({ cacheDir: config.cacheDir, logger })).distDir;
  for (const bundle of Object.values(bundleFiles(config))) {
    if (!existsSync(bundle)) {
      logger.warn(
        { bundle },
        'SAM2 bundle missing (run npm run build): the stock viewer is served without it',
      );
    }
  }
  // Per request, so bundles built after start-up are picked up on the next page load.
  const appConfigJs = () => renderAppConfig(appConfigOptions(config));
  const proxy = {
    serviceUrl: config.serviceUrl,
    apiToken: config.apiToken,
    connectTimeoutMs: config.proxyConnectTimeoutMs,
    responseTimeoutMs: config.proxyTimeoutMs,
    logger,
  };
  const upstream = createSam2Upstream(proxy);
  const csp = contentSecurityPolicy({
    indexHtml: await readFile(path.join(ohifDistDir, 'index.html'), 'utf8'),
    dicomwebUrl: config.dicomwebUrl,
    frameAncestors: config.frameAncestors,
  });
  const app = createApp({
    logger,
    ohifDistDir,
    appConfigJs,
    bundleDirs: [config.extensionDistDir, config.modeDistDir],
    proxy,
    upstream,
    contentSecurityPolicy: csp,
  });

  const server = http.createServer(app.callback());
  const shutdown = new HttpShutdown(server);
  // Uploads of a slice plus the service's own time limit must fit.
  server.requestTimeout = config.proxyTimeoutMs + 30000;
  server.keepAliveTimeout = 65000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  const readinessChecked = config.sam2Enabled
    ? checkServiceReadiness(upstream).then((readiness) =>
        logServiceReadiness(logger, config.serviceUrl, readiness),
      )
    : Promise.resolve(logger.info('SAM2 disabled (SAM2_ENABLED=false): the viewer hides the SAM2 button'));

  return {
    server,
    port,
    url,
    readinessChecked,
    async close() {
      const { forced } = await shutdown.close(config.shutdownTimeoutMs);
      if (forced > 0) logger.warn({ forced }, 'closed connections still open at the shutdown deadline');
      await upstream.pool.close();
    },
  };
}
