import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ModelFilesError, resolveModelFiles, verifyUnchanged } from '../../src/model/modelFiles';
import { fixtureModelDir } from '../helpers/fixtureModels';

/** Start-time verification of the model directory, on copies of the onnx-community FIXTURE (external data). */
let root: string;
let dir: string;
beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'model-files-'));
  dir = path.join(root, 'model');
  cpSync(fixtureModelDir('onnx-community'), dir, { recursive: true });
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

async function failure(): Promise<ModelFilesError> {
  const error = await resolveModelFiles(dir).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ModelFilesError);
  return error as ModelFilesError;
}

const flipLastByte = (file: string) => {
  const bytes = readFileSync(file);
  bytes[bytes.length - 1] ^= 0xff;
  writeFileSync(file, bytes);
};

describe('resolveModelFiles', () => {
  it('hashes every file, external data included, and finds the graphs under onnx/', async () => {
    const files = await resolveModelFiles(dir);
    expect(files.encoderPath).toBe(path.join(dir, 'onnx', 'vision_encoder.onnx'));
    expect(files.files.map((f) => f.name).sort()).toEqual([
      'onnx/prompt_encoder_mask_decoder.onnx',
      'onnx/prompt_encoder_mask_decoder.onnx_data',
      'onnx/vision_encoder.onnx',
      'onnx/vision_encoder.onnx_data',
    ]);
    const manifest = JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8'));
    for (const f of files.files) expect(f.sha256).toBe(manifest.sha256[f.name]);
  });

  it('names a missing external-data file (model_files_missing)', async () => {
    rmSync(path.join(dir, 'onnx', 'prompt_encoder_mask_decoder.onnx_data'));
    const error = await failure();
    expect(error.code).toBe('model_files_missing');
    expect(error.message).toContain('onnx/prompt_encoder_mask_decoder.onnx_data');
  });

  it('refuses a file whose hash differs from model.json (model_checksum_mismatch)', async () => {
    flipLastByte(path.join(dir, 'onnx', 'vision_encoder.onnx_data'));
    const error = await failure();
    expect(error.code).toBe('model_checksum_mismatch');
    expect(error.message).toContain('onnx/vision_encoder.onnx_data');
  });

  it('without model.json, the data files beside the graphs are part of the version', async () => {
    rmSync(path.join(dir, 'model.json'));
    const flat = path.join(root, 'flat');
    cpSync(path.join(dir, 'onnx'), flat, { recursive: true });
    dir = flat;
    const before = await resolveModelFiles(dir);
    expect(before.files).toHaveLength(4);
    flipLastByte(path.join(dir, 'vision_encoder.onnx_data'));
    const after = await resolveModelFiles(dir);
    expect(after.version).not.toBe(before.version);
  });
});

it('without model.json, finds the pair in the hub layout (onnx/)', async () => {
  rmSync(path.join(dir, 'model.json'));
  const files = await resolveModelFiles(dir);
  expect(files.decoderPath).toBe(path.join(dir, 'onnx', 'prompt_encoder_mask_decoder.onnx'));
  expect(files.files).toHaveLength(4);
});

describe('verifyUnchanged', () => {
  it('passes for the files as verified, and names a file changed or removed since', async () => {
    const { files } = await resolveModelFiles(dir);
    await expect(verifyUnchanged(files)).resolves.toBeUndefined();
    flipLastByte(path.join(dir, 'onnx', 'vision_encoder.onnx_data'));
    await expect(verifyUnchanged(files)).rejects.toMatchObject({
      code: 'model_files_changed',
      message: expect.stringContaining('onnx/vision_encoder.onnx_data changed on disk'),
    });
    rmSync(path.join(dir, 'onnx', 'vision_encoder.onnx_data'));
    await expect(verifyUnchanged(files)).rejects.toMatchObject({ code: 'model_files_changed' });
  });
});
