import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { modelSide, toModelInput } from '../../src/image/modelInput';
import { detectAdapter } from '../../src/model/adapters/detectAdapter';
import type { Feeds, ModelAdapter } from '../../src/model/adapters/modelAdapter';
import { resolveModelFiles } from '../../src/model/modelFiles';
import { writeFixtureModel } from '../../scripts/fixture/writeFixtureModel';
import { type FixtureName, fixtureModelDir } from '../helpers/fixtureModels';

async function loadDir(dir: string) {
  const files = await resolveModelFiles(dir);
  const encoder = await InferenceSession.create(files.encoderPath);
  const decoder = await InferenceSession.create(files.decoderPath);
  return { encoder, decoder, adapter: detectAdapter(encoder, decoder) };
}

/** A 64² slice: a bright square (top-left) and a mid-grey square (bottom-right) on a dark background. */
async function encodeSlice(encoder: InferenceSession, adapter: ModelAdapter): Promise<Feeds> {
  const gray = new Uint8Array(64 * 64).fill(30);
  for (let y = 4; y < 28; y++) for (let x = 4; x < 28; x++) gray[y * 64 + x] = 200;
  for (let y = 36; y < 60; y++) for (let x = 36; x < 60; x++) gray[y * 64 + x] = 120;
  const input = new Tensor('float32', toModelInput(gray, 64, 64), [1, 3, modelSide, modelSide]);
  const outputs = await encoder.run({ [adapter.encoderInput]: input });
  return Object.fromEntries(adapter.embeddingNames.map((n) => [n, outputs[n] as Tensor]));
}

// Model coordinates (1024²) of clicks on the bright square, the grey square and the background.
const points = [
  { x: 256, y: 256, label: 1 as const },
  { x: 768, y: 768, label: 1 as const },
  { x: 900, y: 100, label: 1 as const },
];
const slice = { height: 64, width: 64 };

describe.each<FixtureName>(['samexporter', 'onnx-community', 'samexporter-origsize'])(
  'a batch of point prompts through the decoder (%s FIXTURE, real ORT)',
  (name) => {
    it('gives each prompt set the masks and scores of its own single-prompt run', async () => {
      const { encoder, decoder, adapter } = await loadDir(fixtureModelDir(name));
      const embeddings = await encodeSlice(encoder, adapter);
      const batch = adapter.readDecoderBatch(
        await decoder.run(adapter.pointBatchFeeds(embeddings, points, slice)),
        points.length,
      );
      expect(batch).toHaveLength(3);
      for (const [i, point] of points.entries()) {
        const alone = adapter.readDecoderOutputs(
          await decoder.run(adapter.decoderFeeds(embeddings, { points: [point] }, slice)),
        );
        expect(Array.from(batch[i].scores)).toEqual(Array.from(alone.scores));
        expect(batch[i].logits.count).toBe(alone.logits.count);
        expect(Array.from(batch[i].logits.data)).toEqual(Array.from(alone.logits.data));
      }
      // The three prompt sets are really different (not one result repeated).
      const key = (k: number) => batch[k].logits.data.map((v) => (v > 0 ? 1 : 0)).join('');
      expect(new Set([key(0), key(1), key(2)]).size).toBe(3);
    });
  },
);

describe('decoder ballast (decoderLayers)', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'sam2-ballast-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it.each(['samexporter', 'onnx-community'] as const)(
    'adds cost, never changes a result (%s)',
    async (family) => {
      const plain = await loadDir(fixtureModelDir(family));
      const dir = path.join(root, family);
      const manifest = await writeFixtureModel({ family, outDir: dir, decoderLayers: 3 });
      expect(manifest.name).toBe(`sam2-FIXTURE-${family}-D3`);
      expect(manifest.fixtureOptions.decoderLayers).toBe(3);
      const heavy = await loadDir(dir);
      const embeddings = await encodeSlice(plain.encoder, plain.adapter);
      const run = async (m: typeof plain) =>
        m.adapter.readDecoderBatch(
          await m.decoder.run(m.adapter.pointBatchFeeds(embeddings, points, slice)),
          3,
        );
      const [a, b] = [await run(plain), await run(heavy)];
      for (let i = 0; i < 3; i++) {
        expect(Array.from(b[i].logits.data)).toEqual(Array.from(a[i].logits.data));
        expect(Array.from(b[i].scores)).toEqual(Array.from(a[i].scores));
      }
    },
  );
});
