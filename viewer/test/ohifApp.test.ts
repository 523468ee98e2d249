import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tar from 'tar';
import { IntegrityError, sha512Integrity, verifyIntegrity } from '../src/ohifApp/integrity';
import { installTarball, isInstalled } from '../src/ohifApp/installTarball';
import { OHIF_APP_INTEGRITY } from '../src/ohifApp/pinned';

/** A small npm-style tarball (`package/...`) with a fake prebuilt viewer in `package/dist/`. */
async function makeTarball(dir: string, indexHtml = '<!doctype html><title>viewer</title>'): Promise<string> {
  const src = path.join(dir, 'src');
  await mkdir(path.join(src, 'package', 'dist', 'assets'), { recursive: true });
  await writeFile(path.join(src, 'package', 'package.json'), '{"name":"@ohif/app","version":"0.0.0"}');
  await writeFile(path.join(src, 'package', 'dist', 'index.html'), indexHtml);
  await writeFile(path.join(src, 'package', 'dist', 'assets', 'logo.svg'), '<svg/>');
  const file = path.join(dir, 'app.tgz');
  await tar.c({ gzip: true, file, cwd: src }, ['package']);
  return file;
}

const sri = (bytes: Buffer) => `sha512-${createHash('sha512').update(bytes).digest('base64')}`;

describe('prebuilt viewer download: integrity and extraction', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'ohif-sam2-viewer-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('computes the npm sha512 integrity of a file', async () => {
    const tarball = await makeTarball(dir);
    expect(await sha512Integrity(tarball)).toBe(sri(await readFile(tarball)));
  });

  it('pins a well-formed sha512 integrity', () => {
    expect(OHIF_APP_INTEGRITY).toMatch(/^sha512-[A-Za-z0-9+/]{86}==$/);
  });

  it('extracts package/dist/ of a tarball that matches', async () => {
    const tarball = await makeTarball(dir);
    const integrity = await sha512Integrity(tarball);
    const distDir = path.join(dir, 'cache', 'dist');
    await installTarball({ tarball, expectedIntegrity: integrity, distDir });
    expect(await readFile(path.join(distDir, 'index.html'), 'utf8')).toContain('<title>viewer</title>');
    expect(existsSync(path.join(distDir, 'assets', 'logo.svg'))).toBe(true);
    expect(existsSync(path.join(distDir, 'package.json'))).toBe(false);
    expect(await isInstalled(distDir, integrity)).toBe(true);
    expect(await isInstalled(distDir, OHIF_APP_INTEGRITY)).toBe(false);
    // No staging directories are left behind.
    expect(await readdir(path.join(dir, 'cache'))).toEqual(['dist']);
  });

  it('refuses a tarball whose sha512 differs and extracts nothing', async () => {
    const tarball = await makeTarball(dir);
    const distDir = path.join(dir, 'cache', 'dist');
    const other = await makeTarball(
      await mkdtemp(path.join(dir, 'other-')),
      '<!doctype html><title>tampered</title>',
    );
    const expected = await sha512Integrity(other);

    const failure = installTarball({ tarball, expectedIntegrity: expected, distDir });
    await expect(failure).rejects.toBeInstanceOf(IntegrityError);
    await expect(failure).rejects.toThrow(/integrity mismatch/);
    expect(existsSync(distDir)).toBe(false);
    expect(await isInstalled(distDir, expected)).toBe(false);
  });

  it('refuses the real pinned integrity for a different tarball', async () => {
    const tarball = await makeTarball(dir);
    await expect(verifyIntegrity(tarball, OHIF_APP_INTEGRITY)).rejects.toBeInstanceOf(IntegrityError);
  });

  it('accepts only sha512 integrity strings', async () => {
    const tarball = await makeTarball(dir);
    const sha1 = `sha1-${createHash('sha1')
      .update(await readFile(tarball))
      .digest('base64')}`;
    await expect(verifyIntegrity(tarball, sha1)).rejects.toThrow(/not a sha512 integrity/);
  });

  it('refuses a verified tarball that is not a prebuilt viewer', async () => {
    const src = path.join(dir, 'src');
    await mkdir(path.join(src, 'package'), { recursive: true });
    await writeFile(path.join(src, 'package', 'package.json'), '{}');
    const tarball = path.join(dir, 'plain.tgz');
    await tar.c({ gzip: true, file: tarball, cwd: src }, ['package']);
    const distDir = path.join(dir, 'cache', 'dist');
    await expect(
      installTarball({ tarball, expectedIntegrity: await sha512Integrity(tarball), distDir }),
    ).rejects.toThrow(/not a prebuilt OHIF viewer/);
    expect(existsSync(distDir)).toBe(false);
  });
});
