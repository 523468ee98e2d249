/** Mask logits as the decoder returns them: `count` planes of height × width, row-major. */
export interface LogitPlanes {
  data: Float32Array;
  count: number;
  height: number;
  width: number;
}

export interface MaskStats {
  area: number;
  /** [x0, y0, x1, y1]: first and last mask column / row (inclusive); null for an empty mask. */
  bbox: [number, number, number, number] | null;
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
