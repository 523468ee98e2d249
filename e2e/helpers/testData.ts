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
