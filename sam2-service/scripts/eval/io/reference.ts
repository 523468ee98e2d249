/**
 * The reference masks on the image grid. A structure's mask on image slice k is a `columns × rows`
 * row-major Uint8Array (1 = inside), in the same pixel order as the slice sent to the service.
 */
import path from 'node:path';
import { gridMapping } from '../geometry';
import type { Volume } from '../volume';
import type { RawGrid } from './grid';

export interface ReferenceStructure {
  name: string;
  /** Label value (NIfTI) or Segment Number (DICOM SEG). */
  value: number;
}

export interface Reference {
  structures: ReferenceStructure[];
  /** The structure's mask on image slice k; undefined when the reference does not cover that slice. */
  mask(structure: ReferenceStructure, k: number): Uint8Array | undefined;
}

/** Linear index strides of the label grid, as seen from image indices (i, j, k). */
interface Strides {
  base: number;
  si: number;
  sj: number;
  sk: number;
  /** Image slices whose whole plane lies inside the label grid. */
  covered: (k: number) => boolean;
}

function strides(image: Volume, labels: RawGrid): Strides {
  const mapping = gridMapping(image.ijkToLps, labels.ijkToLps);
  const [nx, ny] = labels.dims;
  const stride = [1, nx, nx * ny];
  // Label index along label axis d = offset[d] + sign[d] × (image index along axis[d]).
  const per = [0, 0, 0];
  let base = 0;
  for (let d = 0; d < 3; d++) {
    per[mapping.axis[d]] = mapping.sign[d] * stride[d];
    base += mapping.offset[d] * stride[d];
  }
  const imageDims = [image.columns, image.rows, image.slices];
  const inside = (d: number, imageIndex: number) => {
    const l = mapping.offset[d] + mapping.sign[d] * imageIndex;
    return l >= 0 && l < labels.dims[d];
  };
  const covered = (k: number) =>
    [0, 1, 2].every((d) => {
      const a = mapping.axis[d];
      if (a === 2) return inside(d, k);
      return inside(d, 0) && inside(d, imageDims[a] - 1);
    });
  return { base, si: per[0], sj: per[1], sk: per[2], covered };
}

/**
 * A label map (one value per voxel) as the reference. Its grid must be made of the image's voxels
 * (any axis order or direction: checked from both affines), so no voxel is resampled.
 */
export function labelMapReference(
  image: Volume,
  labels: RawGrid,
  table: Map<number, string> | undefined,
  file: string,
): Reference {
  const s = strides(image, labels);
  const present = [...new Set(labels.values)].filter((v) => v !== 0).sort((a, b) => a - b);
  const fileName = path.basename(file).replace(/\.nii(\.gz)?$/i, '');
  const structures = present.map((value) => ({
    value,
    name: table?.get(value) ?? (present.length === 1 && value === 1 ? fileName : `label_${value}`),
  }));
  return {
    structures,
    mask(structure, k) {
      if (!s.covered(k)) return undefined;
      const out = new Uint8Array(image.columns * image.rows);
      let o = 0;
      for (let j = 0; j < image.rows; j++) {
        let l = s.base + j * s.sj + k * s.sk;
        for (let i = 0; i < image.columns; i++, l += s.si)
          out[o++] = labels.values[l] === structure.value ? 1 : 0;
      }
      return out;
    },
  };
}
