import type { AddressInfo } from 'node:net';
import http from 'node:http';
import type { Config } from './config';
import { createApp } from './http/app';
import { ModelRuntime } from './inference/modelRuntime';
import type { Logger } from './logger';
import { createMetrics } from './metrics';
import { Segmenter } from './segmentation/segmenter';
import { HttpShutdown } from '@ohif-sam2/http-shutdown';

export interface RunningService {
  server: http.Server;
  runtime: ModelRuntime;
  port: number;
  /**
   * Stops accepting, closes idle connections at once, lets answers in progress finish with
   * `Connection: close`, force-closes whatever is left after SAM2_SHUTDOWN_TIMEOUT_MS, then stops the
   * inference workers.
   */
  close(): Promise<void>;
}

/** Starts the model runtime and the HTTP server; the server listens before the model is ready. */
export async function startService(config: Config, logger: Logger): Promise<RunningService> {
  const metrics = createMetrics();
  const runtime = await ModelRuntime.start(config, logger, metrics);
  const segmenter = new Segmenter(config, runtime, metrics);
  const app = createApp({ config, logger, metrics, runtime, segmenter, startedAt: Date.now() });
  const handler = app.callback();
  const server = http.createServer(handler);
  // `Expect: 100-continue` goes to the app too: the body reader sends 100 only for a body it will read,
  // so a refused request (401, 413 by Content-Length, 415) is answered at once without inviting the body.
  server.on('checkContinue', handler);
  const shutdown = new HttpShutdown(server);
  // Slow clients must not hold sockets forever; the inference time limit is separate.
  server.requestTimeout = config.requestTimeoutMs + 30000;
  server.keepAliveTimeout = 65000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    runtime,
    port,
    async close() {
      const { forced } = await shutdown.close(config.shutdownTimeoutMs);
      if (forced > 0) logger.warn({ forced }, 'closed connections still open at the shutdown deadline');
      await runtime.close();
    },
  };
}
