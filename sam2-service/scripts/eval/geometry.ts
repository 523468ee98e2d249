/**
 * Voxel-grid geometry: 4 × 4 affine algebra and the exact, checked correspondence between two grids
 * (the image and its reference label map). Nothing here assumes an orientation: flips and axis orders
 * come from the files' own affines.
 */
import type { Mat4 } from './volume';

export function multiply(a: Mat4, b: Mat4): Mat4 {
  return a.map((row) => b[0].map((_, c) => row.reduce((sum, v, k) => sum + v * b[k][c], 0)));
}

/** Inverse of a 4 × 4 affine (last row 0 0 0 1): [R t]⁻¹ = [R⁻¹ −R⁻¹t]. Throws when R is singular. */
export function invertAffine(m: Mat4): Mat4 {
  const [a, b, c] = [m[0], m[1], m[2]];
  const det =
    a[0] * (b[1] * c[2] - b[2] * c[1]) -
    a[1] * (b[0] * c[2] - b[2] * c[0]) +
    a[2] * (b[0] * c[1] - b[1] * c[0]);
  if (!Number.isFinite(det) || Math.abs(det) < 1e-12)
    throw new Error('the voxel-to-patient matrix is singular');
  const r = [
    [b[1] * c[2] - b[2] * c[1], a[2] * c[1] - a[1] * c[2], a[1] * b[2] - a[2] * b[1]],
    [b[2] * c[0] - b[0] * c[2], a[0] * c[2] - a[2] * c[0], a[2] * b[0] - a[0] * b[2]],
    [b[0] * c[1] - b[1] * c[0], a[1] * c[0] - a[0] * c[1], a[0] * b[1] - a[1] * b[0]],
  ].map((row) => row.map((v) => v / det));
  const t = [m[0][3], m[1][3], m[2][3]];
  return [...r.map((row) => [...row, -(row[0] * t[0] + row[1] * t[1] + row[2] * t[2])]), [0, 0, 0, 1]];
}

/**
 * How an index of grid A reads in grid B: B index = axis permutation with signs, plus an integer
 * offset. `axis[d]` is the A axis that B axis d follows, `sign[d]` ±1, `offset[d]` the B index of A's
 * voxel (0, 0, 0).
 */
export interface GridMapping {
  axis: [number, number, number];
  sign: [number, number, number];
  offset: [number, number, number];
}

/**
 * The mapping from grid A to grid B when B's voxels are A's voxels (same spacing, axes parallel, any
 * order and direction, centres within `tolerance` voxel). Throws, naming the mismatch, otherwise: the
 * evaluation never resamples a reference.
 */
export function gridMapping(aToLps: Mat4, bToLps: Mat4, tolerance = 0.01): GridMapping {
  const m = multiply(invertAffine(bToLps), aToLps);
  const axis: number[] = [];
  const sign: number[] = [];
  for (let d = 0; d < 3; d++) {
    const row = [m[d][0], m[d][1], m[d][2]];
    const from = row.reduce((best, v, i) => (Math.abs(v) > Math.abs(row[best]) ? i : best), 0);
    const s = Math.round(row[from]);
    const exact = row.every((v, i) => Math.abs(v - (i === from ? s : 0)) <= tolerance);
    if (Math.abs(s) !== 1 || !exact) {
      throw new Error(
        `the reference grid is not the image grid (voxel matrix row ${d}: ${row.map((v) => v.toFixed(3)).join(', ')}); resample the reference onto the image first`,
      );
    }
    axis.push(from);
    sign.push(s);
  }
  if (new Set(axis).size !== 3) throw new Error('the reference grid axes do not match the image axes');
  const offset = [0, 1, 2].map((d) => {
    const t = m[d][3];
    if (Math.abs(t - Math.round(t)) > tolerance) {
      throw new Error(
        `the reference grid is shifted by ${t.toFixed(3)} voxel from the image grid along axis ${d}`,
      );
    }
    return Math.round(t);
  });
  return {
    axis: axis as GridMapping['axis'],
    sign: sign as GridMapping['sign'],
    offset: offset as GridMapping['offset'],
  };
}

/** The B index of A's voxel (i, j, k). */
export function mapIndex(mapping: GridMapping, ijk: [number, number, number]): [number, number, number] {
  return [0, 1, 2].map((d) => mapping.offset[d] + mapping.sign[d] * ijk[mapping.axis[d]]) as [
    number,
    number,
    number,
  ];
}

/** RAS (NIfTI world) ↔ LPS (DICOM patient): negate x and y. The same matrix both ways. */
export const RAS_TO_LPS: Mat4 = [
  [-1, 0, 0, 0],
  [0, -1, 0, 0],
  [0, 0, 1, 0],
  [0, 0, 0, 1],
];
