/**
 * The compose topology natively on 127.0.0.1, started from a test: Debian's Orthanc 1.10 + DICOMweb with
 * docker/orthanc/orthanc.json, the SAM2 service with the image's command on a FIXTURE model, and Debian's
 * nginx with docker/nginx/default.conf.template in front of both, serving the prebuilt OHIF viewer, our
 * bundles and an app-config.js rendered by the viewer workspace's CLI with the viewer image's environment.
 * Every process runs on a free port; stop() ends each of them (also after a failed start).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  imageCommands,
  type LoggedProcess,
  missingTools,
  type NginxProcess,
  type OrthancProcess,
  type ServiceAsImage,
  startNginx,
  startOrthanc,
  startServiceAsImage,
  writeFixtureModel,
} from '../../docker/test/helpers';
import { loadConfig } from '../../viewer/src/config';
import { cachedOhifDistDir } from '../../viewer/src/ohifApp/fetchOhifApp';
import { repoRoot } from '../helpers/paths';
import { missingPrerequisite } from '../helpers/prerequisites';

/** The viewer service's environment in docker-compose.yml (app-config part), as the image renders it. */
export const viewerImageEnv = {
  SAM2_ENABLED: 'true',
  SAM2_MODALITIES: 'CT',
  SAM2_CLIENT_TIMEOUT_MS: '35000',
  DICOMWEB_URL: '/dicom-web',
} as const;

/** Orthanc's only user, as compose passes ORTHANC_USERNAME / ORTHANC_PASSWORD to Orthanc and nginx. */
const orthancCredentials = { username: 'orthanc', password: 'full-stack-secret' };

const builtFiles = [
  'sam2-service/dist/src/index.js',
  'sam2-service/dist/scripts/makeFixtureModel.js',
  imageCommands.renderAppConfig[1],
  'extension/dist/ohif-sam2-extension.js',
  'mode/dist/ohif-sam2-mode.js',
];

/** The prebuilt OHIF viewer nginx serves (the viewer cache e2e's globalSetup fills, or OHIF_DIST_DIR). */
export function ohifDistDir(): string {
  return (
    process.env.OHIF_DIST_DIR ||
    cachedOhifDistDir(loadConfig({ VIEWER_CACHE_DIR: process.env.VIEWER_CACHE_DIR }).cacheDir)
  );
}

/** Why the full-stack test cannot run here (tools or data missing), or undefined when it can. */
export function missingFullStackPrerequisite(): string | undefined {
  const browser = missingPrerequisite();
  if (browser) return browser;
  const tools = missingTools(['Orthanc', 'dicomweb', 'nginx']);
  return tools.length ? `missing ${tools.join(', ')}` : undefined;
}

/** window.config of a rendered app-config.js. */
export type AppConfig = {
  defaultDataSourceName: string;
  dataSources: Array<{
    sourceName: string;
    namespace: string;
    configuration: { qidoRoot?: string; segmentation?: { store?: { defaultMode?: string } } };
  }>;
  extensions: string[];
  modes: string[];
  sam2: { enabled: boolean; apiBase: string; modalities: string[]; timeoutMs: number };
};

/**
 * `node viewer/dist/src/cli/renderAppConfig.js --out FILE` from the repository root with the viewer image's
 * environment (docker/nginx/30-ohif-sam2-app-config.sh), the bundles found where nginx serves them from.
 */
export function renderAppConfigAsImage(out: string): AppConfig {
  const [, cli] = imageCommands.renderAppConfig;
  const result = spawnSync(process.execPath, [cli, '--out', out], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH ?? '',
      ...viewerImageEnv,
      SAM2_EXTENSION_DIST_DIR: path.join(repoRoot, 'extension', 'dist'),
      SAM2_MODE_DIST_DIR: path.join(repoRoot, 'mode', 'dist'),
    },
    encoding: 'utf8',
  });
  if (result.status !== 0 || result.stderr) {
    throw new Error(`renderAppConfig failed (${result.status}): ${result.stderr}`);
  }
  const window: { config?: AppConfig } = {};
  new Function('window', readFileSync(out, 'utf8'))(window);
  if (!window.config) throw new Error(`${out} does not set window.config`);
  return window.config;
}

export interface FullStack {
  orthanc: OrthancProcess;
  service: ServiceAsImage;
  nginx: NginxProcess;
  /** What the browser gets as window.config. */
  appConfig: AppConfig;
  /** The SAM2 service alone (the rest keeps running). */
  stopService(): Promise<void>;
  /** Everything, in reverse order of start; safe to call twice. */
  stop(): Promise<void>;
}

/** Starts Orthanc, the SAM2 service (FIXTURE model) and nginx; on failure stops what had started. */
export async function startFullStack(): Promise<FullStack> {
  for (const file of builtFiles) {
    if (!existsSync(path.join(repoRoot, file))) {
      throw new Error(`${file} is missing: run npm run build first`);
    }
  }
  const dist = ohifDistDir();
  if (!existsSync(path.join(dist, 'index.html'))) {
    throw new Error(`no prebuilt OHIF viewer in ${dist}: run npm run viewer:fetch`);
  }

  const work = await mkdtemp(path.join(os.tmpdir(), 'ohif-sam2-fullstack-'));
  const stops: Array<() => Promise<void>> = [() => rm(work, { recursive: true, force: true })];
  // If the test process ends without teardown (a crash, a forced exit), no server outlives it.
  const children: LoggedProcess[] = [];
  const signalChildren = () => children.forEach((c) => c.exited() || c.child.kill('SIGTERM'));
  process.once('exit', signalChildren);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    for (const step of stops.reverse()) await step().catch(() => undefined);
    process.removeListener('exit', signalChildren);
  };

  try {
    const modelDir = path.join(work, 'model');
    writeFixtureModel(modelDir);
    const appConfigFile = path.join(work, 'app-config.js');
    const appConfig = renderAppConfigAsImage(appConfigFile);

    // Both at once (Orthanc takes ~3 s); each one's stop is registered as soon as it is up.
    const [orthancStart, serviceStart] = await Promise.allSettled([
      startOrthanc(orthancCredentials),
      startServiceAsImage({ SAM2_MODEL_DIR: modelDir }),
    ]);
    if (orthancStart.status === 'fulfilled') {
      children.push(orthancStart.value.process);
      stops.push(() => orthancStart.value.stop());
    }
    if (serviceStart.status === 'fulfilled') {
      children.push(serviceStart.value.process);
      stops.push(() => serviceStart.value.stop());
    }
    if (orthancStart.status === 'rejected') throw orthancStart.reason;
    if (serviceStart.status === 'rejected') throw serviceStart.reason;
    const orthanc = orthancStart.value;
    const service = serviceStart.value;
    const nginx = await startNginx({
      sam2Upstream: `127.0.0.1:${service.port}`,
      orthancUpstream: `127.0.0.1:${orthanc.port}`,
      ohifDistDir: dist,
      appConfigFile,
      env: { ORTHANC_USERNAME: orthancCredentials.username, ORTHANC_PASSWORD: orthancCredentials.password },
    });
    children.push(nginx.process);
    stops.push(() => nginx.stop());
    await service.waitReady();
    return { orthanc, service, nginx, appConfig, stopService: () => service.stop(), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
