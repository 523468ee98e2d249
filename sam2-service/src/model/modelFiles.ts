import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { type ModelFamily, modelFamilies } from './types';

/** `model.json`, written by `model:fetch` and `model:fixture` next to the .onnx files. */
const manifestSchema = z.object({
  name: z.string().min(1),
  family: z.enum(modelFamilies).optional(),
  variant: z.string().optional(),
  licence: z.string().optional(),
  fixture: z.boolean().optional(),
  /** Paths relative to the model directory, `/`-separated (e.g. `onnx/vision_encoder.onnx`). */
  encoder: z.string().min(1),
  decoder: z.string().min(1),
  /** sha256 of every model file (graphs and their external data), by relative path. */
  sha256: z.record(z.string(), z.string().regex(/^[0-9a-f]{64}$/i)).optional(),
});

/** One file the model needs, with the sha256 it had when the service verified it at start. */
export interface VerifiedFile {
  /** Absolute path. */
  path: string;
  /** Path relative to the model directory, for logs. */
  name: string;
  sha256: string;
}

export interface ModelFiles {
  name: string;
  /** Family the manifest claims; the worker confirms it from the tensor names. */
  declaredFamily?: ModelFamily;
  variant: string;
  licence: string;
  fixture: boolean;
  encoderPath: string;
  decoderPath: string;
  /** Every file the sessions read (graphs + external data), hashed at start. */
  files: VerifiedFile[];
  /** Short hash over every verified file: part of every cache key, so a new model never reuses old results. */
  version: string;
}

/** Public, generic reason codes: details (paths, hashes) go to the log only. */
export type ModelFilesProblem =
  'model_files_missing' | 'model_manifest_invalid' | 'model_checksum_mismatch' | 'model_files_changed';

/** The model directory cannot be used; `message` names the file (log it), `code` is safe to publish. */
export class ModelFilesError extends Error {
  constructor(
    readonly code: ModelFilesProblem,
    message: string,
  ) {
    super(message);
    this.name = 'ModelFilesError';
  }
}

/**
 * Finds the encoder/decoder pair in `dir` (from model.json, or by file name), hashes every file the
 * sessions will read and checks the hashes model.json records. Throws ModelFilesError.
 */
export async function resolveModelFiles(dir: string): Promise<ModelFiles> {
  if (!existsSync(dir)) {
    throw new ModelFilesError(
      'model_files_missing',
      `model directory ${dir} does not exist (run npm run model:fetch)`,
    );
  }
  const manifestPath = path.join(dir, 'model.json');
  if (!existsSync(manifestPath)) return resolveByName(dir);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(manifestPath, 'utf8'));
  } catch (error) {
    throw new ModelFilesError('model_manifest_invalid', `${manifestPath} is not JSON: ${String(error)}`);
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ModelFilesError(
      'model_manifest_invalid',
      `invalid ${manifestPath}: ${issue?.path.join('.') ?? ''} ${issue?.message ?? 'bad format'}`,
    );
  }
  const m = parsed.data;
  const names = unique([m.encoder, m.decoder, ...Object.keys(m.sha256 ?? {}), ...dataSiblings(dir, m)]);
  for (const name of names) {
    if (!existsSync(inDir(dir, name))) {
      throw new ModelFilesError(
        'model_files_missing',
        `model file ${name} is missing in ${dir} (model.json)`,
      );
    }
  }
  const files = await hashAll(dir, names);
  for (const file of files) {
    const want = m.sha256?.[file.name]?.toLowerCase();
    if (want && want !== file.sha256) {
      throw new ModelFilesError(
        'model_checksum_mismatch',
        `model file ${file.name} in ${dir} has sha256 ${file.sha256}, model.json records ${want}`,
      );
    }
  }
  return {
    name: m.name,
    declaredFamily: m.family,
    variant: m.variant ?? 'unknown',
    licence: m.licence ?? 'unknown',
    fixture: m.fixture ?? false,
    encoderPath: inDir(dir, m.encoder),
    decoderPath: inDir(dir, m.decoder),
    files,
    version: versionOf(files),
  };
}

/** Without model.json: the *encoder*.onnx / *decoder*.onnx pair in `dir`, or in `dir/onnx` (hub layout). */
async function resolveByName(dir: string): Promise<ModelFiles> {
  const sub = existsSync(path.join(dir, 'onnx')) ? ['onnx/'] : [];
  const onnx = ['', ...sub].flatMap((prefix) =>
    readdirSync(inDir(dir, prefix || '.'))
      .filter((f) => f.endsWith('.onnx'))
      .map((f) => prefix + f),
  );
  const encoder = onnx.find((f) => /encoder/i.test(path.posix.basename(f)) && !/decoder/i.test(f));
  const decoder = onnx.find((f) => /decoder/i.test(path.posix.basename(f)));
  if (!encoder || !decoder) {
    throw new ModelFilesError(
      'model_files_missing',
      `no SAM2 encoder/decoder .onnx pair in ${dir} (found: ${onnx.join(', ') || 'nothing'}); run npm run model:fetch`,
    );
  }
  const files = await hashAll(dir, unique([encoder, decoder, ...dataSiblings(dir, { encoder, decoder })]));
  return {
    name: path.basename(dir),
    variant: 'unknown',
    licence: 'unknown',
    fixture: false,
    encoderPath: inDir(dir, encoder),
    decoderPath: inDir(dir, decoder),
    files,
    version: versionOf(files),
  };
}

/**
 * Re-hashes the files verified at start; throws ModelFilesError('model_files_changed') naming the first
 * file whose bytes differ or that is gone. Inference workers call it after loading their sessions, so a
 * file replaced on disk never runs under the identity verified at start.
 */
export async function verifyUnchanged(files: readonly VerifiedFile[]): Promise<void> {
  for (const file of files) {
    let actual: string;
    try {
      actual = await sha256File(file.path);
    } catch (error) {
      throw new ModelFilesError(
        'model_files_changed',
        `model file ${file.name} can no longer be read: ${(error as Error).message}`,
      );
    }
    if (actual !== file.sha256) {
      throw new ModelFilesError(
        'model_files_changed',
        `model file ${file.name} changed on disk since the service verified it (sha256 ${file.sha256}, now ${actual}); restart the service to load the new model`,
      );
    }
  }
}

/** `<graph>.onnx_data` beside each graph: the onnx-community external-data layout. */
function dataSiblings(dir: string, m: { encoder: string; decoder: string }): string[] {
  return [m.encoder, m.decoder].map((g) => `${g}_data`).filter((name) => existsSync(inDir(dir, name)));
}

function inDir(dir: string, name: string): string {
  return path.join(dir, ...name.split('/'));
}

function unique(names: string[]): string[] {
  return [...new Set(names)];
}

async function hashAll(dir: string, names: string[]): Promise<VerifiedFile[]> {
  const files: VerifiedFile[] = [];
  for (const name of names) {
    const file = inDir(dir, name);
    files.push({ path: file, name, sha256: await sha256File(file) });
  }
  return files;
}

function versionOf(files: VerifiedFile[]): string {
  const parts = [...files].sort((a, b) => a.name.localeCompare(b.name)).map((f) => f.sha256);
  return createHash('sha256').update(parts.join(':')).digest('hex').slice(0, 16);
}

function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve(hash.digest('hex')))
      .on('error', reject);
  });
}
