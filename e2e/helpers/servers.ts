import { existsSync } from 'node:fs';
import path from 'node:path';
import { startServiceProcess, type ServiceProcess } from '../../sam2-service/scripts/lib/serviceProcess';
import { startViewerProcess, type ViewerProcess } from '../../viewer/test/helpers/viewerProcess';
import { e2eFixtureModelDir, repoRoot } from './paths';

/** What globalSetup started; tests read the URLs from the environment it sets. */
export interface E2eServers {
  service: ServiceProcess;
  viewer: ViewerProcess;
  /** Milliseconds from spawning the viewer server to its "listening" log line. */
  viewerStartMs: number;
}

const builtFiles = [
  'sam2-service/dist/src/index.js',
  'viewer/dist/src/index.js',
  'extension/dist/ohif-sam2-extension.js',
  'mode/dist/ohif-sam2-mode.js',
];

/** The real SAM2 service (FIXTURE model) and the real viewer server, both built, on ephemeral ports. */
export async function startE2eServers(): Promise<E2eServers> {
  for (const file of builtFiles) {
    if (!existsSync(path.join(repoRoot, file)))
      throw new Error(`${file} is missing: run npm run build (npm test does)`);
  }
  const service = await startServiceProcess({ SAM2_MODEL_DIR: e2eFixtureModelDir });
  try {
    await service.waitReady();
    const started = Date.now();
    const viewer = await startViewerProcess({
      SAM2_SERVICE_URL: service.url,
      VIEWER_CACHE_DIR: process.env.VIEWER_CACHE_DIR ?? '',
    });
    return { service, viewer, viewerStartMs: Date.now() - started };
  } catch (error) {
    await service.stop();
    throw error;
  }
}

/** globalSetup and globalTeardown run in the same process; this is how the second finds the servers. */
export const runningServers = globalThis as { __E2E_SERVERS__?: E2eServers };

/** URLs of the servers, as globalSetup exports them to the test files. */
export function e2eUrls(): { viewerUrl: string; serviceUrl: string } {
  const viewerUrl = process.env.E2E_VIEWER_URL;
  const serviceUrl = process.env.E2E_SERVICE_URL;
  if (!viewerUrl || !serviceUrl)
    throw new Error('E2E_VIEWER_URL / E2E_SERVICE_URL unset: run through the e2e jest project');
  return { viewerUrl, serviceUrl };
}
