/** Mask logits as the decoder returns them: `count` planes of height × width, row-major. */
export interface LogitPlanes {
  data: Float32Array;
  count: number;
  height: number;
  width: number;
}

/** Bilinear upsampling of one logit plane to the slice size, thresholded at 0 into a 0/1 mask. */
export function logitsToMask(
  planes: LogitPlanes,
  index: number,
  outHeight: number,
  outWidth: number,
): Uint8Array {
  const { data, height, width } = planes;
  const offset = index * height * width;
  const mask = new Uint8Array(outHeight * outWidth);
  if (height === outHeight && width === outWidth) {
    for (let i = 0; i < mask.length; i++) mask[i] = data[offset + i] > 0 ? 1 : 0;
    return mask;
  }
  const sx = width / outWidth;
  const sy = height / outHeight;
  const x0s = new Int32Array(outWidth);
  const x1s = new Int32Array(outWidth);
  const fxs = new Float32Array(outWidth);
  for (let x = 0; x < outWidth; x++) {
    const src = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), width - 1);
    x0s[x] = Math.floor(src);
    x1s[x] = Math.min(x0s[x] + 1, width - 1);
    fxs[x] = src - x0s[x];
  }
  for (let y = 0; y < outHeight; y++) {
    const srcY = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), height - 1);
    const y0 = Math.floor(srcY);
    const y1 = Math.min(y0 + 1, height - 1);
    const fy = srcY - y0;
    const row0 = offset + y0 * width;
    const row1 = offset + y1 * width;
    const outRow = y * outWidth;
    for (let x = 0; x < outWidth; x++) {
      const fx = fxs[x];
      const top = data[row0 + x0s[x]] * (1 - fx) + data[row0 + x1s[x]] * fx;
      const bottom = data[row1 + x0s[x]] * (1 - fx) + data[row1 + x1s[x]] * fx;
      mask[outRow + x] = top * (1 - fy) + bottom * fy > 0 ? 1 : 0;
    }
  }
  return mask;
}

export interface MaskStats {
  area: number;
  /** [x0, y0, x1, y1]: first and last mask column / row (inclusive); null for an empty mask. */
  bbox: [number, number, number, number] | null;
}

export function maskStats(mask: Uint8Array, height: number, width: number): MaskStats {
  let area = 0;
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      if (mask[row + x]) {
        area++;
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  return { area, bbox: area > 0 ? [x0, y0, x1, y1] : null };
}

/**
 * SAM's stability score: IoU between the mask thresholded at +offset and at -offset. A mask whose
 * outline moves a lot when the threshold moves is unreliable.
 */
export function stabilityScore(planes: LogitPlanes, index: number, offset = 1): number {
  const size = planes.height * planes.width;
  const start = index * size;
  let inner = 0;
  let outer = 0;
  for (let i = start; i < start + size; i++) {
    const v = planes.data[i];
    if (v > offset) inner++;
    if (v > -offset) outer++;
  }
  return outer === 0 ? 0 : inner / outer;
}

/** Intersection over union of two 0/1 masks of the same size. */
export function maskIou(a: Uint8Array, b: Uint8Array): number {
  let intersection = 0;
  let union = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x && y) intersection++;
    if (x || y) union++;
  }
  return union === 0 ? 0 : intersection / union;
}
