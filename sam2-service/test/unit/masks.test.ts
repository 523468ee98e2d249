import { logitsToMask, maskIou, maskStats, stabilityScore } from '../../src/mask/maskOps';
import { decodeRle, encodeRle } from '../../src/mask/rle';
import { toModelPrompts } from '../../src/model/promptScaling';
import { bodyGridPoints, suppressDuplicates, toCandidate } from '../../src/inference/automaticMasks';

describe('COCO RLE (uncompressed, column-major, zeros first)', () => {
  it('encodes column-major with a leading zero run', () => {
    // 2 rows × 3 columns, row-major [[0,1,1],[0,0,1]]; column-major order reads 0,0 | 1,0 | 1,1.
    const mask = Uint8Array.from([0, 1, 1, 0, 0, 1]);
    expect(encodeRle(mask, 2, 3)).toEqual({ size: [2, 3], counts: [2, 1, 1, 2] });
  });

  it('starts with a zero-length run when the first pixel is set', () => {
    expect(encodeRle(Uint8Array.from([1, 1, 0, 0]), 2, 2).counts).toEqual([0, 1, 1, 1, 1]);
  });

  it('round-trips random masks of odd sizes', () => {
    for (const [h, w] of [
      [1, 1],
      [7, 13],
      [64, 33],
    ]) {
      const mask = Uint8Array.from({ length: h * w }, (_, i) => ((i * 2654435761) >>> 7) & 1);
      const rle = encodeRle(mask, h, w);
      expect(rle.counts.reduce((a, b) => a + b, 0)).toBe(h * w);
      expect(decodeRle(rle)).toEqual(mask);
    }
  });

  it('rejects counts that do not cover the image', () => {
    expect(() => decodeRle({ size: [2, 2], counts: [1, 1] })).toThrow(/sum to 2, expected 4/);
  });
});

describe('mask post-processing', () => {
  it('upsamples logits bilinearly and thresholds at 0', () => {
    // 2×2 logits, left column positive → left half of an 8×8 mask.
    const planes = { data: Float32Array.from([5, -5, 5, -5]), count: 1, height: 2, width: 2 };
    const mask = logitsToMask(planes, 0, 8, 8);
    for (let y = 0; y < 8; y++)
      expect([...mask.subarray(y * 8, y * 8 + 8)]).toEqual([1, 1, 1, 1, 0, 0, 0, 0]);
  });

  it('picks the requested plane of several', () => {
    const planes = { data: Float32Array.from([-1, -1, -1, -1, 1, 1, 1, 1]), count: 2, height: 2, width: 2 };
    expect([...logitsToMask(planes, 0, 2, 2)]).toEqual([0, 0, 0, 0]);
    expect([...logitsToMask(planes, 1, 2, 2)]).toEqual([1, 1, 1, 1]);
  });

  it('computes area and inclusive bbox, null for an empty mask', () => {
    const mask = new Uint8Array(5 * 4);
    mask[1 * 5 + 2] = 1;
    mask[3 * 5 + 4] = 1;
    expect(maskStats(mask, 4, 5)).toEqual({ area: 2, bbox: [2, 1, 4, 3] });
    expect(maskStats(new Uint8Array(4), 2, 2)).toEqual({ area: 0, bbox: null });
  });

  it('stability = IoU of the mask at +1 and -1 thresholds', () => {
    const planes = { data: Float32Array.from([3, 0.5, -0.5, -3]), count: 1, height: 2, width: 2 };
    expect(stabilityScore(planes, 0)).toBeCloseTo(1 / 3, 6);
  });

  it('mask IoU', () => {
    expect(maskIou(Uint8Array.from([1, 1, 0, 0]), Uint8Array.from([0, 1, 1, 0]))).toBeCloseTo(1 / 3);
    expect(maskIou(new Uint8Array(3), new Uint8Array(3))).toBe(0);
  });
});

describe('prompt scaling', () => {
  it('maps slice pixels to the 1024² model input per axis', () => {
    const scaled = toModelPrompts(
      { points: [{ x: 256, y: 100, label: 1 }], box: [0, 0, 512, 200] },
      512,
      200,
    );
    expect(scaled.points[0]).toEqual({ x: 512, y: 512, label: 1 });
    expect(scaled.box).toEqual([0, 0, 1024, 1024]);
  });
});

describe('automatic mode selection', () => {
  const options = { maxMasks: 2, minPredictedIou: 0.5, minStability: 0.5, nmsIou: 0.5 };
  const result = (values: number[], scores: number[]) => ({
    logits: {
      data: Float32Array.from(values),
      count: scores.length,
      height: 1,
      width: values.length / scores.length,
    },
    scores: Float32Array.from(scores),
  });

  it('keeps the best candidate by predicted IoU, dropping low-IoU, unstable and empty ones', () => {
    expect(toCandidate(result([5, 5, -5, -5], [0.9]), options)?.score).toBeCloseTo(0.9);
    expect(toCandidate(result([5, 5, -5, -5], [0.3]), options)).toBeNull();
    expect(toCandidate(result([0.5, 0.5, 0.5, 5], [0.9]), options)).toBeNull(); // stability 1/4
    expect(toCandidate(result([-5, -5, -5, -5], [0.9]), options)).toBeNull();
    const best = toCandidate(result([-5, -5, 5, 5, 5, 5, -5, -5], [0.6, 0.95]), options)!;
    expect([...best.binary]).toEqual([1, 1, 0, 0]);
  });

  it('suppresses duplicates by mask IoU and keeps the top maxMasks', () => {
    const a = toCandidate(result([5, 5, 5, -5], [0.9]), options)!;
    const aDuplicate = toCandidate(result([5, 5, 5, 5], [0.8]), options)!;
    const b = toCandidate(result([-5, -5, -5, 5], [0.7]), options)!;
    const c = toCandidate(result([5, -5, -5, -5], [0.6]), options)!;
    const kept = suppressDuplicates([c, aDuplicate, b, a], options);
    expect(kept.map((k) => k.score)).toEqual([a.score, b.score]);
  });

  it('places grid points only inside the body', () => {
    const width = 8;
    const height = 8;
    const body = new Uint8Array(64);
    for (let y = 0; y < 4; y++) for (let x = 0; x < 8; x++) body[y * 8 + x] = 1;
    const points = bodyGridPoints(body, width, height, 4);
    expect(points).toHaveLength(8);
    expect(points.every((p) => p.y < 4 && p.label === 1)).toBe(true);
  });
});
