/**
 * A voxel grid as read from a file, before it becomes the displayed image volume or a reference label
 * map: dimensions, values in file order (i fastest) and the voxel → LPS matrix.
 */
import { gridMapping, mapIndex, multiply } from '../geometry';
import type { Mat4 } from '../volume';

export interface RawGrid {
  dims: [number, number, number];
  values: Float32Array;
  ijkToLps: Mat4;
}

/**
 * The same voxels in axial display order: columns towards the patient's left (+x LPS), rows towards
 * posterior (+y), slices from inferior to superior (+z), i.e. how a viewer shows an axial DICOM series
 * with Image Orientation 1\0\0\0\1\0. Each display axis is the file axis closest to it; voxels are
 * only reordered, never resampled.
 */
export function toAxialDisplay(grid: RawGrid): RawGrid {
  const m = grid.ijkToLps;
  const axisFor: number[] = [];
  const signFor: number[] = [];
  for (let d = 0; d < 3; d++) {
    // File axis with the largest component along patient axis d, not yet taken.
    const candidates = [0, 1, 2].filter((a) => !axisFor.includes(a));
    const best = candidates.reduce((b, a) => (Math.abs(m[d][a]) > Math.abs(m[d][b]) ? a : b));
    axisFor.push(best);
    signFor.push(Math.sign(m[d][best]) || 1);
  }
  // Display index e → file index: file[axisFor[d]] = sign ? e[d] : dims − 1 − e[d].
  const dims = axisFor.map((a) => grid.dims[a]) as RawGrid['dims'];
  const p: Mat4 = [0, 1, 2].map((a) => {
    const d = axisFor.indexOf(a);
    const row = [0, 0, 0, 0];
    row[d] = signFor[d];
    row[3] = signFor[d] > 0 ? 0 : dims[d] - 1;
    return row;
  });
  p.push([0, 0, 0, 1]);
  const ijkToLps = multiply(m, p);
  return { dims, ijkToLps, values: resampleByMapping(grid, dims, ijkToLps) };
}

/** Values of `grid` on another grid made of the same voxels (checked by gridMapping). */
function resampleByMapping(grid: RawGrid, dims: RawGrid['dims'], ijkToLps: Mat4): Float32Array {
  const mapping = gridMapping(ijkToLps, grid.ijkToLps);
  const out = new Float32Array(dims[0] * dims[1] * dims[2]);
  const [nx, ny] = grid.dims;
  let o = 0;
  for (let k = 0; k < dims[2]; k++) {
    for (let j = 0; j < dims[1]; j++) {
      for (let i = 0; i < dims[0]; i++) {
        const [a, b, c] = mapIndex(mapping, [i, j, k]);
        out[o++] = grid.values[a + nx * (b + ny * c)];
      }
    }
  }
  return out;
}
