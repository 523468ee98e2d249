import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { type RunningViewer, startViewer } from '../../src/server';

/** Minimal ES modules standing in for the real bundles (helper B's builds), so these tests do not need them. */
export const fakeExtensionJs = 'export default { id: "ohif-sam2-extension-test" };\n';
export const fakeModeJs = 'export default { id: "ohif-sam2-mode-test" };\n';

export async function fakeBundleDirs(): Promise<{ extensionDir: string; modeDir: string }> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'ohif-sam2-bundles-'));
  const extensionDir = path.join(root, 'extension');
  const modeDir = path.join(root, 'mode');
  await Promise.all([mkdir(extensionDir), mkdir(modeDir)]);
  await writeFile(path.join(extensionDir, 'ohif-sam2-extension.js'), fakeExtensionJs);
  await writeFile(path.join(modeDir, 'ohif-sam2-mode.js'), fakeModeJs);
  return { extensionDir, modeDir };
}

/** The real viewer server in this process on an ephemeral port, configured by `env` like the real one. */
export function startInProcessViewer(env: Record<string, string>, logs?: Writable): Promise<RunningViewer> {
  const config = loadConfig({ VIEWER_PORT: '0', VIEWER_CACHE_DIR: process.env.VIEWER_CACHE_DIR, ...env });
  return startViewer(config, logs ? createLogger('debug', logs) : createLogger('silent'));
}

/** Collects log lines written by an in-process viewer. */
export function logCollector(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}
