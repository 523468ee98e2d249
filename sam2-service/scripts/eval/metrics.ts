/**
 * Overlap and boundary metrics between a predicted and a reference 2-D mask (row-major, 1 = inside),
 * with the definitions of Maier-Hein et al., "Metrics reloaded", Nature Methods 21, 2024, and MONAI's
 * implementations (monai.metrics: compute_dice, compute_iou, compute_hausdorff_distance).
 */
import { distanceToFeature } from './distance';

export interface Spacing {
  /** mm between column centres. */
  column: number;
  /** mm between row centres. */
  row: number;
}

export interface SliceMetrics {
  /** 2|P∩R| / (|P| + |R|); 1 when both are empty. */
  dice: number;
  /** |P∩R| / |P∪R|; 1 when both are empty. */
  iou: number;
  /** Symmetric 95th-percentile Hausdorff distance in mm (see hd95); null when exactly one mask is empty. */
  hd95Mm: number | null;
  referenceAreaCm2: number;
  predictedAreaCm2: number;
  /** predicted − reference, cm². */
  areaErrorCm2: number;
  /** 100 × (predicted − reference) / reference; null when the reference is empty. */
  areaErrorPct: number | null;
}

export function sliceMetrics(
  predicted: Uint8Array,
  reference: Uint8Array,
  columns: number,
  rows: number,
  spacing: Spacing,
): SliceMetrics {
  let p = 0;
  let r = 0;
  let both = 0;
  for (let v = 0; v < predicted.length; v++) {
    if (predicted[v]) p++;
    if (reference[v]) r++;
    if (predicted[v] && reference[v]) both++;
  }
  const pixelCm2 = (spacing.column * spacing.row) / 100;
  const referenceAreaCm2 = r * pixelCm2;
  const predictedAreaCm2 = p * pixelCm2;
  return {
    dice: p + r === 0 ? 1 : (2 * both) / (p + r),
    iou: p + r === 0 ? 1 : both / (p + r - both),
    hd95Mm: hd95(predicted, reference, columns, rows, spacing),
    referenceAreaCm2,
    predictedAreaCm2,
    areaErrorCm2: predictedAreaCm2 - referenceAreaCm2,
    areaErrorPct: r === 0 ? null : (100 * (p - r)) / r,
  };
}

/**
 * Boundary pixels of a mask: inside pixels with a 4-neighbour outside the mask or the image (MONAI
 * get_mask_edges: the mask minus its binary erosion).
 */
export function boundary(mask: Uint8Array, columns: number, rows: number): Uint8Array {
  const out = new Uint8Array(mask.length);
  for (let j = 0; j < rows; j++) {
    for (let i = 0; i < columns; i++) {
      const v = j * columns + i;
      if (!mask[v]) continue;
      const edge =
        i === 0 ||
        j === 0 ||
        i === columns - 1 ||
        j === rows - 1 ||
        !mask[v - 1] ||
        !mask[v + 1] ||
        !mask[v - columns] ||
        !mask[v + columns];
      if (edge) out[v] = 1;
    }
  }
  return out;
}

/**
 * q-th percentile with linear interpolation between closest ranks (numpy.percentile's default, which
 * MONAI uses): position (q/100)(n − 1) in the sorted values.
 */
export function percentile(values: ArrayLike<number>, q: number): number {
  const sorted = Float64Array.from(values).sort();
  if (!sorted.length) return NaN;
  const pos = (q / 100) * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/**
 * HD95, the symmetric 95th-percentile Hausdorff distance in mm, as MONAI compute_hausdorff_distance
 * (percentile = 95, Euclidean) and DeepMind's surface-distance compute_robust_hausdorff define it:
 * with ∂P and ∂R the boundary pixels of the two masks and d(x, ∂Y) the distance in mm from pixel
 * centre x to the nearest pixel centre of ∂Y,
 *
 *   HD95 = max( P95{ d(x, ∂R) : x ∈ ∂P },  P95{ d(y, ∂P) : y ∈ ∂R } )
 *
 * (P95 as in `percentile`). 0 when both masks are empty; null when exactly one is (undefined distance).
 */
export function hd95(
  predicted: Uint8Array,
  reference: Uint8Array,
  columns: number,
  rows: number,
  spacing: Spacing,
): number | null {
  const bp = boundary(predicted, columns, rows);
  const br = boundary(reference, columns, rows);
  const np = count(bp);
  const nr = count(br);
  if (np === 0 && nr === 0) return 0;
  if (np === 0 || nr === 0) return null;
  return Math.max(directed(bp, br, columns, rows, spacing), directed(br, bp, columns, rows, spacing));
}

function directed(from: Uint8Array, to: Uint8Array, columns: number, rows: number, spacing: Spacing): number {
  const toDistance = distanceToFeature(to, columns, rows, spacing);
  const distances: number[] = [];
  for (let v = 0; v < from.length; v++) if (from[v]) distances.push(toDistance[v]);
  return percentile(distances, 95);
}

function count(mask: Uint8Array): number {
  let n = 0;
  for (let v = 0; v < mask.length; v++) n += mask[v];
  return n;
}
