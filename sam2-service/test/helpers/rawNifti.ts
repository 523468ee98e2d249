import { readFileSync } from 'node:fs';
import * as nifti from 'nifti-reader-js';

/**
 * Voxel values of a NIfTI file in file order (i fastest), with nifti-reader-js alone: the tests' own
 * reading, independent of the evaluation's readers and grid mapping.
 */
export function rawNifti(file: string): { dims: number[]; values: Float64Array } {
  const bytes = readFileSync(file);
  let data: ArrayBuffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  if (nifti.isCompressed(data)) data = nifti.decompress(data) as ArrayBuffer;
  new Uint8Array(data)[348] = 0; // skip NIfTI-1 extensions (the reader prints them)
  const header = nifti.readHeader(data) as nifti.NIFTI1;
  const image = nifti.readImage(header, data).slice(0);
  const typed =
    header.datatypeCode === nifti.NIFTI1.TYPE_UINT8
      ? new Uint8Array(image)
      : header.datatypeCode === nifti.NIFTI1.TYPE_INT16
        ? new Int16Array(image)
        : header.datatypeCode === nifti.NIFTI1.TYPE_INT32
          ? new Int32Array(image)
          : new Float32Array(image);
  return { dims: header.dims.slice(1, 4), values: Float64Array.from(typed) };
}
