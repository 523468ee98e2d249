/**
 * Independent body-composition figures for the browser tests, computed here in Node from the real
 * example CT (the DICOM file, read with dicom-parser) and the TotalSegmentator reference NIfTI, never
 * from the extension's code: HU of a slice, the voxels of reference labels, and area / count / mean /
 * SD over a set of voxels (optionally only those within a HU range).
 */
import path from 'node:path';
import { readNifti } from '../../extension/test/nifti';
import { readDicom } from './dicomDerive';
import { sharedDataDir, totalSegExample } from './testData';

export const REFERENCE_SEG_FILE = path.join(
  sharedDataDir,
  'seg_reference',
  'totalsegmentator',
  'example_seg_dicom.nii.gz',
);

/** TotalSegmentator labels of the autochthon (paraspinal) muscles, left and right (data README B). */
export const AUTOCHTHON_LEFT = 86;
export const AUTOCHTHON_RIGHT = 87;

export interface SliceHu {
  hu: Float64Array;
  /** PixelSpacing (0028,0030): between rows, between columns; mm. */
  rowMm: number;
  columnMm: number;
}

/** HU (stored value × slope + intercept) of one instance of the example CT, and its pixel spacing. */
export function sliceHu(instanceNumber: number): SliceHu {
  const image = readDicom(path.join(totalSegExample.dir, `CT_0${instanceNumber}.dcm`));
  const spacing = (image.dataSet.string('x00280030') ?? '').split('\\').map(Number);
  const hu = Float64Array.from(image.pixels, (v) => v * image.slope + image.intercept);
  return { hu, rowMm: spacing[0], columnMm: spacing[1] };
}

/**
 * Flat indices (row × 512 + column) of the reference labels on an instance: the NIfTI's slice k is
 * instance 286 − k and its rows run bottom-up (data README B).
 */
export function referenceIndices(instanceNumber: number, labels: readonly number[]): number[] {
  const seg = readNifti(REFERENCE_SEG_FILE);
  const [nx, ny] = seg.dims;
  const k = 286 - instanceNumber;
  const out: number[] = [];
  for (let j = 0; j < ny; j++)
    for (let i = 0; i < nx; i++)
      if (labels.includes(seg.data[k * nx * ny + j * nx + i])) out.push((511 - j) * 512 + i);
  return out.sort((a, b) => a - b);
}

export interface Figures {
  voxels: number;
  areaCm2: number;
  meanHu: number;
  /** Population SD (divides by the count). */
  sdHu: number;
}

/** Figures over `indices`, counting only voxels with min ≤ HU ≤ max when a range is given. */
export function figuresOf(indices: readonly number[], slice: SliceHu, range?: [number, number]): Figures {
  const values = indices.map((i) => slice.hu[i]).filter((v) => !range || (v >= range[0] && v <= range[1]));
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length;
  return {
    voxels: values.length,
    areaCm2: (values.length * slice.rowMm * slice.columnMm) / 100,
    meanHu: mean,
    sdHu: Math.sqrt(variance),
  };
}
