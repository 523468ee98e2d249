/**
 * The fixture SAM2 models, run through real onnxruntime-node sessions: exact I/O signatures of both export
 * families, and prompt behaviour the service tests rely on (where masks land).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type * as Ort from 'onnxruntime-node';

import {
  writeFixtureModel,
  type FixtureFamily,
  type FixtureManifest,
} from '../../scripts/fixture/writeFixtureModel';

let ort: typeof Ort;

const GRID = 256;
const CELLS = GRID * GRID;
// Bright disc on a dark background, in 1024x1024 model space.
const DISC = { cx: 512, cy: 448, r: 96 };
const FG = 200;
const BG = 40;

type Point = [x: number, y: number, label: number];
interface Prompt {
  points?: Point[];
  box?: [x0: number, y0: number, x1: number, y1: number];
}
interface DecodeResult {
  /** Per mask k: [H*W] logits. */
  masks: Float32Array[];
  dims: readonly number[];
  iou: number[];
  objectScore?: number;
}

/** SAM2 preprocessing of a grey image: RGB/255, ImageNet mean/std, NCHW. */
function normalisedImage(grey: (x: number, y: number) => number): Float32Array {
  const mean = [0.485, 0.456, 0.406];
  const std = [0.229, 0.224, 0.225];
  const size = 1024 * 1024;
  const data = new Float32Array(3 * size);
  for (let y = 0; y < 1024; y++) {
    for (let x = 0; x < 1024; x++) {
      const v = grey(x, y) / 255;
      for (let c = 0; c < 3; c++) data[c * size + y * 1024 + x] = (v - mean[c]) / std[c];
    }
  }
  return data;
}

const discImage = normalisedImage((x, y) => (Math.hypot(x - DISC.cx, y - DISC.cy) <= DISC.r ? FG : BG));

const cellCentre = (i: number) => (i + 0.5) * 4;
const cellDist = (idx: number, x: number, y: number) =>
  Math.hypot(cellCentre(idx % GRID) - x, cellCentre(Math.floor(idx / GRID)) - y);

function onCells(mask: Float32Array): number[] {
  const cells: number[] = [];
  mask.forEach((v, i) => {
    if (v > 0) cells.push(i);
  });
  return cells;
}

function discStats(mask: Float32Array) {
  const on = onCells(mask);
  // Half a cell of slack either side of the disc edge, where pooled intensities are mixed.
  const inside = on.filter((i) => cellDist(i, DISC.cx, DISC.cy) <= DISC.r + 3).length;
  let core = 0;
  let coreOn = 0;
  for (let i = 0; i < CELLS; i++) {
    if (cellDist(i, DISC.cx, DISC.cy) <= DISC.r - 3) {
      core++;
      if (mask[i] > 0) coreOn++;
    }
  }
  return { on: on.length, insideFraction: inside / Math.max(on.length, 1), coverage: coreOn / core };
}

const argmax = (xs: number[]) => xs.indexOf(Math.max(...xs));

class FixturePair {
  private features: Ort.InferenceSession.OnnxValueMapType = {};

  constructor(
    readonly family: FixtureFamily,
    readonly manifest: FixtureManifest,
    readonly encoder: Ort.InferenceSession,
    readonly decoder: Ort.InferenceSession,
  ) {}

  static async create(
    family: FixtureFamily,
    outDir: string,
    opts: { encoderLayers?: number; origImSize?: boolean } = {},
  ): Promise<FixturePair> {
    const manifest = await writeFixtureModel({ family, outDir, ...opts });
    const encoder = await ort.InferenceSession.create(path.join(outDir, manifest.encoder));
    const decoder = await ort.InferenceSession.create(path.join(outDir, manifest.decoder));
    return new FixturePair(family, manifest, encoder, decoder);
  }

  async encode(image: Float32Array): Promise<void> {
    const input = this.encoder.inputNames[0];
    this.features = await this.encoder.run({ [input]: new ort.Tensor('float32', image, [1, 3, 1024, 1024]) });
  }

  /** Runs one prompt set; also returns the raw outputs for shape checks. */
  async decode(prompt: Prompt, origImSize?: [h: number, w: number]): Promise<DecodeResult> {
    const points = prompt.points ?? [];
    if (this.family === 'samexporter') {
      const all = [...points];
      if (prompt.box) all.push([prompt.box[0], prompt.box[1], 2], [prompt.box[2], prompt.box[3], 3]);
      if (all.length === 0) all.push([0, 0, -1]);
      const feeds: Record<string, Ort.Tensor> = {
        image_embed: this.features['image_embed'] as Ort.Tensor,
        high_res_feats_0: this.features['high_res_feats_0'] as Ort.Tensor,
        high_res_feats_1: this.features['high_res_feats_1'] as Ort.Tensor,
        point_coords: new ort.Tensor('float32', Float32Array.from(all.flatMap(([x, y]) => [x, y])), [
          1,
          all.length,
          2,
        ]),
        point_labels: new ort.Tensor('float32', Float32Array.from(all.map((p) => p[2])), [1, all.length]),
        mask_input: new ort.Tensor('float32', new Float32Array(CELLS), [1, 1, GRID, GRID]),
        has_mask_input: new ort.Tensor('float32', new Float32Array(1), [1]),
      };
      if (origImSize) feeds.orig_im_size = new ort.Tensor('int32', Int32Array.from(origImSize), [2]);
      const out = await this.decoder.run(feeds);
      return this.split(out.masks as Ort.Tensor, out.iou_predictions as Ort.Tensor);
    }

    const boxes = prompt.box ? [prompt.box] : [];
    const out = await this.decoder.run({
      'image_embeddings.0': this.features['image_embeddings.0'] as Ort.Tensor,
      'image_embeddings.1': this.features['image_embeddings.1'] as Ort.Tensor,
      'image_embeddings.2': this.features['image_embeddings.2'] as Ort.Tensor,
      input_points: new ort.Tensor('float32', Float32Array.from(points.flatMap(([x, y]) => [x, y])), [
        1,
        1,
        points.length,
        2,
      ]),
      input_labels: new ort.Tensor('int64', BigInt64Array.from(points.map((p) => BigInt(p[2]))), [
        1,
        1,
        points.length,
      ]),
      input_boxes: new ort.Tensor('float32', Float32Array.from(boxes.flat()), [1, boxes.length, 4]),
    });
    const result = this.split(out.pred_masks as Ort.Tensor, out.iou_scores as Ort.Tensor);
    expect(out.object_score_logits.dims).toEqual([1, 1, 1]);
    return { ...result, objectScore: (out.object_score_logits.data as Float32Array)[0] };
  }

  private split(masks: Ort.Tensor, iou: Ort.Tensor): DecodeResult {
    const data = masks.data as Float32Array;
    const plane = masks.dims[masks.dims.length - 1] * masks.dims[masks.dims.length - 2];
    return {
      masks: [0, 1, 2].map((k) => data.subarray(k * plane, (k + 1) * plane)),
      dims: masks.dims,
      iou: Array.from(iou.data as Float32Array),
    };
  }

  async release(): Promise<void> {
    await this.encoder.release();
    await this.decoder.release();
  }
}

function signature(session: Ort.InferenceSession, which: 'input' | 'output') {
  const meta = which === 'input' ? session.inputMetadata : session.outputMetadata;
  return meta.map((m) => (m.isTensor ? [m.name, m.type, [...m.shape]] : [m.name, 'non-tensor']));
}

const F32 = 'float32';
const EXPECTED = {
  samexporter: {
    encoderIn: [['image', F32, [1, 3, 1024, 1024]]],
    encoderOut: [
      ['high_res_feats_0', F32, [1, 32, 256, 256]],
      ['high_res_feats_1', F32, [1, 64, 128, 128]],
      ['image_embed', F32, [1, 256, 64, 64]],
    ],
    decoderIn: [
      ['image_embed', F32, [1, 256, 64, 64]],
      ['high_res_feats_0', F32, [1, 32, 256, 256]],
      ['high_res_feats_1', F32, [1, 64, 128, 128]],
      ['point_coords', F32, ['num_labels', 'num_points', 2]],
      ['point_labels', F32, ['num_labels', 'num_points']],
      ['mask_input', F32, ['num_labels', 1, 256, 256]],
      ['has_mask_input', F32, [1]],
    ],
    decoderOut: [
      ['masks', F32, ['num_labels', 3, 256, 256]],
      ['iou_predictions', F32, ['num_labels', 3]],
    ],
  },
  'onnx-community': {
    encoderIn: [['pixel_values', F32, [1, 3, 1024, 1024]]],
    encoderOut: [
      ['image_embeddings.0', F32, [1, 32, 256, 256]],
      ['image_embeddings.1', F32, [1, 64, 128, 128]],
      ['image_embeddings.2', F32, [1, 256, 64, 64]],
    ],
    decoderIn: [
      // point_batch is dynamic in the real export: a batch of prompt sets (shared/docs/sam2-onnx.md).
      ['input_points', F32, ['batch_size', 'point_batch_size', 'num_points', 2]],
      ['input_labels', 'int64', ['batch_size', 'point_batch_size', 'num_points']],
      ['input_boxes', F32, ['batch_size', 'num_boxes', 4]],
      ['image_embeddings.0', F32, ['batch_size', 32, 256, 256]],
      ['image_embeddings.1', F32, ['batch_size', 64, 128, 128]],
      ['image_embeddings.2', F32, ['batch_size', 256, 64, 64]],
    ],
    decoderOut: [
      ['iou_scores', F32, ['batch_size', 'point_batch_size', 3]],
      ['pred_masks', F32, ['batch_size', 'point_batch_size', 3, 256, 256]],
      ['object_score_logits', F32, ['batch_size', 'point_batch_size', 1]],
    ],
  },
} as const;

let tmpRoot: string;
const pairs: FixturePair[] = [];

beforeAll(async () => {
  ort = await import('onnxruntime-node');
  tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'sam2-fixture-'));
});

afterAll(async () => {
  await Promise.all(pairs.map((p) => p.release()));
  fs.rmSync(tmpRoot, { recursive: true, force: true });
});

async function makePair(family: FixtureFamily, opts: { encoderLayers?: number; origImSize?: boolean } = {}) {
  const dir = path.join(tmpRoot, `${family}-L${opts.encoderLayers ?? 0}${opts.origImSize ? '-orig' : ''}`);
  const pair = await FixturePair.create(family, dir, opts);
  pairs.push(pair);
  await pair.encode(discImage);
  return pair;
}

/**
 * Files of each FIXTURE, as in the real repos: onnx-community keeps its weights in external data beside
 * each graph (onnx-community/sam2.1-hiera-tiny-ONNX, per sam2-onnx.md); samexporter graphs are single files.
 */
const LAYOUT = {
  samexporter: ['encoder.onnx', 'decoder.onnx'],
  'onnx-community': [
    'onnx/vision_encoder.onnx',
    'onnx/prompt_encoder_mask_decoder.onnx',
    'onnx/vision_encoder.onnx_data',
    'onnx/prompt_encoder_mask_decoder.onnx_data',
  ],
} as const;

describe.each(['samexporter', 'onnx-community'] as const)('fixture model, family %s', (family) => {
  let pair: FixturePair;
  const centre: Point = [DISC.cx, DISC.cy, 1];

  beforeAll(async () => {
    pair = await makePair(family);
  });

  it('writes a manifest whose hashes match the files', () => {
    const { manifest } = pair;
    expect(manifest).toMatchObject({
      name: `sam2-FIXTURE-${family}`,
      family,
      variant: 'fixture',
      fixture: true,
      encoder: LAYOUT[family][0],
      decoder: LAYOUT[family][1],
      fixtureOptions: { encoderLayers: 0, origImSize: false },
    });
    const dir = path.join(tmpRoot, `${family}-L0`);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'))).toEqual(manifest);
    const onDisk = fs
      .readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && e.name !== 'model.json')
      .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
    expect(onDisk.sort()).toEqual([...LAYOUT[family]].sort());
    expect(Object.keys(manifest.sha256).sort()).toEqual([...LAYOUT[family]].sort());
    for (const file of LAYOUT[family]) {
      const hash = createHash('sha256')
        .update(fs.readFileSync(path.join(dir, ...file.split('/'))))
        .digest('hex');
      expect(manifest.sha256[file]).toBe(hash);
    }
  });

  it('has the exact input/output signature of the real export', () => {
    const expected = EXPECTED[family];
    expect(pair.encoder.inputNames).toEqual(expected.encoderIn.map((e) => e[0]));
    expect(pair.encoder.outputNames).toEqual(expected.encoderOut.map((e) => e[0]));
    expect(pair.decoder.inputNames).toEqual(expected.decoderIn.map((e) => e[0]));
    expect(pair.decoder.outputNames).toEqual(expected.decoderOut.map((e) => e[0]));
    expect(signature(pair.encoder, 'input')).toEqual(expected.encoderIn);
    expect(signature(pair.encoder, 'output')).toEqual(expected.encoderOut);
    expect(signature(pair.decoder, 'input')).toEqual(expected.decoderIn);
    expect(signature(pair.decoder, 'output')).toEqual(expected.decoderOut);
  });

  it('produces outputs of the declared shapes', async () => {
    const expected = EXPECTED[family];
    const features = await pair.encoder.run({
      [expected.encoderIn[0][0]]: new ort.Tensor('float32', discImage, [1, 3, 1024, 1024]),
    });
    for (const [name, , dims] of expected.encoderOut) expect(features[name].dims).toEqual(dims);
    const result = await pair.decode({ points: [centre] });
    expect(result.dims).toEqual(family === 'samexporter' ? [1, 3, 256, 256] : [1, 1, 3, 256, 256]);
    expect(result.iou).toEqual([0.8, 0.92, 0.7].map(Math.fround));
  });

  it('segments the disc from a positive click, best mask = index 1', async () => {
    const result = await pair.decode({ points: [centre] });
    expect(argmax(result.iou)).toBe(1);
    const best = discStats(result.masks[1]);
    expect(best.insideFraction).toBeGreaterThan(0.98);
    expect(best.coverage).toBeGreaterThan(0.9);
    // Small / medium / large: the masks grow with the mask index.
    const sizes = result.masks.map((m) => onCells(m).length);
    expect(sizes[0]).toBeLessThanOrEqual(sizes[1]);
    expect(sizes[1]).toBeLessThanOrEqual(sizes[2]);
    if (family === 'onnx-community') expect(result.objectScore).toBe(10);
  });

  it('a click on the background does not leak into the disc', async () => {
    const result = await pair.decode({ points: [[150, 150, 1]] });
    const on = onCells(result.masks[1]);
    expect(on.length).toBeGreaterThan(100);
    expect(on.every((i) => cellDist(i, DISC.cx, DISC.cy) > DISC.r - 3)).toBe(true);
  });

  it('a negative point carves a hole around itself', async () => {
    const neg: Point = [DISC.cx + 50, DISC.cy, 0];
    const result = await pair.decode({ points: [centre, neg] });
    const mask = result.masks[1];
    const on = onCells(mask);
    expect(on.some((i) => cellDist(i, neg[0], neg[1]) < 16)).toBe(false);
    // The rest of the disc survives: the opposite side is still segmented.
    expect(mask[Math.floor(DISC.cy / 4) * GRID + Math.floor((DISC.cx - 50) / 4)]).toBeGreaterThan(0);
    expect(discStats(mask).insideFraction).toBeGreaterThan(0.98);
  });

  it('a box-only prompt segments the similar region inside the box', async () => {
    const box: [number, number, number, number] = [DISC.cx - 120, DISC.cy - 120, DISC.cx + 30, DISC.cy + 120];
    const result = await pair.decode({ box });
    const on = onCells(result.masks[1]);
    const inBox = (i: number) => {
      const x = cellCentre(i % GRID);
      const y = cellCentre(Math.floor(i / GRID));
      return x > box[0] && x < box[2] && y > box[1] && y < box[3];
    };
    expect(on.length).toBeGreaterThan(500);
    expect(on.every(inBox)).toBe(true);
    expect(discStats(result.masks[1]).insideFraction).toBeGreaterThan(0.98);
    if (family === 'onnx-community') expect(result.objectScore).toBe(10);
  });

  it('a box limits the mask of a positive click', async () => {
    const box: [number, number, number, number] = [DISC.cx - 40, DISC.cy - 200, DISC.cx + 200, DISC.cy + 200];
    const result = await pair.decode({ points: [centre], box });
    const on = onCells(result.masks[1]);
    expect(on.length).toBeGreaterThan(300);
    expect(on.every((i) => cellCentre(i % GRID) > box[0])).toBe(true);
  });

  it('no prompt gives empty masks', async () => {
    const result = await pair.decode({});
    for (const mask of result.masks) expect(onCells(mask)).toHaveLength(0);
    if (family === 'onnx-community') expect(result.objectScore).toBe(-10);
  });

  it('padding points are ignored', async () => {
    const padLabel = family === 'samexporter' ? -1 : -10;
    const plain = await pair.decode({ points: [centre] });
    const padded = await pair.decode({ points: [centre, [DISC.cx + 60, DISC.cy, padLabel]] });
    expect(Array.from(padded.masks[1])).toEqual(Array.from(plain.masks[1]));
  });
});

describe('fixture model options', () => {
  it('orig_im_size resizes samexporter masks to the requested size, same placement', async () => {
    const pair = await makePair('samexporter', { origImSize: true });
    expect(pair.decoder.inputNames).toContain('orig_im_size');
    const orig = pair.decoder.inputMetadata.find((m) => m.name === 'orig_im_size');
    expect(orig).toMatchObject({ isTensor: true, type: 'int32', shape: [2] });
    expect(signature(pair.decoder, 'output')[0]).toEqual([
      'masks',
      F32,
      ['num_labels', 3, 'orig_height', 'orig_width'],
    ]);

    const [h, w] = [300, 500];
    const result = await pair.decode({ points: [[DISC.cx, DISC.cy, 1]] }, [h, w]);
    expect(result.dims).toEqual([1, 3, h, w]);
    const mask = result.masks[1];
    const at = (x: number, y: number) => mask[Math.floor((y * h) / 1024) * w + Math.floor((x * w) / 1024)];
    expect(at(DISC.cx, DISC.cy)).toBeGreaterThan(0);
    expect(at(DISC.cx + DISC.r + 40, DISC.cy)).toBeLessThan(0);
    expect(at(100, 100)).toBeLessThan(0);
  });

  it('encoderLayers only adds encoder cost: decoder results are unchanged', async () => {
    const base = await makePair('onnx-community');
    const heavy = await makePair('onnx-community', { encoderLayers: 3 });
    expect(heavy.manifest.name).toBe('sam2-FIXTURE-onnx-community-L3');
    expect(heavy.manifest.fixtureOptions.encoderLayers).toBe(3);
    expect(signature(heavy.encoder, 'output')).toEqual(signature(base.encoder, 'output'));
    const prompts: Prompt[] = [{ points: [[DISC.cx, DISC.cy, 1]] }, { box: [400, 300, 620, 600] }];
    for (const prompt of prompts) {
      const a = await base.decode(prompt);
      const b = await heavy.decode(prompt);
      expect(b.masks.map(onCells)).toEqual(a.masks.map(onCells));
    }
  });

  it('samexporter handles N > 1 independent prompt sets in one run', async () => {
    const pair = await makePair('samexporter');
    const feeds = (await pair.encoder.run({
      image: new ort.Tensor('float32', discImage, [1, 3, 1024, 1024]),
    })) as Record<string, Ort.Tensor>;
    // Set 0: click in the disc; set 1: padding only (empty). Same P = 2 for both.
    const out = await pair.decoder.run({
      ...feeds,
      point_coords: new ort.Tensor(
        'float32',
        Float32Array.from([DISC.cx, DISC.cy, 0, 0, 0, 0, 0, 0]),
        [2, 2, 2],
      ),
      point_labels: new ort.Tensor('float32', Float32Array.from([1, -1, -1, -1]), [2, 2]),
      mask_input: new ort.Tensor('float32', new Float32Array(2 * CELLS), [2, 1, GRID, GRID]),
      has_mask_input: new ort.Tensor('float32', new Float32Array(1), [1]),
    });
    expect(out.masks.dims).toEqual([2, 3, 256, 256]);
    expect(out.iou_predictions.dims).toEqual([2, 3]);
    const data = out.masks.data as Float32Array;
    expect(discStats(data.subarray(CELLS, 2 * CELLS)).coverage).toBeGreaterThan(0.9);
    expect(onCells(data.subarray(4 * CELLS, 5 * CELLS))).toHaveLength(0);
  });
});
