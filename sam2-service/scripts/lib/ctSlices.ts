import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as dicomParser from 'dicom-parser';

/** The project's real test data lives beside the repository (../shared/data), never inside it. */
const repoRoot = path.resolve(
  __dirname,
  __dirname.includes(`${path.sep}dist${path.sep}`) ? '../../../..' : '../../..',
);
export const sharedDataDir = process.env.SHARED_DATA_DIR ?? path.resolve(repoRoot, '..', 'shared', 'data');
export const hasSharedData = existsSync(path.join(sharedDataDir, 'ct_dicom'));

export interface CtSlice {
  pixels: Uint16Array | Int16Array;
  imageType: 'uint16' | 'int16';
  width: number;
  height: number;
  slope: number;
  intercept: number;
  photometric: 'MONOCHROME1' | 'MONOCHROME2';
  patientId: string;
  studyUid: string;
  seriesUid: string;
  sopUid: string;
}

/** Reads one uncompressed CT instance (Explicit VR Little Endian) with dicom-parser. */
export function readCtSlice(file: string): CtSlice {
  const bytes = readFileSync(file);
  const dataSet = dicomParser.parseDicom(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  const width = dataSet.uint16('x00280011')!;
  const height = dataSet.uint16('x00280010')!;
  const signed = dataSet.uint16('x00280103') === 1;
  const element = dataSet.elements.x7fe00010;
  const copy = bytes.buffer.slice(
    bytes.byteOffset + element.dataOffset,
    bytes.byteOffset + element.dataOffset + width * height * 2,
  );
  return {
    pixels: signed ? new Int16Array(copy) : new Uint16Array(copy),
    imageType: signed ? 'int16' : 'uint16',
    width,
    height,
    slope: Number(dataSet.string('x00281053') ?? 1),
    intercept: Number(dataSet.string('x00281052') ?? 0),
    photometric: (dataSet.string('x00280004') ?? 'MONOCHROME2') as CtSlice['photometric'],
    patientId: dataSet.string('x00100020') ?? '',
    studyUid: dataSet.string('x0020000d') ?? '',
    seriesUid: dataSet.string('x0020000e') ?? '',
    sopUid: dataSet.string('x00080018') ?? '',
  };
}

/** Instance 276 of the TotalSegmentator example abdomen CT, for which shared/data lists organ boxes. */
export const exampleSeriesDir = path.join(
  sharedDataDir,
  'ct_dicom',
  'totalseg_example_ct_dicom',
  'uncompressed_with_uids',
);

export function exampleAbdomenSlice(): CtSlice {
  return readCtSlice(path.join(exampleSeriesDir, 'CT_0276.dcm'));
}

/** Boxes [x0, y0, x1, y1] on instance 276 from shared/data/README.md. */
export const abdomenBoxes = {
  liver: [107, 196, 269, 374],
  spleen: [294, 245, 392, 377],
  aorta: [248, 285, 278, 312],
} as const;

/** The request body the viewer would send for this slice. */
export function segmentBody(slice: CtSlice, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    image_data: Buffer.from(slice.pixels.buffer, slice.pixels.byteOffset, slice.pixels.byteLength).toString(
      'base64',
    ),
    image_type: slice.imageType,
    width: slice.width,
    height: slice.height,
    rescale: { slope: slice.slope, intercept: slice.intercept },
    window: { center: 40, width: 400 },
    photometric: slice.photometric,
    patient_id: slice.patientId,
    study_uid: slice.studyUid,
    series_uid: slice.seriesUid,
    sop_uid: slice.sopUid,
    slice_index: 9,
    ...extra,
  };
}
