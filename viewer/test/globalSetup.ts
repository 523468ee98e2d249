import { existsSync } from 'node:fs';
import path from 'node:path';
import { writeFixtureModel } from '../../sam2-service/scripts/fixture/writeFixtureModel';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/logger';
import { ensureOhifApp } from '../src/ohifApp/fetchOhifApp';
import { repoRoot, viewerFixtureModelDir } from './helpers/paths';

/**
 * Fetches and verifies the pinned OHIF viewer once (cached in .cache/), writes the FIXTURE model the real
 * SAM2 service runs on, and checks that the service and the viewer are built.
 */
export default async function globalSetup(): Promise<void> {
  const config = loadConfig({ VIEWER_CACHE_DIR: process.env.VIEWER_CACHE_DIR });
  await ensureOhifApp({ cacheDir: config.cacheDir, logger: createLogger('warn') });
  await writeFixtureModel({ family: 'samexporter', outDir: viewerFixtureModelDir });
  for (const built of ['sam2-service/dist/src/index.js', 'viewer/dist/src/index.js']) {
    const file = path.join(repoRoot, built);
    if (!existsSync(file)) throw new Error(`${file} is missing: run npm run build first (npm test does)`);
  }
}
