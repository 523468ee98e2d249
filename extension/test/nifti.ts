/** Minimal NIfTI-1 (.nii.gz) reader for tests: header fields the tests need and the voxel values. */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

export interface NiftiVolume {
  dims: [number, number, number];
  /** pixdim[1..3], mm. */
  spacing: [number, number, number];
  /** Voxel values with scl_slope/scl_inter applied, x fastest. */
  data: Float64Array;
}

export function readNifti(file: string): NiftiVolume {
  const buf = gunzipSync(readFileSync(file));
  const little = buf.readInt32LE(0) === 348;
  const i16 = (o: number) => (little ? buf.readInt16LE(o) : buf.readInt16BE(o));
  const f32 = (o: number) => (little ? buf.readFloatLE(o) : buf.readFloatBE(o));
  const dims: [number, number, number] = [i16(42), i16(44), i16(46)];
  const spacing: [number, number, number] = [f32(80), f32(84), f32(88)];
  const datatype = i16(70);
  const offset = f32(108);
  const slope = f32(112) || 1;
  const inter = f32(116);
  const n = dims[0] * dims[1] * dims[2];
  const readers: Record<number, [number, (o: number) => number]> = {
    2: [1, (o) => buf.readUInt8(o)],
    4: [2, i16],
    8: [4, (o) => (little ? buf.readInt32LE(o) : buf.readInt32BE(o))],
    16: [4, f32],
    512: [2, (o) => (little ? buf.readUInt16LE(o) : buf.readUInt16BE(o))],
  };
  const reader = readers[datatype];
  if (!reader) throw new Error(`NIfTI datatype ${datatype} not supported by this test reader`);
  const [size, read] = reader;
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) data[i] = read(offset + i * size) * slope + inter;
  return { dims, spacing, data };
}

/** Axial slice k (x fastest), as a copy. */
export function sliceOf(volume: NiftiVolume, k: number): Float64Array {
  const plane = volume.dims[0] * volume.dims[1];
  return volume.data.slice(k * plane, (k + 1) * plane);
}

/**
 * Axial slice k as displayed: [row][col] = vol[nx−1−col, ny−1−row, k] (shared/data README "Mapping
 * masks"), rows anterior → posterior, columns patient right → left.
 */
export function imageSlice(data: Float64Array, nx: number, ny: number, k: number): Float64Array {
  const out = new Float64Array(nx * ny);
  for (let r = 0; r < ny; r++)
    for (let c = 0; c < nx; c++) out[r * nx + c] = data[k * nx * ny + (ny - 1 - r) * nx + (nx - 1 - c)];
  return out;
}
