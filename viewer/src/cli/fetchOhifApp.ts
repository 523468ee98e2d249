/** `npm run viewer:fetch`: downloads, verifies and caches the pinned prebuilt OHIF viewer, nothing else. */
import { loadConfig } from '../config';
import { createLogger } from '../logger';
import { ensureOhifApp } from '../ohifApp/fetchOhifApp';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const { distDir, downloaded } = await ensureOhifApp({ cacheDir: config.cacheDir, logger });
  logger.info({ distDir, downloaded }, downloaded ? 'OHIF viewer cached' : 'OHIF viewer already cached');
}

main().catch((error: Error) => {
  console.error(`viewer:fetch failed: ${error.message}`);
  process.exit(1);
});
