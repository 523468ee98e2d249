import { readFileSync } from 'node:fs';
import path from 'node:path';
// variants.ts only (data): the e2e project's DOM typings must not see the download code.
import { DEFAULT_VARIANT, VARIANTS, type VariantSpec } from '../../scripts/modelFetch/variants';
import { FakeModelHub } from './fakeModelHub';

/** The default variant's hub repo (`onnx-community/sam2.1-hiera-tiny-ONNX`). */
export const defaultSpec: VariantSpec = VARIANTS.find((v) => v.name === DEFAULT_VARIANT)!;

/** Repo paths of the default variant: graphs, then their external data (as fetchVariant orders them). */
export const defaultFiles = [defaultSpec.encoder, defaultSpec.decoder, ...defaultSpec.extraFiles];

/** Files of a FIXTURE model in the real onnx-community layout (onnx/*.onnx + onnx/*.onnx_data), by repo path. */
export function fixtureRepoFiles(fixtureDir: string): Record<string, Buffer> {
  return Object.fromEntries(
    defaultFiles.map((p) => [p, readFileSync(path.join(fixtureDir, ...p.split('/')))]),
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
