/**
 * Fetches every file of one registry variant into a directory and writes its model.json.
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { type DownloadEvent, compareDigest, downloadVerified, hashFile } from './download';
import {
  type FetchFn,
  type HubFileInfo,
  authHeaders,
  fetchRepoMetadata,
  normalizeHubUrl,
  resolveUrl,
} from './hubClient';
import { VARIANTS, type VariantFamily, type VariantSpec } from './variants';

export const DEFAULT_HUB_URL = 'https://huggingface.co';
export const MANIFEST_FILE = 'model.json';

/** model.json, read by the service to find and identify the model. */
export interface ModelManifest {
  name: string;
  family: VariantFamily;
  variant: string;
  licence: string;
  fixture: false;
  /** Paths inside the model directory: the repo paths (e.g. `onnx/vision_encoder.onnx`). */
  encoder: string;
  decoder: string;
  /** sha256 of every file fetched (graphs and their external data), by path. */
  sha256: Record<string, string>;
  /** `revision` as asked; `commit`: the sha it resolved to, which every file was downloaded from. */
  source: { hub: string; repo: string; revision: string; commit: string };
}

export type FetchEvent =
  | DownloadEvent
  | { type: 'metadata'; repo: string; revision: string; commit?: string; files: number; totalBytes: number }
  | { type: 'skip'; file: string; sha256: string; bytes: number }
  | { type: 'stale'; file: string; reason: string };

export interface FetchVariantOptions {
  variant: string;
  dir: string;
  hubUrl?: string;
  /** Overrides the registry's revision. */
  revision?: string;
  token?: string;
  onEvent?: (event: FetchEvent) => void;
  retries?: number;
  retryDelayMs?: number;
  idleTimeoutMs?: number;
  fetchImpl?: FetchFn;
}

export interface FetchVariantResult {
  dir: string;
  manifest: ModelManifest;
  downloaded: string[];
  skipped: string[];
}

export class UnknownVariantError extends Error {
  constructor(
    readonly variant: string,
    readonly validNames: string[],
  ) {
    super(`unknown model variant "${variant}"; valid variants: ${validNames.join(', ')}`);
    this.name = 'UnknownVariantError';
  }
}

/** The variant cannot be fetched as registered (file missing at that revision, no hash, ...). */
export class VariantError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VariantError';
  }
}

export function variantNames(): string[] {
  return VARIANTS.map((v) => v.name);
}

export function findVariant(name: string): VariantSpec {
  const spec = VARIANTS.find((v) => v.name === name);
  if (!spec) throw new UnknownVariantError(name, variantNames());
  return spec;
}

/** Repo paths of a variant in download order: encoder, decoder, then their external data. */
export function variantFiles(spec: VariantSpec): string[] {
  return [spec.encoder, spec.decoder, ...spec.extraFiles];
}

export async function fetchVariant(opts: FetchVariantOptions): Promise<FetchVariantResult> {
  const spec = findVariant(opts.variant);
  const hubUrl = normalizeHubUrl(opts.hubUrl ?? DEFAULT_HUB_URL);
  const revision = opts.revision ?? spec.revision;
  const emit = opts.onEvent ?? (() => undefined);
  const dir = path.resolve(opts.dir);

  const repoPaths = variantFiles(spec);
  if (new Set(repoPaths).size !== repoPaths.length)
    throw new VariantError(`${spec.name}: a file is listed twice`);

  const meta = await fetchRepoMetadata(spec.repo, revision, {
    hubUrl,
    token: opts.token,
    fetchImpl: opts.fetchImpl,
    retries: opts.retries,
    retryDelayMs: opts.retryDelayMs,
  });
  // Download from the commit the metadata describes, never from the branch: a branch can move between
  // the metadata call and the downloads, and the install must be exactly what was verified and recorded.
  const commit = meta.commit;
  if (!commit || !/^[0-9a-f]{40}$/i.test(commit)) {
    throw new VariantError(
      `the hub did not say which commit ${spec.repo}@${revision} is (got ${commit ?? 'nothing'}); refusing an unpinned download`,
    );
  }
  const infos: HubFileInfo[] = repoPaths.map((p) => {
    const info = meta.files.get(p);
    if (!info) {
      throw new VariantError(`${p} is not in ${spec.repo}@${revision} (or the hub gave no size for it)`);
    }
    if (!info.sha256 && !info.gitBlobId) {
      throw new VariantError(
        `the hub publishes no hash for ${p} in ${spec.repo}@${revision}; cannot verify it`,
      );
    }
    return info;
  });
  emit({
    type: 'metadata',
    repo: spec.repo,
    revision,
    commit,
    files: infos.length,
    totalBytes: infos.reduce((sum, f) => sum + f.size, 0),
  });

  await mkdir(dir, { recursive: true });
  const sha256: Record<string, string> = {};
  const downloaded: string[] = [];
  const skipped: string[] = [];
  for (const info of infos) {
    // Repo paths are kept: `onnx/x.onnx` names `x.onnx_data` beside itself, exactly as in the repo.
    const base = info.path;
    const dest = path.join(dir, ...info.path.split('/'));
    await mkdir(path.dirname(dest), { recursive: true });
    const expected = { sha256: info.sha256, gitBlobId: info.gitBlobId };
    if (existsSync(dest)) {
      const hashes = await hashFile(dest, { gitBlob: !info.sha256 });
      if (!compareDigest(hashes, expected)) {
        sha256[base] = hashes.sha256;
        skipped.push(base);
        emit({ type: 'skip', file: base, sha256: hashes.sha256, bytes: hashes.size });
        continue;
      }
      // Never leave a file that fails verification under the final name.
      emit({
        type: 'stale',
        file: base,
        reason: 'existing file does not match the hub hash; fetching again',
      });
      await rm(dest, { force: true });
    }
    const result = await downloadVerified({
      url: resolveUrl(hubUrl, spec.repo, commit, info.path),
      dest,
      size: info.size,
      expected,
      headers: authHeaders(opts.token),
      onEvent: emit,
      retries: opts.retries,
      retryDelayMs: opts.retryDelayMs,
      idleTimeoutMs: opts.idleTimeoutMs,
      fetchImpl: opts.fetchImpl,
    });
    sha256[base] = result.sha256;
    downloaded.push(base);
  }

  const manifest: ModelManifest = {
    name: spec.name,
    family: spec.family,
    variant: spec.variant,
    licence: spec.licence,
    fixture: false,
    encoder: spec.encoder,
    decoder: spec.decoder,
    sha256,
    source: { hub: hubUrl, repo: spec.repo, revision, commit },
  };
  await writeManifest(dir, manifest);
  return { dir, manifest, downloaded, skipped };
}

/** Written to a temp name and renamed, so a reader never sees half a manifest. */
export async function writeManifest(dir: string, manifest: ModelManifest): Promise<void> {
  const target = path.join(dir, MANIFEST_FILE);
  const tmp = `${target}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(manifest, null, 2)}\n`);
  await rename(tmp, target);
}
