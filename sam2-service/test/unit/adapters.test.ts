import { InferenceSession, Tensor } from 'onnxruntime-node';
import { modelSide, toModelInput } from '../../src/image/modelInput';
import { argmax } from '../../src/inference/automaticMasks';
import { detectAdapter } from '../../src/model/adapters/detectAdapter';
import type { Feeds, ModelAdapter } from '../../src/model/adapters/modelAdapter';
import { resolveModelFiles } from '../../src/model/modelFiles';
import { type FixtureName, fixtureModelDir } from '../helpers/fixtureModels';

/** Real ORT sessions on the FIXTURE models written by globalSetup. */
async function load(name: FixtureName) {
  const files = await resolveModelFiles(fixtureModelDir(name));
  const encoder = await InferenceSession.create(files.encoderPath);
  const decoder = await InferenceSession.create(files.decoderPath);
  return { encoder, decoder, adapter: detectAdapter(encoder, decoder) };
}

/** A 64² slice with a bright square in its top-left quarter, encoded through the adapter. */
async function encodeSquare(encoder: InferenceSession, adapter: ModelAdapter): Promise<Feeds> {
  const gray = new Uint8Array(64 * 64).fill(30);
  for (let y = 4; y < 28; y++) for (let x = 4; x < 28; x++) gray[y * 64 + x] = 200;
  const input = new Tensor('float32', toModelInput(gray, 64, 64), [1, 3, modelSide, modelSide]);
  const outputs = await encoder.run({ [adapter.encoderInput]: input });
  return Object.fromEntries(adapter.embeddingNames.map((n) => [n, outputs[n] as Tensor]));
}

describe('model adapters (real ORT on FIXTURE models)', () => {
  it('detects each export family from the tensor names', async () => {
    const samexporter = await load('samexporter');
    const community = await load('onnx-community');
    expect(samexporter.adapter.family).toBe('samexporter');
    expect(samexporter.adapter.embeddingNames).toEqual([
      'image_embed',
      'high_res_feats_0',
      'high_res_feats_1',
    ]);
    expect(community.adapter.family).toBe('onnx-community');
    expect(community.adapter.embeddingNames).toEqual([
      'image_embeddings.0',
      'image_embeddings.1',
      'image_embeddings.2',
    ]);
  });

  it('refuses an unknown export, naming what it found', () => {
    const session = { inputNames: ['x'], outputNames: ['y'], inputMetadata: [] };
    expect(() => detectAdapter(session, session)).toThrow(/unsupported SAM2 export: encoder inputs \[x\]/);
    const halfRight = { inputNames: ['image'], outputNames: ['image_embed'], inputMetadata: [] };
    const decoder = { inputNames: ['point_coords'], outputNames: ['masks'], inputMetadata: [] };
    expect(() => detectAdapter(halfRight, decoder)).toThrow(
      /samexporter encoder outputs lacks high_res_feats_0/,
    );
  });

  describe('samexporter', () => {
    it('feeds orig_im_size (height, width) with the dtype the model declares', async () => {
      const { adapter } = await load('samexporter-origsize');
      const feeds = adapter.decoderFeeds(
        {},
        { points: [{ x: 1, y: 1, label: 1 }] },
        { height: 48, width: 64 },
      );
      expect(feeds.orig_im_size.type).toBe('int32');
      expect([...(feeds.orig_im_size.data as Int32Array)]).toEqual([48, 64]);
    });

    it('reads three candidates and their predicted IoU from a real decoder run', async () => {
      const { encoder, decoder, adapter } = await load('samexporter');
      const embeddings = await encodeSquare(encoder, adapter);
      const prompts = { points: [{ x: 256, y: 256, label: 1 as const }] }; // inside the square (model space)
      const result = adapter.readDecoderOutputs(
        await decoder.run(adapter.decoderFeeds(embeddings, prompts, { height: 64, width: 64 })),
      );
      expect(result.logits).toMatchObject({ count: 3, height: 256, width: 256 });
      expect(result.scores).toHaveLength(3);
      expect(argmax(result.scores)).toBe(1);
      expect(result.logits.data[1 * 65536 + 64 * 256 + 64]).toBeGreaterThan(0); // the click's cell
    });
  });

  describe('onnx-community', () => {
    it('reads pred_masks / iou_scores from a real decoder run, box only', async () => {
      const { encoder, decoder, adapter } = await load('onnx-community');
      const embeddings = await encodeSquare(encoder, adapter);
      const prompts = { points: [], box: [0, 0, 512, 512] as [number, number, number, number] };
      const result = adapter.readDecoderOutputs(
        await decoder.run(adapter.decoderFeeds(embeddings, prompts, { height: 64, width: 64 })),
      );
      expect(result.logits).toMatchObject({ count: 3, height: 256, width: 256 });
      expect(argmax(result.scores)).toBe(1);
      expect(result.logits.data[65536 + 64 * 256 + 64]).toBeGreaterThan(0); // inside box and square
      expect(result.logits.data[65536 + 200 * 256 + 200]).toBeLessThan(0); // outside the box
    });
  });
});
