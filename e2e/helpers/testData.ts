import { readdirSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './paths';

/** The project's real CT data lives beside the repository (../shared/data), never inside it. */
export const sharedDataDir = process.env.SHARED_DATA_DIR ?? path.resolve(repoRoot, '..', 'shared', 'data');

/** TotalSegmentator example abdomen CT: 20 uncompressed slices with proper UIDs (shared/data/README.md A1). */
export const totalSegExample = {
  dir: path.join(sharedDataDir, 'ct_dicom', 'totalseg_example_ct_dicom', 'uncompressed_with_uids'),
  studyInstanceUid: '2.25.46289545886157650249131583703515757550',
  seriesInstanceUid: '2.25.99035049273792930739091616517937042269',
  patientName: 'TotalSegmentator',
  sliceCount: 20,
  /** Every .dcm file of the series, as a user would select them. */
  files(): string[] {
    return readdirSync(this.dir)
      .filter((f) => f.endsWith('.dcm'))
      .sort()
      .map((f) => path.join(this.dir, f));
  },
};

/** Field cases (failing real-world inputs) beside the shared data (../shared/field-cases). */
export const fieldCasesDir = process.env.FIELD_CASES_DIR ?? path.resolve(sharedDataDir, '..', 'field-cases');

/** Field case b03: one 256 × 256 MONOCHROME2 CT slice (slice 276 at half resolution), WC/WW 40/300. */
export const invertFieldCase = {
  file: path.join(fieldCasesDir, 'b03-user-invert-ignored', 'monochrome2_256.dcm'),
  patientName: 'FieldInvert',
  /** A liver pixel (column, row) named by the field case. */
  liver: [94, 142] as [number, number],
};
