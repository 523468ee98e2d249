import { logitsToRle } from '../../src/mask/logitsToRle';
import { type LogitPlanes, stabilityScore } from '../../src/mask/maskOps';
import { decodeRle, encodeRle, rleArea, rleIou } from '../../src/mask/rle';
import { toModelPrompts } from '../../src/model/promptScaling';
import { bodyGridPoints, selectMasks, toCandidate } from '../../src/inference/automaticMasks';

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
  /** Straightforward per-pixel bilinear upsampling + threshold, the reference for the fused encoder. */
  function referenceMask(planes: LogitPlanes, index: number, outH: number, outW: number): Uint8Array {
    const { data, height, width } = planes;
    const at = (r: number, c: number) => data[index * height * width + r * width + c];
    const mask = new Uint8Array(outH * outW);
    for (let y = 0; y < outH; y++) {
      const sy = Math.min(Math.max((y + 0.5) * (height / outH) - 0.5, 0), height - 1);
      const r0 = Math.floor(sy);
      const r1 = Math.min(r0 + 1, height - 1);
      for (let x = 0; x < outW; x++) {
        const sx = Math.min(Math.max((x + 0.5) * (width / outW) - 0.5, 0), width - 1);
        const c0 = Math.floor(sx);
        const c1 = Math.min(c0 + 1, width - 1);
        const fx = sx - c0;
        const fy = sy - r0;
        const top = at(r0, c0) * (1 - fx) + at(r0, c1) * fx;
        const bottom = at(r1, c0) * (1 - fx) + at(r1, c1) * fx;
        mask[y * outW + x] = top * (1 - fy) + bottom * fy > 0 ? 1 : 0;
      }
    }
    return mask;
  }

  it('upsamples logits bilinearly, thresholds at 0 and run-length encodes in one pass', () => {
    // 2×2 logits, left column positive → left half of an 8×8 mask.
    const planes = { data: Float32Array.from([5, -5, 5, -5]), count: 1, height: 2, width: 2 };
    const encoded = logitsToRle(planes, 0, 8, 8);
    const mask = decodeRle(encoded.rle);
    for (let y = 0; y < 8; y++)
      expect([...mask.subarray(y * 8, y * 8 + 8)]).toEqual([1, 1, 1, 1, 0, 0, 0, 0]);
    expect(encoded).toMatchObject({ area: 32, bbox: [0, 0, 3, 7] });
  });

  it('matches the per-pixel reference for odd sizes and any plane', () => {
    const data = Float32Array.from(
      { length: 3 * 37 * 23 },
      (_, i) => Math.sin(i * 0.37) * 4 + Math.cos(i * 0.011),
    );
    const planes = { data, count: 3, height: 37, width: 23 };
    for (const [index, h, w] of [
      [0, 100, 61],
      [2, 512, 512],
      [1, 37, 23],
    ]) {
      const reference = referenceMask(planes, index, h, w);
      const encoded = logitsToRle(planes, index, h, w);
      expect(decodeRle(encoded.rle)).toEqual(reference);
      expect(encoded.area).toBe(reference.reduce((a, b) => a + b, 0));
    }
  });

  it('matches the per-pixel reference for a small mask, at the edges, and when downsampled', () => {
    // Negative logits with a positive blob (as a click's mask is): the pass skips the background.
    const side = 256;
    const blob = (cx: number, cy: number, radius: number) =>
      Float32Array.from({ length: side * side }, (_, i) => {
        const dx = (i % side) - cx;
        const dy = Math.floor(i / side) - cy;
        return radius - Math.sqrt(dx * dx + dy * dy) + 0.25 * Math.sin(i);
      });
    for (const [cx, cy, radius] of [
      [120, 90, 20],
      [0, 0, 6], // corner
      [255, 128, 3], // right edge
      [100, 200, 0.6], // a single positive logit
    ]) {
      const planes = { data: blob(cx, cy, radius), count: 1, height: side, width: side };
      for (const [h, w] of [
        [512, 512],
        [512, 300],
        [100, 61],
      ]) {
        const reference = referenceMask(planes, 0, h, w);
        const encoded = logitsToRle(planes, 0, h, w);
        // Index of the first differing pixel (-1: none); jest's deep equality is slow on 512² arrays.
        const decoded = decodeRle(encoded.rle);
        expect(decoded.findIndex((v, i) => v !== reference[i])).toBe(-1);
        expect(encoded.rle.counts.reduce((sum, c) => sum + c, 0)).toBe(h * w);
        expect(encoded.area).toBe(reference.reduce((sum, v) => sum + v, 0));
      }
    }
  });

  it('writes the canonical runs (as encodeRle of the reference), also for a mask spanning every row', () => {
    // A band of columns positive from top to bottom: each column's foreground continues the previous
    // one's run, with no empty background run between them.
    const side = 64;
    const band = Float32Array.from({ length: side * side }, (_, i) =>
      i % side >= 20 && i % side < 40 ? 1 : -1,
    );
    const planes = { data: band, count: 1, height: side, width: side };
    for (const [h, w] of [
      [128, 128],
      [64, 96],
    ]) {
      const encoded = logitsToRle(planes, 0, h, w);
      expect(encoded.rle.counts).toEqual(encodeRle(referenceMask(planes, 0, h, w), h, w).counts);
    }
  });

  it('reports an empty mask with area 0 and bbox null', () => {
    const planes = { data: new Float32Array(4).fill(-1), count: 1, height: 2, width: 2 };
    expect(logitsToRle(planes, 0, 4, 4)).toEqual({
      rle: { size: [4, 4], counts: [16] },
      area: 0,
      bbox: null,
    });
  });

  it('stability = IoU of the mask at +1 and -1 thresholds', () => {
    const planes = { data: Float32Array.from([3, 0.5, -0.5, -3]), count: 1, height: 2, width: 2 };
    expect(stabilityScore(planes, 0)).toBeCloseTo(1 / 3, 6);
  });

  it('mask IoU from RLE runs equals the per-pixel IoU', () => {
    const rle = (bits: number[], h: number, w: number) => encodeRle(Uint8Array.from(bits), h, w);
    expect(rleIou(rle([1, 1, 0, 0], 2, 2), rle([0, 1, 1, 0], 2, 2))).toBeCloseTo(1 / 3);
    expect(rleIou(rle([0, 0, 0], 1, 3), rle([0, 0, 0], 1, 3))).toBe(0);
    expect(() => rleIou(rle([1], 1, 1), rle([1, 1], 1, 2))).toThrow(/sizes differ/);
    let seed = 7;
    const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31 < 0.5 ? 1 : 0);
    for (let t = 0; t < 20; t++) {
      const [h, w] = [3 + (t % 5), 4 + (t % 7)];
      const a = Array.from({ length: h * w }, random);
      const b = Array.from({ length: h * w }, random);
      let inter = 0;
      let union = 0;
      a.forEach((v, i) => {
        inter += v & b[i];
        union += v | b[i];
      });
      expect(rleIou(rle(a, h, w), rle(b, h, w))).toBeCloseTo(union ? inter / union : 0, 12);
      expect(rleArea(rle(a, h, w))).toBe(a.reduce((s, v) => s + v, 0));
    }
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
    expect([...best.logits.data]).toEqual([5, 5, -5, -5]);
  });

  it('suppresses duplicates by mask IoU and keeps the top maxMasks', () => {
    const a = toCandidate(result([5, 5, 5, -5], [0.9]), options)!;
    const aDuplicate = toCandidate(result([5, 5, 5, 5], [0.8]), options)!;
    const b = toCandidate(result([-5, -5, -5, 5], [0.7]), options)!;
    const c = toCandidate(result([5, -5, -5, -5], [0.6]), options)!;
    const kept = selectMasks([c, aDuplicate, b, a], 1, 4, options);
    expect(kept.map((k) => k.score)).toEqual([a.score, b.score]);
    expect(kept.map((k) => decodeRle(k.rle).join(''))).toEqual(['1110', '0001']);
  });

  it('filters at the returned size: masks distinct at decoder size but equal or empty when resampled', () => {
    const wide = { ...options, maxMasks: 5 };
    // Decoder-size 1×8 logits resampled to a 1×2 slice: output pixel centres sample decoder x = 1.5 and 5.5.
    const left = toCandidate(result([5, 5, 5, 5, -5, -5, -5, -5], [0.9]), wide)!;
    const leftWider = toCandidate(result([5, 5, 5, 5, 5, -5, -5, -5], [0.8]), wide)!; // IoU 4/5 at decoder size
    const edgeOnly = toCandidate(result([-5, -5, -5, -5, -5, -5, -5, 5], [0.95]), wide)!; // not sampled
    expect([left, leftWider, edgeOnly].every(Boolean)).toBe(true);
    const kept = selectMasks([left, leftWider, edgeOnly], 1, 2, { ...wide, nmsIou: 0.9 });
    // At 1×2 both "left" masks are [1, 0] (IoU 1.0): one is kept; the edge mask is empty there: dropped.
    expect(kept).toHaveLength(1);
    expect(kept[0].score).toBeCloseTo(0.9);
    expect(decodeRle(kept[0].rle)).toEqual(Uint8Array.from([1, 0]));
    expect(kept[0].area).toBe(1);
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
