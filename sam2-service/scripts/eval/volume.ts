/**
 * The image volume the evaluation works on, and its geometry.
 *
 * Voxel (i, j, k) is column i, row j of slice k, stored at `i + columns × (j + rows × k)`: the order a
 * viewer shows a slice in (row 0 at the top, each row left to right). `ijkToLps` maps a voxel index to
 * patient coordinates in mm, DICOM LPS (PS3.3 C.7.6.2.1.1): +x towards the patient's left, +y posterior,
 * +z superior.
 */
export type Mat4 = number[][];

export interface Volume {
  columns: number;
  rows: number;
  slices: number;
  /** Modality values (HU for CT), one per voxel, in the order above. */
  values: Float32Array;
  /** 4 × 4, voxel index (i, j, k, 1) → LPS mm. */
  ijkToLps: Mat4;
  /** DICOM Photometric Interpretation of the source (NIfTI: MONOCHROME2). */
  photometric: 'MONOCHROME1' | 'MONOCHROME2';
  /** The source's own display window (DICOM Window Center/Width), when it has one. */
  window?: { center: number; width: number };
  /** Where each slice came from, for the report (DICOM: InstanceNumber; NIfTI: k in the file). */
  sliceLabels: string[];
}

/** mm between the centres of neighbouring columns and rows (length of the first two matrix columns). */
export function pixelSpacing(volume: Pick<Volume, 'ijkToLps'>): { column: number; row: number } {
  const m = volume.ijkToLps;
  return {
    column: Math.hypot(m[0][0], m[1][0], m[2][0]),
    row: Math.hypot(m[0][1], m[1][1], m[2][1]),
  };
}

/** Slice k's values, row-major, `columns × rows` (a view, not a copy). */
export function sliceValues(volume: Volume, k: number): Float32Array {
  const n = volume.columns * volume.rows;
  return volume.values.subarray(k * n, (k + 1) * n);
}
