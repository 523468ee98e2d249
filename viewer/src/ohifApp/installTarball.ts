import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tar from 'tar';
import { verifyIntegrity } from './integrity';

/** Written into an extracted dist/ last, so its presence means the extraction completed. */
const MARKER = '.ohif-sam2-verified.json';

/** True when `distDir` holds a complete extraction of the tarball with this integrity. */
export async function isInstalled(distDir: string, integrity: string): Promise<boolean> {
  try {
    const marker = JSON.parse(await readFile(path.join(distDir, MARKER), 'utf8')) as { integrity?: string };
    return marker.integrity === integrity && existsSync(path.join(distDir, 'index.html'));
  } catch {
    return false;
  }
}

export interface InstallOptions {
  /** An npm package tarball (`package/dist/...` inside). */
  tarball: string;
  /** sha512 SRI string the tarball must match, else nothing is extracted. */
  expectedIntegrity: string;
  /** Where `package/dist/` ends up. Replaced atomically. */
  distDir: string;
}

/** Verifies the tarball, extracts its `package/dist/` beside `distDir`, then renames it into place. */
export async function installTarball({ tarball, expectedIntegrity, distDir }: InstallOptions): Promise<void> {
  await verifyIntegrity(tarball, expectedIntegrity);
  const staging = `${distDir}.staging-${process.pid}-${randomBytes(4).toString('hex')}`;
  await mkdir(staging, { recursive: true });
  try {
    await tar.x({
      file: tarball,
      cwd: staging,
      strip: 2,
      filter: (entry) => entry.startsWith('package/dist/'),
    });
    if (!existsSync(path.join(staging, 'index.html'))) {
      throw new Error(`${tarball} has no package/dist/index.html: not a prebuilt OHIF viewer`);
    }
    await writeFile(
      path.join(staging, MARKER),
      JSON.stringify({ integrity: expectedIntegrity, installedAt: new Date().toISOString() }) + '\n',
    );
    // Another process may have finished first; its copy is as good as ours.
    if (await isInstalled(distDir, expectedIntegrity)) return;
    await rm(distDir, { recursive: true, force: true });
    await rename(staging, distDir);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
