import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Logger } from '../logger';
import { installTarball, isInstalled } from './installTarball';
import { OHIF_APP_INTEGRITY, OHIF_APP_PACKAGE, OHIF_APP_VERSION } from './pinned';

const run = promisify(execFile);
const spec = `${OHIF_APP_PACKAGE}@${OHIF_APP_VERSION}`;

/** Where the pinned viewer's dist/ is cached, e.g. `.cache/ohif-app-3.13.2/dist`. */
export function cachedOhifDistDir(cacheDir: string): string {
  return path.join(cacheDir, `ohif-app-${OHIF_APP_VERSION}`, 'dist');
}

/** The integrity the registry publishes for the pinned version, or undefined when it cannot be asked. */
async function registryIntegrity(npm: string, cwd: string, logger: Logger): Promise<string | undefined> {
  try {
    const { stdout } = await run(npm, ['view', spec, 'dist.integrity'], { cwd, timeout: 60000 });
    return stdout.trim() || undefined;
  } catch (error) {
    logger.warn(
      { err: (error as Error).message },
      'could not ask the registry for the integrity; using the pinned value',
    );
    return undefined;
  }
}

export interface EnsureOhifAppOptions {
  cacheDir: string;
  logger: Logger;
  /** The npm executable (tests point this elsewhere). */
  npm?: string;
}

/**
 * Returns the dist/ of the pinned prebuilt OHIF viewer, downloading (`npm pack`), verifying and extracting
 * it on first use. Later calls find the cache and return at once.
 */
export async function ensureOhifApp({
  cacheDir,
  logger,
  npm = 'npm',
}: EnsureOhifAppOptions): Promise<{ distDir: string; downloaded: boolean }> {
  const distDir = cachedOhifDistDir(cacheDir);
  if (await isInstalled(distDir, OHIF_APP_INTEGRITY)) return { distDir, downloaded: false };

  const started = Date.now();
  logger.info({ spec, distDir }, 'fetching the prebuilt OHIF viewer (first run only)');
  await mkdir(path.dirname(distDir), { recursive: true });
  const work = await mkdtemp(path.join(path.dirname(distDir), '.download-'));
  try {
    const published = await registryIntegrity(npm, work, logger);
    if (published !== undefined && published !== OHIF_APP_INTEGRITY) {
      throw new Error(
        `the registry's integrity for ${spec} (${published}) differs from the pinned ${OHIF_APP_INTEGRITY}: refusing it`,
      );
    }
    const { stdout } = await run(npm, ['pack', spec, '--json', '--pack-destination', work], {
      cwd: work,
      timeout: 10 * 60000,
      maxBuffer: 64 * 1024 * 1024,
    });
    const [packed] = JSON.parse(stdout) as { filename: string }[];
    await installTarball({
      tarball: path.join(work, packed.filename),
      expectedIntegrity: OHIF_APP_INTEGRITY,
      distDir,
    });
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  logger.info({ spec, distDir, ms: Date.now() - started }, 'OHIF viewer fetched and verified');
  return { distDir, downloaded: true };
}
