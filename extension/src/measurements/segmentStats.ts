/**
 * Body-composition figures of one segment on one slice: cross-sectional area, voxel count, mean and
 * standard deviation of attenuation. Pure: typed arrays in, numbers out.
 */
import type { HuRange } from '../tissue/huRange';

/** DICOM Pixel Spacing (0028,0030): [row spacing, column spacing] in mm (PS3.3 C.7.6.2.1.1). */
export interface PixelSpacing {
  /** Distance between the centres of adjacent rows (vertical), mm. */
  rowMm: number;
  /** Distance between the centres of adjacent columns (horizontal), mm. */
  columnMm: number;
}

export interface SegmentStatsInput {
  /** Labelmap slice: one segment index per voxel, row-major. */
  labelmap: ArrayLike<number>;
  segmentIndex: number;
  /** Modality values (HU) of the same slice, same order and length. */
  hu: ArrayLike<number>;
  pixelSpacing: PixelSpacing;
  /** When set, only voxels with min ≤ HU ≤ max count (tissue contexts). */
  huRange?: HuRange;
}

export interface SegmentStats {
  /** Voxels of the segment counted (in range when a range is given). */
  voxelCount: number;
  /** voxelCount × row spacing × column spacing, in cm² (1 cm² = 100 mm²). */
  areaCm2: number;
  /** Mean HU of the counted voxels; NaN when none. */
  meanHu: number;
  /** Population standard deviation (divisor n) of HU of the counted voxels; NaN when none. */
  sdHu: number;
}

/**
 * Figures of `segmentIndex` on the slice.
 * @throws RangeError when the labelmap and HU arrays differ in length or the spacing is not positive.
 */
export function segmentStats(input: SegmentStatsInput): SegmentStats {
  const { labelmap, segmentIndex, hu, pixelSpacing, huRange } = input;
  if (labelmap.length !== hu.length) {
    throw new RangeError(`Labelmap has ${labelmap.length} voxels, the image ${hu.length}`);
  }
  if (!(pixelSpacing.rowMm > 0) || !(pixelSpacing.columnMm > 0)) {
    throw new RangeError('Pixel spacing must be positive');
  }
  const lo = huRange?.min ?? -Infinity;
  const hi = huRange?.max ?? Infinity;
  let n = 0;
  let sum = 0;
  for (let i = 0; i < labelmap.length; i++) {
    if (labelmap[i] !== segmentIndex) continue;
    const v = hu[i];
    if (v < lo || v > hi) continue;
    n++;
    sum += v;
  }
  const mean = n ? sum / n : NaN;
  // Second pass about the mean: no cancellation for large HU offsets.
  let squares = 0;
  if (n) {
    for (let i = 0; i < labelmap.length; i++) {
      if (labelmap[i] !== segmentIndex) continue;
      const v = hu[i];
      if (v < lo || v > hi) continue;
      squares += (v - mean) * (v - mean);
    }
  }
  return {
    voxelCount: n,
    areaCm2: (n * pixelSpacing.rowMm * pixelSpacing.columnMm) / 100,
    meanHu: mean,
    sdHu: n ? Math.sqrt(squares / n) : NaN,
  };
}

/** The segment indices present on a labelmap slice (0 = background excluded), ascending. */
export function segmentIndicesPresent(labelmap: ArrayLike<number>): number[] {
  const seen = new Set<number>();
  for (let i = 0; i < labelmap.length; i++) if (labelmap[i]) seen.add(labelmap[i]);
  return [...seen].sort((a, b) => a - b);
}
