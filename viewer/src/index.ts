import { loadConfig } from './config';
import { createLogger } from './logger';
import { startViewer } from './server';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
  const logger = createLogger(config.logLevel);
  const started = Date.now();
  let viewer;
  try {
    viewer = await startViewer(config, logger);
  } catch (error) {
    logger.fatal({ err: error }, 'viewer server failed to start');
    process.exit(1);
  }
  logger.info(
    { host: config.host, port: viewer.port, ms: Date.now() - started, serviceUrl: config.serviceUrl },
    `OHIF viewer listening on ${viewer.url} (local files: ${viewer.url}/local)`,
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, deadlineMs: config.shutdownTimeoutMs }, 'shutting down');
    // Last resort if closing hangs: exit rather than wait for a SIGKILL.
    setTimeout(() => process.exit(1), config.shutdownTimeoutMs + 5000).unref();
    viewer.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

void main();
