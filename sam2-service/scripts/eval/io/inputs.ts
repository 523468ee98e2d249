/** `--images` and `--labels` → the image volume and its reference, whatever their formats. */
import { statSync } from 'node:fs';
import type { Volume } from '../volume';
import { readDicomSeries } from './dicomSeries';
import { readDicomSeg } from './dicomSeg';
import { toAxialDisplay } from './grid';
import { readLabelTable } from './labelTable';
import { isNiftiPath, readNifti } from './nifti';
import { type Reference, labelMapReference } from './reference';

/** A DICOM folder keeps the stored slice geometry; a NIfTI volume is shown in axial display order. */
export function readImages(images: string): Volume {
  if (statSync(images).isDirectory()) return readDicomSeries(images);
  if (!isNiftiPath(images)) throw new Error('--images must be a DICOM folder or a .nii / .nii.gz file');
  const grid = toAxialDisplay(readNifti(images));
  return {
    columns: grid.dims[0],
    rows: grid.dims[1],
    slices: grid.dims[2],
    values: grid.values,
    ijkToLps: grid.ijkToLps,
    photometric: 'MONOCHROME2',
    sliceLabels: Array.from({ length: grid.dims[2] }, (_, k) => `slice ${k}`),
  };
}

/** A NIfTI label map (with an optional value → name table) or a DICOM SEG file. */
export function readReference(image: Volume, labels: string, labelTable?: string): Reference {
  const table = labelTable ? readLabelTable(labelTable) : undefined;
  if (isNiftiPath(labels)) return labelMapReference(image, readNifti(labels), table, labels);
  return readDicomSeg(image, labels);
}
