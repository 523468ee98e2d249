import type { LogitPlanes, MaskStats } from './maskOps';
import type { Rle } from './rle';

export interface EncodedMask extends MaskStats {
  rle: Rle;
}

/** Source index pairs and weights for bilinear sampling with aligned pixel centres. */
function samplingTable(inSize: number, outSize: number) {
  const i0 = new Int32Array(outSize);
  const i1 = new Int32Array(outSize);
  const f = new Float32Array(outSize);
  const scale = inSize / outSize;
  for (let o = 0; o < outSize; o++) {
    const src = Math.min(Math.max((o + 0.5) * scale - 0.5, 0), inSize - 1);
    i0[o] = Math.floor(src);
    i1[o] = Math.min(i0[o] + 1, inSize - 1);
    f[o] = src - i0[o];
  }
  return { i0, i1, f };
}

/**
 * One mask candidate's logits → COCO RLE, area and bbox at the slice size, in a single column-major pass:
 * bilinear upsampling (separable: one column interpolated horizontally, then each output pixel vertically),
 * threshold at 0, run-length encoding. The full-size mask is never materialised; this runs on every click.
 * An output pixel is a convex combination of its 4 nearest logits, so it can be positive only where one
 * of them is: outside the output rows and columns that sample the logits' positive box nothing is
 * interpolated (a mask of a tenth of the slice costs about a tenth of the full pass).
 */
export function logitsToRle(
  planes: LogitPlanes,
  index: number,
  outHeight: number,
  outWidth: number,
): EncodedMask {
  const { data, height, width } = planes;
  const offset = index * height * width;
  const size: [number, number] = [outHeight, outWidth];
  const box = positiveBox(data, offset, height, width);
  if (!box) return { rle: { size, counts: [outHeight * outWidth] }, area: 0, bbox: null };
  const xs = samplingTable(width, outWidth);
  const ys = samplingTable(height, outHeight);
  const [xFrom, xTo] = sampledRange(xs, box.c0, box.c1);
  const [yFrom, yTo] = sampledRange(ys, box.r0, box.r1);
  // Logit rows the output rows yFrom..yTo read.
  const rFrom = ys.i0[yFrom];
  const rTo = ys.i1[yTo];
  const column = new Float32Array(height);
  const counts: number[] = [];
  let current = 0;
  let run = xFrom * outHeight; // the columns before xFrom are all background
  let area = 0;
  let x0 = outWidth;
  let x1 = -1;
  let y0 = outHeight;
  let y1 = -1;
  /** Appends `n` background pixels (none: nothing, so no empty run splits a foreground run). */
  const background = (n: number) => {
    if (n === 0) return;
    if (current !== 0) {
      counts.push(run);
      run = 0;
      current = 0;
    }
    run += n;
  };
  for (let x = xFrom; x <= xTo; x++) {
    const a = offset + xs.i0[x];
    const b = offset + xs.i1[x];
    const fx = xs.f[x];
    for (let r = rFrom; r <= rTo; r++) {
      const row = r * width;
      column[r] = data[a + row] + (data[b + row] - data[a + row]) * fx;
    }
    // Rows above yFrom (and, below, after yTo) are background: one run step each.
    background(yFrom);
    for (let y = yFrom; y <= yTo; y++) {
      const top = column[ys.i0[y]];
      const value = top + (column[ys.i1[y]] - top) * ys.f[y] > 0 ? 1 : 0;
      if (value !== current) {
        counts.push(run);
        run = 0;
        current = value;
      }
      run++;
      if (value) {
        area++;
        if (x < x0) x0 = x;
        x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
    background(outHeight - 1 - yTo);
  }
  background((outWidth - 1 - xTo) * outHeight);
  counts.push(run);
  return { rle: { size, counts }, area, bbox: area > 0 ? [x0, y0, x1, y1] : null };
}

/** Rows r0..r1 and columns c0..c1 holding every positive logit of the plane; undefined when none is. */
function positiveBox(data: Float32Array, offset: number, height: number, width: number) {
  let r0 = height;
  let r1 = -1;
  let c0 = width;
  let c1 = -1;
  for (let r = 0; r < height; r++) {
    const row = offset + r * width;
    for (let c = 0; c < width; c++) {
      if (data[row + c] > 0) {
        if (r < r0) r0 = r;
        r1 = r;
        if (c < c0) c0 = c;
        if (c > c1) c1 = c;
      }
    }
  }
  return r1 < 0 ? undefined : { r0, r1, c0, c1 };
}

/** Output indices (first, last) whose two samples are not both outside lo..hi (i0 ≤ i1, both rising). */
function sampledRange(table: { i0: Int32Array; i1: Int32Array }, lo: number, hi: number): [number, number] {
  let from = 0;
  while (table.i1[from] < lo) from++;
  let to = table.i0.length - 1;
  while (table.i0[to] > hi) to--;
  return [from, to];
}
