import { loadConfig } from './config';
import { createLogger } from './logger';
import { startService } from './server';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
  const logger = createLogger(config.logLevel);
  if (config.limitWarning) logger.warn(config.limitWarning);
  const service = await startService(config, logger);
  logger.info(
    {
      host: config.host,
      port: service.port,
      workers: config.workers,
      threadsPerWorker: config.threadsPerWorker,
    },
    `SAM2 service listening on http://${config.host}:${service.port}`,
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, deadlineMs: config.shutdownTimeoutMs }, 'shutting down');
    // Last resort if stopping the workers hangs: exit before an orchestrator's SIGKILL does it.
    setTimeout(() => {
      logger.error('shutdown did not finish in time: exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs + 5000).unref();
    service.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

void main();
