import { readFileSync } from 'node:fs';
import path from 'node:path';
import { findVariant, variantFiles } from '../../scripts/modelFetch/fetchVariant';
import { DEFAULT_VARIANT } from '../../scripts/modelFetch/variants';
import { FakeModelHub } from './fakeModelHub';

/** The default variant's hub repo (`onnx-community/sam2.1-hiera-tiny-ONNX`). */
export const defaultSpec = findVariant(DEFAULT_VARIANT);

/** Files of a FIXTURE model in the real onnx-community layout (onnx/*.onnx + onnx/*.onnx_data), by repo path. */
export function fixtureRepoFiles(fixtureDir: string): Record<string, Buffer> {
  return Object.fromEntries(
    variantFiles(defaultSpec).map((p) => [p, readFileSync(path.join(fixtureDir, ...p.split('/')))]),
  );
}

/**
 * A fake hub serving the onnx-community FIXTURE model under the default variant's repo and file paths,
 * so a first-start download fetches, verifies and loads a real (FIXTURE) ONNX pair.
 */
export async function startFixtureHub(
  fixtureDir: string,
): Promise<{ hub: FakeModelHub; totalBytes: number }> {
  const hub = await FakeModelHub.start();
  const files = fixtureRepoFiles(fixtureDir);
  hub.addRepo(defaultSpec.repo, files, { commit: 'c0ffee0000000000000000000000000000000001' });
  const totalBytes = Object.values(files).reduce((sum, b) => sum + b.length, 0);
  return { hub, totalBytes };
}
