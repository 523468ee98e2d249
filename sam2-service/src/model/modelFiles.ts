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
  encoder: z.string().min(1),
  decoder: z.string().min(1),
  sha256: z.record(z.string(), z.string()).optional(),
});

export interface ModelFiles {
  name: string;
  /** Family the manifest claims; the worker confirms it from the tensor names. */
  declaredFamily?: ModelFamily;
  variant: string;
  licence: string;
  fixture: boolean;
  encoderPath: string;
  decoderPath: string;
  /** Short content hash of both files: part of every cache key, so a new model never reuses old results. */
  version: string;
}

export class ModelNotFoundError extends Error {}

/** Finds the encoder/decoder pair in `dir` (from model.json, or by file name) and identifies it. */
export async function resolveModelFiles(dir: string): Promise<ModelFiles> {
  if (!existsSync(dir)) {
    throw new ModelNotFoundError(`model directory ${dir} does not exist (run npm run model:fetch)`);
  }
  const manifestPath = path.join(dir, 'model.json');
  if (existsSync(manifestPath)) {
    const parsed = manifestSchema.safeParse(JSON.parse(readFileSync(manifestPath, 'utf8')));
    if (!parsed.success) {
      throw new ModelNotFoundError(
        `invalid ${manifestPath}: ${parsed.error.issues[0]?.message ?? 'bad format'}`,
      );
    }
    const m = parsed.data;
    const encoderPath = requireFile(dir, m.encoder);
    const decoderPath = requireFile(dir, m.decoder);
    // Published hashes cover every file, external weights (.onnx_data) included; otherwise hash the pair.
    const known = m.sha256?.[m.encoder] && m.sha256?.[m.decoder];
    const version = known
      ? combine(
          ...Object.keys(m.sha256!)
            .sort()
            .map((file) => m.sha256![file]),
        )
      : combine(await sha256File(encoderPath), await sha256File(decoderPath));
    return {
      name: m.name,
      declaredFamily: m.family,
      variant: m.variant ?? 'unknown',
      licence: m.licence ?? 'unknown',
      fixture: m.fixture ?? false,
      encoderPath,
      decoderPath,
      version,
    };
  }
  const onnx = readdirSync(dir).filter((f) => f.endsWith('.onnx'));
  const encoder = onnx.find((f) => /encoder/i.test(f) && !/decoder/i.test(f));
  const decoder = onnx.find((f) => /decoder/i.test(f));
  if (!encoder || !decoder) {
    throw new ModelNotFoundError(
      `no SAM2 encoder/decoder .onnx pair in ${dir} (found: ${onnx.join(', ') || 'nothing'}); run npm run model:fetch`,
    );
  }
  const encoderPath = path.join(dir, encoder);
  const decoderPath = path.join(dir, decoder);
  return {
    name: path.basename(dir),
    variant: 'unknown',
    licence: 'unknown',
    fixture: false,
    encoderPath,
    decoderPath,
    version: combine(await sha256File(encoderPath), await sha256File(decoderPath)),
  };
}

function requireFile(dir: string, name: string): string {
  const file = path.join(dir, name);
  if (!existsSync(file)) throw new ModelNotFoundError(`model.json names ${name}, which is missing in ${dir}`);
  return file;
}

function combine(...hashes: string[]): string {
  return createHash('sha256').update(hashes.join(':')).digest('hex').slice(0, 16);
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
