/**
 * Measurements: hand-computed cases, and the real CT reference tissue masks (TotalSegmentator
 * tissue_types on example_ct_sm) against an independent Python computation (standard library only).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { measurementsToCsv } from '../src/measurements/csv';
import type { MeasurementRow } from '../src/measurements/csv';
import { segmentIndicesPresent, segmentStats } from '../src/measurements/segmentStats';
import { slicePositionMm } from '../src/measurements/sliceGeometry';
import { heightFromPatientSize, parseHeightInput, skeletalMuscleIndex } from '../src/measurements/smi';
import { DEFAULT_HU_RANGES } from '../src/tissue/huRange';
import type { Tissue } from '../src/tissue/huRange';
import { readNifti, sliceOf } from './nifti';

const sharedDataDir =
  process.env.SHARED_DATA_DIR ?? path.resolve(__dirname, '..', '..', '..', 'shared', 'data');
const tissueDir = path.join(sharedDataDir, 'seg_reference', 'totalsegmentator');
const hasTissueMasks = existsSync(path.join(tissueDir, 'example_seg_tissue_types', 'skeletal_muscle.nii.gz'));
if (!hasTissueMasks) {
  console.warn(`Reference tissue masks not found under ${sharedDataDir}: real-CT measurement tests skipped.`);
}
const describeWithMasks = hasTissueMasks ? describe : describe.skip;

describe('segmentStats (hand-computed)', () => {
  // 3×2 slice, spacing 0.5 mm × 2 mm → 1 mm² = 0.01 cm² per voxel.
  const labelmap = Uint16Array.from([1, 1, 2, 0, 1, 2]);
  const hu = [10, 20, -100, 500, 60, 200];
  const pixelSpacing = { rowMm: 0.5, columnMm: 2 };

  it('counts, area, mean and population SD of one segment', () => {
    const s = segmentStats({ labelmap, segmentIndex: 1, hu, pixelSpacing });
    expect(s.voxelCount).toBe(3);
    expect(s.areaCm2).toBeCloseTo(0.03, 12);
    expect(s.meanHu).toBeCloseTo(30, 12); // (10 + 20 + 60) / 3
    expect(s.sdHu).toBeCloseTo(Math.sqrt((400 + 100 + 900) / 3), 12);
  });

  it('only voxels in the HU range count when one is given', () => {
    const s = segmentStats({ labelmap, segmentIndex: 2, hu, pixelSpacing, huRange: { min: -29, max: 150 } });
    // Segment 2 has −100 and 200: both outside muscle range.
    expect(s.voxelCount).toBe(0);
    expect(s.areaCm2).toBe(0);
    expect(s.meanHu).toBeNaN();
    const t = segmentStats({ labelmap, segmentIndex: 1, hu, pixelSpacing, huRange: { min: 15, max: 60 } });
    expect(t.voxelCount).toBe(2);
    expect(t.meanHu).toBeCloseTo(40, 12);
    expect(t.sdHu).toBeCloseTo(20, 12);
  });

  it('refuses mismatched arrays and non-positive spacing', () => {
    expect(() => segmentStats({ labelmap, segmentIndex: 1, hu: [1], pixelSpacing })).toThrow(RangeError);
    expect(() =>
      segmentStats({ labelmap, segmentIndex: 1, hu, pixelSpacing: { rowMm: 0, columnMm: 1 } }),
    ).toThrow(RangeError);
  });

  it('lists the segments present', () => {
    expect(segmentIndicesPresent(labelmap)).toEqual([1, 2]);
  });
});

describe('skeletal muscle index and height', () => {
  it('SMI = SMA / height²', () => {
    expect(skeletalMuscleIndex(150, 1.5)).toBeCloseTo(150 / 2.25, 12);
    expect(skeletalMuscleIndex(150, undefined)).toBeUndefined();
    expect(skeletalMuscleIndex(150, 0)).toBeUndefined();
  });
  it('Patient Size (metres) and typed heights (m or cm)', () => {
    expect(heightFromPatientSize('1.72')).toBe(1.72);
    expect(heightFromPatientSize('172')).toBeUndefined();
    expect(heightFromPatientSize('')).toBeUndefined();
    expect(parseHeightInput('1,80')).toBe(1.8);
    expect(parseHeightInput('180')).toBe(1.8);
    expect(parseHeightInput('abc')).toBeUndefined();
    expect(parseHeightInput('9')).toBeUndefined();
  });
});

describe('measurementsToCsv', () => {
  const row: MeasurementRow = {
    studyInstanceUid: '1.2.3',
    seriesInstanceUid: '1.2.3.4',
    sopInstanceUid: '1.2.3.4.5',
    instanceNumber: 12,
    slicePositionMm: -100.25,
    segmentLabel: 'Skeletal muscle (L3)',
    areaCm2: 123.456,
    meanHu: 35.04,
    sdHu: 20.96,
    voxelCount: 12935,
    huRange: '-29..150 HU',
    smi: 41.666,
    heightM: 1.72,
    modelName: 'sam2.1-hiera-tiny',
    modelVersion: '1',
  };

  it('writes a header and one row per slice and segment, RFC 4180', () => {
    const csv = measurementsToCsv([
      row,
      { ...row, segmentLabel: 'a, "b"', smi: undefined, heightM: undefined },
    ]);
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe(
      'StudyInstanceUID,SeriesInstanceUID,SOPInstanceUID,InstanceNumber,SlicePosition_mm,Segment,Area_cm2,MeanHU,SDHU,VoxelCount,HURange,SMI_cm2_per_m2,Height_m,Model,ModelVersion',
    );
    expect(lines[1]).toBe(
      '1.2.3,1.2.3.4,1.2.3.4.5,12,-100.25,Skeletal muscle (L3),123.46,35.0,21.0,12935,-29..150 HU,41.67,1.720,sam2.1-hiera-tiny,1',
    );
    expect(lines[2]).toContain(',"a, ""b""",');
    expect(lines[2]).toContain(',-29..150 HU,,,sam2');
    expect(lines[3]).toBe('');
  });

  it('defuses spreadsheet formulas in labels', () => {
    expect(measurementsToCsv([{ ...row, segmentLabel: '=HYPERLINK("x")' }])).toContain(
      `,"'=HYPERLINK(""x"")",`,
    );
  });
});

interface ReferenceStats {
  count: number;
  mean: number | null;
  sd: number | null;
  area_cm2: number;
}
interface ReferenceOutput {
  shape: [number, number, number];
  voxel_cm2: number;
  masks: Record<
    string,
    { range: [number, number]; slices: Array<{ k: number; all: ReferenceStats; in_range: ReferenceStats }> }
  >;
}

describeWithMasks('real CT reference tissue masks vs an independent computation', () => {
  const files: Record<Tissue, string> = {
    'skeletal-muscle': 'skeletal_muscle',
    vat: 'torso_fat',
    sat: 'subcutaneous_fat',
  };
  let reference: ReferenceOutput;
  const ct = () => readNifti(path.join(tissueDir, 'example_ct_sm.nii.gz'));

  beforeAll(() => {
    // The reference uses its own copy of the standard ranges, so a wrong default fails here too.
    const args = [
      path.join(__dirname, 'reference', 'tissue_reference.py'),
      path.join(tissueDir, 'example_ct_sm.nii.gz'),
      `skeletal-muscle=${path.join(tissueDir, 'example_seg_tissue_types', 'skeletal_muscle.nii.gz')}:-29:150`,
      `vat=${path.join(tissueDir, 'example_seg_tissue_types', 'torso_fat.nii.gz')}:-150:-50`,
      `sat=${path.join(tissueDir, 'example_seg_tissue_types', 'subcutaneous_fat.nii.gz')}:-190:-30`,
    ];
    reference = JSON.parse(execFileSync('python3', args, { encoding: 'utf8', maxBuffer: 64 << 20 }));
  });

  it.each(Object.keys(files) as Tissue[])(
    '%s: area within 0.5 %%, mean HU within 0.5 HU on every slice',
    (tissue) => {
      const volume = ct();
      const mask = readNifti(path.join(tissueDir, 'example_seg_tissue_types', `${files[tissue]}.nii.gz`));
      const [sx, sy] = volume.spacing;
      const slices = reference.masks[tissue].slices;
      expect(slices.length).toBeGreaterThan(0);
      for (const { k, all, in_range } of slices) {
        const labelmap = Uint8Array.from(sliceOf(mask, k));
        const hu = sliceOf(volume, k);
        // NIfTI pixdim[1] is the x (column) step and pixdim[2] the y (row) step.
        const pixelSpacing = { rowMm: sy, columnMm: sx };
        const whole = segmentStats({ labelmap, segmentIndex: 1, hu, pixelSpacing });
        const ranged = segmentStats({
          labelmap,
          segmentIndex: 1,
          hu,
          pixelSpacing,
          huRange: DEFAULT_HU_RANGES[tissue],
        });
        for (const [mine, ref] of [
          [whole, all],
          [ranged, in_range],
        ] as const) {
          expect(mine.voxelCount).toBe(ref.count);
          if (ref.count === 0) continue;
          expect(Math.abs(mine.areaCm2 - ref.area_cm2) / ref.area_cm2).toBeLessThanOrEqual(0.005);
          expect(Math.abs(mine.meanHu - (ref.mean as number))).toBeLessThanOrEqual(0.5);
          expect(Math.abs(mine.sdHu - (ref.sd as number))).toBeLessThanOrEqual(0.5);
        }
      }
    },
  );

  it('the muscle mask totals agree with the data README (35,293 voxels, mean 17.6 HU)', () => {
    const slices = reference.masks['skeletal-muscle'].slices;
    const total = slices.reduce((s, x) => s + x.all.count, 0);
    const mean = slices.reduce((s, x) => s + (x.all.mean as number) * x.all.count, 0) / total;
    expect(total).toBe(35293);
    expect(mean).toBeCloseTo(17.6, 1);
  });
});

describe('slicePositionMm', () => {
  it('is ImagePositionPatient projected on the slice normal (row × column direction)', () => {
    // Axial HFS slice of the example CT (shared/data README A1): z = −784.5 for instance 276.
    expect(slicePositionMm([-250, -250, -784.5], [1, 0, 0], [0, 1, 0])).toBeCloseTo(-784.5, 9);
    // Sagittal: rows along y, columns along −z → normal (1,0,0)·… = x.
    expect(slicePositionMm([12.5, -100, 50], [0, 1, 0], [0, 0, -1])).toBeCloseTo(-12.5, 9);
    expect(slicePositionMm(undefined, [1, 0, 0], [0, 1, 0])).toBeUndefined();
    expect(slicePositionMm(['a', 0, 0], [1, 0, 0], [0, 1, 0])).toBeUndefined();
  });
});
