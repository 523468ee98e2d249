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
 */
export function logitsToRle(
  planes: LogitPlanes,
  index: number,
  outHeight: number,
  outWidth: number,
): EncodedMask {
  const { data, height, width } = planes;
  const offset = index * height * width;
  const xs = samplingTable(width, outWidth);
  const ys = samplingTable(height, outHeight);
  const column = new Float32Array(height);
  const counts: number[] = [];
  let current = 0;
  let run = 0;
  let area = 0;
  let x0 = outWidth;
  let x1 = -1;
  let y0 = outHeight;
  let y1 = -1;
  for (let x = 0; x < outWidth; x++) {
    const a = offset + xs.i0[x];
    const b = offset + xs.i1[x];
    const fx = xs.f[x];
    for (let r = 0; r < height; r++) {
      const row = r * width;
      column[r] = data[a + row] + (data[b + row] - data[a + row]) * fx;
    }
    for (let y = 0; y < outHeight; y++) {
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
  }
  counts.push(run);
  return { rle: { size: [outHeight, outWidth], counts }, area, bbox: area > 0 ? [x0, y0, x1, y1] : null };
}
