import { InferenceSession, type Tensor } from 'onnxruntime-node';
import { detectAdapter } from '../../src/model/adapters/detectAdapter';
import type { Feeds } from '../../src/model/adapters/modelAdapter';
import { resolveModelFiles } from '../../src/model/modelFiles';
import type { Prompts } from '../../src/model/types';
import { type FixtureName, fixtureModelDir } from '../helpers/fixtureModels';

/**
 * The exact prompt tensors each export family receives, written out by hand from the exporters'
 * conventions (docs: /work/shared/docs/sam2-onnx.md), not computed by the adapters' code:
 *   samexporter SAM2 graph: appends its own padding point, so the caller sends none;
 *   SAM1-style graph (declares orig_im_size): the caller appends (0,0) labelled -1 to a click-only prompt;
 *   onnx-community: int64 labels, boxes in their own input.
 */
const slice = { height: 64, width: 64 };
const cases: Record<string, Prompts> = {
  'one click': { points: [{ x: 10, y: 20, label: 1 }] },
  'click + negative click': {
    points: [
      { x: 10, y: 20, label: 1 },
      { x: 30, y: 40, label: 0 },
    ],
  },
  box: { points: [], box: [1, 2, 300, 400] },
  'box + click': { points: [{ x: 10, y: 20, label: 1 }], box: [1, 2, 300, 400] },
};

interface Expected {
  [input: string]: { type: Tensor.Type; dims: number[]; data: number[] };
}

const samexporterSam2: Record<string, Expected> = {
  'one click': {
    point_coords: { type: 'float32', dims: [1, 1, 2], data: [10, 20] },
    point_labels: { type: 'float32', dims: [1, 1], data: [1] },
  },
  'click + negative click': {
    point_coords: { type: 'float32', dims: [1, 2, 2], data: [10, 20, 30, 40] },
    point_labels: { type: 'float32', dims: [1, 2], data: [1, 0] },
  },
  box: {
    point_coords: { type: 'float32', dims: [1, 2, 2], data: [1, 2, 300, 400] },
    point_labels: { type: 'float32', dims: [1, 2], data: [2, 3] },
  },
  'box + click': {
    point_coords: { type: 'float32', dims: [1, 3, 2], data: [10, 20, 1, 2, 300, 400] },
    point_labels: { type: 'float32', dims: [1, 3], data: [1, 2, 3] },
  },
};

const sam1Style: Record<string, Expected> = {
  'one click': {
    point_coords: { type: 'float32', dims: [1, 2, 2], data: [10, 20, 0, 0] },
    point_labels: { type: 'float32', dims: [1, 2], data: [1, -1] },
    orig_im_size: { type: 'int32', dims: [2], data: [64, 64] },
  },
  'click + negative click': {
    point_coords: { type: 'float32', dims: [1, 3, 2], data: [10, 20, 30, 40, 0, 0] },
    point_labels: { type: 'float32', dims: [1, 3], data: [1, 0, -1] },
    orig_im_size: { type: 'int32', dims: [2], data: [64, 64] },
  },
  box: {
    point_coords: { type: 'float32', dims: [1, 2, 2], data: [1, 2, 300, 400] },
    point_labels: { type: 'float32', dims: [1, 2], data: [2, 3] },
    orig_im_size: { type: 'int32', dims: [2], data: [64, 64] },
  },
  'box + click': {
    point_coords: { type: 'float32', dims: [1, 3, 2], data: [10, 20, 1, 2, 300, 400] },
    point_labels: { type: 'float32', dims: [1, 3], data: [1, 2, 3] },
    orig_im_size: { type: 'int32', dims: [2], data: [64, 64] },
  },
};

const noBox = { type: 'float32' as const, dims: [1, 0, 4], data: [] };
const onnxCommunity: Record<string, Expected> = {
  'one click': {
    input_points: { type: 'float32', dims: [1, 1, 1, 2], data: [10, 20] },
    input_labels: { type: 'int64', dims: [1, 1, 1], data: [1] },
    input_boxes: noBox,
  },
  'click + negative click': {
    input_points: { type: 'float32', dims: [1, 1, 2, 2], data: [10, 20, 30, 40] },
    input_labels: { type: 'int64', dims: [1, 1, 2], data: [1, 0] },
    input_boxes: noBox,
  },
  box: {
    input_points: { type: 'float32', dims: [1, 1, 0, 2], data: [] },
    input_labels: { type: 'int64', dims: [1, 1, 0], data: [] },
    input_boxes: { type: 'float32', dims: [1, 1, 4], data: [1, 2, 300, 400] },
  },
  'box + click': {
    input_points: { type: 'float32', dims: [1, 1, 1, 2], data: [10, 20] },
    input_labels: { type: 'int64', dims: [1, 1, 1], data: [1] },
    input_boxes: { type: 'float32', dims: [1, 1, 4], data: [1, 2, 300, 400] },
  },
};

const families: [FixtureName, Record<string, Expected>, string[]][] = [
  ['samexporter', samexporterSam2, ['mask_input', 'has_mask_input']],
  ['samexporter-origsize', sam1Style, ['mask_input', 'has_mask_input']],
  ['onnx-community', onnxCommunity, []],
];

function plain(tensor: Tensor): { type: Tensor.Type; dims: number[]; data: number[] } {
  return {
    type: tensor.type,
    dims: [...tensor.dims],
    data: Array.from(tensor.data as ArrayLike<number | bigint>, Number),
  };
}

describe.each(families)('decoder inputs for the %s FIXTURE export', (name, expected, maskInputs) => {
  let feedsFor: (prompts: Prompts) => Feeds;
  let decoder: InferenceSession;
  let embeddings: Feeds;
  beforeAll(async () => {
    const files = await resolveModelFiles(fixtureModelDir(name));
    const encoder = await InferenceSession.create(files.encoderPath);
    decoder = await InferenceSession.create(files.decoderPath);
    const adapter = detectAdapter(encoder, decoder);
    const { Tensor } = await import('onnxruntime-node');
    const image = new Tensor('float32', new Float32Array(3 * 1024 * 1024), [1, 3, 1024, 1024]);
    const outputs = await encoder.run({ [adapter.encoderInput]: image });
    embeddings = Object.fromEntries(adapter.embeddingNames.map((n) => [n, outputs[n] as Tensor]));
    feedsFor = (prompts) => adapter.decoderFeeds(embeddings, prompts, slice);
  });

  it.each(Object.keys(cases))('%s: exact prompt tensors, accepted by the real decoder', async (label) => {
    const feeds = feedsFor(cases[label]);
    const promptInputs = Object.keys(feeds).filter((k) => !(k in embeddings) && !maskInputs.includes(k));
    expect(promptInputs.sort()).toEqual(Object.keys(expected[label]).sort());
    for (const [input, want] of Object.entries(expected[label])) {
      expect([input, plain(feeds[input])]).toEqual([input, want]);
    }
    if (maskInputs.length > 0) {
      expect(plain(feeds.has_mask_input)).toEqual({ type: 'float32', dims: [1], data: [0] });
      expect(feeds.mask_input.dims).toEqual([1, 1, 256, 256]);
      expect((feeds.mask_input.data as Float32Array).every((v) => v === 0)).toBe(true);
    }
    const outputs = await decoder.run(feeds);
    expect(Object.keys(outputs).length).toBeGreaterThanOrEqual(2);
  });
});
