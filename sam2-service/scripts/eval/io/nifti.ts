/**
 * NIfTI-1/2 files (.nii, .nii.gz) through nifti-reader-js. The voxel → world matrix follows the
 * NIfTI-1 standard's precedence as nibabel does (sform when sform_code > 0, else qform, else the pixel
 * dimensions), converted from RAS to DICOM LPS.
 */
import { readFileSync } from 'node:fs';
import * as nifti from 'nifti-reader-js';
import { RAS_TO_LPS, multiply } from '../geometry';
import type { Mat4 } from '../volume';
import type { RawGrid } from './grid';

export function isNiftiPath(file: string): boolean {
  return /\.nii(\.gz)?$/i.test(file);
}

export function readNifti(file: string): RawGrid {
  const bytes = readFileSync(file);
  let data: ArrayBuffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  if (nifti.isCompressed(data)) data = nifti.decompress(data) as ArrayBuffer;
  if (!nifti.isNIFTI(data)) throw new Error(`${file} is not a NIfTI file`);
  ignoreExtensions(data);
  const header = nifti.readHeader(data);
  if (!header) throw new Error(`${file}: unreadable NIfTI header`);
  const dims: RawGrid['dims'] = [header.dims[1], header.dims[2], Math.max(1, header.dims[3])];
  const frames = header.dims[0] > 3 ? header.dims.slice(4, header.dims[0] + 1).reduce((a, b) => a * b, 1) : 1;
  if (frames > 1) throw new Error(`${file} has ${frames} volumes (4-D); give a single 3-D volume`);
  const raw = typedArray(header, nifti.readImage(header, data), file);
  const count = dims[0] * dims[1] * dims[2];
  // NIfTI-1 §scl_slope: a slope of 0 means "no scaling".
  const slope = header.scl_slope && Number.isFinite(header.scl_slope) ? header.scl_slope : 1;
  const inter = slope !== 1 || header.scl_inter ? header.scl_inter || 0 : 0;
  const values = new Float32Array(count);
  for (let v = 0; v < count; v++) values[v] = Number(raw[v]) * slope + inter;
  return { dims, values, ijkToLps: multiply(RAS_TO_LPS, rasAffine(header, data)) };
}

/**
 * Clears the "extensions follow" flag (byte 0 after the 348 / 540-byte header) in our copy: the
 * evaluation needs no extension, and the reader prints every extension it parses to the console.
 */
function ignoreExtensions(data: ArrayBuffer): void {
  const bytes = new Uint8Array(data);
  const at = nifti.isNIFTI2(data) ? 540 : 348;
  if (bytes.length > at) bytes[at] = 0;
}

function rasAffine(header: nifti.NIFTI1 | nifti.NIFTI2, data: ArrayBuffer): Mat4 {
  if (header.sform_code > 0 && header instanceof nifti.NIFTI1) {
    // nifti-reader-js prefers the qform when its code is higher; nibabel (and ITK-SNAP) take the sform.
    const view = new DataView(data);
    const le = header.littleEndian;
    const row = (offset: number) => [0, 1, 2, 3].map((c) => view.getFloat32(offset + 4 * c, le));
    return [row(280), row(296), row(312), [0, 0, 0, 1]];
  }
  return header.affine.map((r) => [...r]);
}

type Numeric = ArrayLike<number | bigint>;

function typedArray(header: nifti.NIFTI1 | nifti.NIFTI2, buffer: ArrayBuffer, file: string): Numeric {
  const T = nifti.NIFTI1;
  const table: Record<number, (b: ArrayBuffer) => Numeric> = {
    [T.TYPE_UINT8]: (b) => new Uint8Array(b),
    [T.TYPE_INT8]: (b) => new Int8Array(b),
    [T.TYPE_INT16]: (b) => new Int16Array(b),
    [T.TYPE_UINT16]: (b) => new Uint16Array(b),
    [T.TYPE_INT32]: (b) => new Int32Array(b),
    [T.TYPE_UINT32]: (b) => new Uint32Array(b),
    [T.TYPE_FLOAT32]: (b) => new Float32Array(b),
    [T.TYPE_FLOAT64]: (b) => new Float64Array(b),
    [T.TYPE_INT64]: (b) => new BigInt64Array(b),
    [T.TYPE_UINT64]: (b) => new BigUint64Array(b),
  };
  const make = table[header.datatypeCode];
  if (!make) throw new Error(`${file}: NIfTI datatype ${header.datatypeCode} is not supported`);
  if (!header.littleEndian) throw new Error(`${file}: big-endian NIfTI is not supported`);
  // readImage returns a slice of its own; typed arrays need an aligned, exact buffer.
  return make(buffer.slice(0));
}
