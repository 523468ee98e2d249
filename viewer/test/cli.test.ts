import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import { fakeBundleDirs } from './helpers/inProcessViewer';

const renderCli = path.resolve(__dirname, '..', 'dist', 'src', 'cli', 'renderAppConfig.js');

function runCli(args: string[], env: Record<string, string>) {
  return spawnSync(process.execPath, [renderCli, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
  });
}

function evaluateConfig(script: string): any {
  const sandbox = { window: {} as { config?: unknown } };
  vm.runInNewContext(script, sandbox);
  return sandbox.window.config;
}

describe('renderAppConfig CLI (for deployments behind another web server)', () => {
  let work: string;
  let bundles: { extensionDir: string; modeDir: string };
  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'ohif-sam2-cli-'));
    bundles = await fakeBundleDirs();
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
    await rm(path.dirname(bundles.extensionDir), { recursive: true, force: true });
  });

  it('writes the same app-config.js the viewer server serves, from the same environment', async () => {
    const out = path.join(work, 'app-config.js');
    const result = runCli(['--out', out], {
      SAM2_EXTENSION_DIST_DIR: bundles.extensionDir,
      SAM2_MODE_DIST_DIR: bundles.modeDir,
      DICOMWEB_URL: '/dicom-web',
      SAM2_ENABLED: 'false',
      SAM2_MODALITIES: 'CT',
      SAM2_CLIENT_TIMEOUT_MS: '35000',
    });
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
    const config = evaluateConfig(await readFile(out, 'utf8'));
    expect(config.extensions).toEqual(['/sam2/ohif-sam2-extension.js']);
    expect(config.modes).toEqual(['/sam2/ohif-sam2-mode.js']);
    expect(config.defaultDataSourceName).toBe('dicomweb');
    expect(config.dataSources[0].configuration.wadoRoot).toBe('/dicom-web');
    expect(config.sam2).toEqual({
      enabled: false,
      apiBase: '/api/segmentation',
      modalities: ['CT'],
      timeoutMs: 35000,
      // SAM2_SPECULATIVE_ENCODING unset: on (viewer/src/config.ts).
      speculativeEncoding: true,
    });
  });

  it('prints to stdout without --out and warns about bundles that are not built', () => {
    const result = runCli([], {
      SAM2_EXTENSION_DIST_DIR: '/nonexistent',
      SAM2_MODE_DIST_DIR: bundles.modeDir,
    });
    expect(result.status).toBe(0);
    expect(result.stderr).toMatch(/ohif-sam2-extension\.js missing/);
    expect(evaluateConfig(result.stdout).extensions).toEqual([]);
  });

  it('fails on bad arguments or configuration', () => {
    expect(runCli(['--out'], {}).status).toBe(1);
    expect(runCli(['--bogus'], {}).stderr).toMatch(/usage/);
    expect(runCli([], { SAM2_ENABLED: 'maybe' }).stderr).toMatch(/SAM2_ENABLED/);
  });
});
