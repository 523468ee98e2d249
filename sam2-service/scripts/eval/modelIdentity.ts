/**
 * The model identity the report states: what the service says it runs (GET /info: name, family,
 * variant, version = hash over the model files, fixture flag) plus, with --model-dir, each file's
 * sha256 (hashed and checked against model.json by the service's own resolveModelFiles) and the
 * download source (hub repository, revision and commit) recorded by `npm run model:fetch`.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { resolveModelFiles } from '../../src/model/modelFiles';
import type { ModelInfo } from './service';

export interface ModelIdentity extends ModelInfo {
  files?: { name: string; sha256: string }[];
  source?: unknown;
}

export async function modelIdentity(info: ModelInfo, modelDir: string | undefined): Promise<ModelIdentity> {
  if (!modelDir) return { ...info };
  const files = await resolveModelFiles(modelDir);
  const manifest = path.join(modelDir, 'model.json');
  const source = existsSync(manifest)
    ? (JSON.parse(readFileSync(manifest, 'utf8')) as { source?: unknown }).source
    : undefined;
  if (files.version !== info.version) {
    throw new Error(
      `--model-dir holds model version ${files.version}, the service runs ${String(info.version)}`,
    );
  }
  return {
    ...info,
    files: files.files.map((f) => ({ name: f.name, sha256: f.sha256 })),
    ...(source ? { source } : {}),
  };
}
