import { readFile, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import vm from 'node:vm';
import { loadConfig } from '../src/config';
import { cachedOhifDistDir } from '../src/ohifApp/fetchOhifApp';
import type { RunningViewer } from '../src/server';
import { fakeBundleDirs, fakeExtensionJs, fakeModeJs, startInProcessViewer } from './helpers/inProcessViewer';

const distDir = cachedOhifDistDir(loadConfig({ VIEWER_CACHE_DIR: process.env.VIEWER_CACHE_DIR }).cacheDir);

function expectIsolationHeaders(res: Response): void {
  expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
  expect(res.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
  expect(res.headers.get('cross-origin-resource-policy')).toBe('same-origin');
}

function evaluateConfig(script: string): any {
  const sandbox = { window: {} as { config?: unknown } };
  vm.runInNewContext(script, sandbox);
  return sandbox.window.config;
}

describe('viewer server: the stock OHIF viewer, our bundles, generated app-config.js', () => {
  let viewer: RunningViewer;
  let bundles: { extensionDir: string; modeDir: string };
  let indexHtml: string;
  let files: string[];

  beforeAll(async () => {
    bundles = await fakeBundleDirs();
    viewer = await startInProcessViewer({
      SAM2_EXTENSION_DIST_DIR: bundles.extensionDir,
      SAM2_MODE_DIST_DIR: bundles.modeDir,
      SAM2_SERVICE_URL: 'http://127.0.0.1:9',
      SAM2_MODALITIES: 'CT,MR',
      SAM2_CLIENT_TIMEOUT_MS: '20000',
    });
    indexHtml = await readFile(path.join(distDir, 'index.html'), 'utf8');
    files = await readdir(distDir);
  });
  afterAll(async () => {
    await viewer.close();
    await rm(path.dirname(bundles.extensionDir), { recursive: true, force: true });
  });

  it.each(['/', '/local', '/sam2-segmentation/dicomlocal?StudyInstanceUIDs=1.2.3', '/viewer/dicomweb'])(
    'answers the app route %s with index.html (SPA fallback)',
    async (route) => {
      const res = await fetch(`${viewer.url}${route}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expectIsolationHeaders(res);
      expect(await res.text()).toBe(indexHtml);
    },
  );

  it('serves a generated app-config.js instead of the shipped one', async () => {
    const res = await fetch(`${viewer.url}/app-config.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expectIsolationHeaders(res);
    const config = evaluateConfig(await res.text());
    expect(config.extensions).toEqual(['/sam2/ohif-sam2-extension.js']);
    expect(config.modes).toEqual(['/sam2/ohif-sam2-mode.js']);
    expect(config.defaultDataSourceName).toBe('dicomlocal');
    expect(config.sam2).toEqual({
      enabled: true,
      apiBase: '/api/segmentation',
      modalities: ['CT', 'MR'],
      timeoutMs: 20000,
      // SAM2_SPECULATIVE_ENCODING unset: on (viewer/src/config.ts).
      speculativeEncoding: true,
    });
  });

  it('serves our bundles under /sam2/ as ES modules that are revalidated', async () => {
    for (const [name, body] of [
      ['ohif-sam2-extension.js', fakeExtensionJs],
      ['ohif-sam2-mode.js', fakeModeJs],
    ]) {
      const res = await fetch(`${viewer.url}/sam2/${name}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expectIsolationHeaders(res);
      expect(await res.text()).toBe(body);
    }
    for (const url of ['/sam2/nothing-here.js', '/sam2/', '/sam2/..%2f..%2fpackage.json']) {
      const missing = await fetch(`${viewer.url}${url}`);
      expect({ url, status: missing.status }).toEqual({ url, status: url.includes('..') ? 403 : 404 });
      expectIsolationHeaders(missing);
      await missing.arrayBuffer();
    }
  });

  it('serves content-hashed viewer files as immutable, with the right types', async () => {
    const appBundle = files.find((f) => /^app\.bundle\.[0-9a-f]{16}\.js$/.test(f))!;
    const js = await fetch(`${viewer.url}/${appBundle}`, { method: 'HEAD' });
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expectIsolationHeaders(js);

    const wasmFile = files.find((f) => f.endsWith('.wasm'))!;
    const wasm = await fetch(`${viewer.url}/${wasmFile}`);
    expect(wasm.status).toBe(200);
    expect(wasm.headers.get('content-type')).toBe('application/wasm');
    expect(Buffer.from(await wasm.arrayBuffer()).subarray(0, 4)).toEqual(Buffer.from([0, 0x61, 0x73, 0x6d]));

    const css = await fetch(`${viewer.url}/${files.find((f) => f.endsWith('.css'))!}`);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(css.headers.get('cache-control')).toBe('public, max-age=3600');
    await css.arrayBuffer();
  });

  it('answers 404 (not index.html) for missing files, hidden files and paths outside dist/', async () => {
    for (const url of ['/no-such-chunk.bundle.js', '/.ohif-sam2-verified.json', '/assets/missing.png']) {
      const res = await fetch(`${viewer.url}${url}`);
      expect({ url, status: res.status }).toEqual({ url, status: 404 });
      expectIsolationHeaders(res);
      await res.arrayBuffer();
    }
    const outside = await fetch(`${viewer.url}/..%2f..%2fpackage.json`);
    expect([403, 404]).toContain(outside.status);
    expect(await outside.text()).not.toContain('"name"');
  });

  it('does not answer other methods with the viewer', async () => {
    const res = await fetch(`${viewer.url}/local`, { method: 'POST', body: 'x' });
    expect(res.status).toBe(404);
    expectIsolationHeaders(res);
  });
});

describe('viewer server: data sources and missing bundles', () => {
  it('makes DICOMweb the default source when DICOMWEB_URL is set, and leaves out bundles that are not built', async () => {
    const viewer = await startInProcessViewer({
      DICOMWEB_URL: 'http://127.0.0.1:8042/dicom-web',
      SAM2_EXTENSION_DIST_DIR: '/nonexistent/extension',
      SAM2_MODE_DIST_DIR: '/nonexistent/mode',
      SAM2_ENABLED: 'false',
      SAM2_SERVICE_URL: 'http://127.0.0.1:9',
    });
    try {
      const config = evaluateConfig(await (await fetch(`${viewer.url}/app-config.js`)).text());
      expect(config.defaultDataSourceName).toBe('dicomweb');
      expect(config.dataSources.map((d: any) => d.sourceName)).toEqual(['dicomweb', 'dicomlocal']);
      expect(config.dataSources[0].configuration.qidoRoot).toBe('http://127.0.0.1:8042/dicom-web');
      // OHIF shows a blank page when one extension import fails, so missing bundles are not listed.
      expect(config.extensions).toEqual([]);
      expect(config.modes).toEqual([]);
      expect(config.sam2.enabled).toBe(false);
    } finally {
      await viewer.close();
    }
  });
});
