/**
 * The mapping of reference masks to slices on the real CT and TotalSegmentator masks (../shared/data),
 * checked against the mapping shared/data/README.md documents (found there with nibabel and the HU
 * inside the masks), with the NIfTI files read directly here, not through the evaluation's readers.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { data as dcmjsData } from 'dcmjs';
import { readImages, readReference } from '../../../scripts/eval/io/inputs';
import { sliceMetrics } from '../../../scripts/eval/metrics';
import { decodeRle } from '../../../scripts/eval/rle';
import { rawNifti } from '../../helpers/rawNifti';
import { describeWithSharedData, sharedDataDir } from '../../helpers/sharedData';

const seg = path.join(sharedDataDir, 'seg_reference', 'totalsegmentator');
const dicomDir = path.join(sharedDataDir, 'ct_dicom', 'totalseg_example_ct_dicom', 'uncompressed_with_uids');
const table = path.join(seg, 'labels_total_v2.tsv');

/** The service's RLE of a row-major mask, encoded here independently (column-major runs, zeros first). */
function encodeRle(mask: Uint8Array, columns: number, rows: number) {
  const counts: number[] = [];
  let current = 0;
  let run = 0;
  for (let i = 0; i < columns; i++) {
    for (let j = 0; j < rows; j++) {
      const v = mask[j * columns + i];
      if (v !== current) {
        counts.push(run);
        run = 0;
        current = v;
      }
      run++;
    }
  }
  counts.push(run);
  return { size: [rows, columns] as [number, number], counts };
}

/** Brute-force HD95 (max of the two directed 95th percentiles, linear interpolation), 4-neighbour edges. */
function bruteHd95(
  a: Uint8Array,
  b: Uint8Array,
  columns: number,
  rows: number,
  sx: number,
  sy: number,
): number {
  const edge = (m: Uint8Array) => {
    const out: [number, number][] = [];
    for (let j = 0; j < rows; j++) {
      for (let i = 0; i < columns; i++) {
        if (!m[j * columns + i]) continue;
        const n = [
          [i - 1, j],
          [i + 1, j],
          [i, j - 1],
          [i, j + 1],
        ];
        if (n.some(([x, y]) => x < 0 || y < 0 || x >= columns || y >= rows || !m[y * columns + x]))
          out.push([i, j]);
      }
    }
    return out;
  };
  const directed = (from: [number, number][], to: [number, number][]) => {
    const d = from
      .map(([i, j]) => Math.min(...to.map(([x, y]) => Math.hypot((i - x) * sx, (j - y) * sy))))
      .sort((p, q) => p - q);
    const pos = 0.95 * (d.length - 1);
    const lo = Math.floor(pos);
    return d[lo] + (d[Math.min(d.length - 1, lo + 1)] - d[lo]) * (pos - lo);
  };
  const ea = edge(a);
  const eb = edge(b);
  return Math.max(directed(ea, eb), directed(eb, ea));
}

describeWithSharedData('reference masks on the real CT (TotalSegmentator)', () => {
  const volume = readImages(dicomDir);
  const reference = readReference(volume, path.join(seg, 'example_seg_dicom.nii.gz'), table);
  const raw = rawNifti(path.join(seg, 'example_seg_dicom.nii.gz'));
  const liver = reference.structures.find((s) => s.name === 'liver')!;
  const n = 512 * 512;

  it('DICOM series + NIfTI: mask of slice k = seg[i, 511 − j, k], slice k = InstanceNumber 286 − k (README)', () => {
    expect([volume.columns, volume.rows, volume.slices]).toEqual([512, 512, 20]);
    for (let k = 0; k < 20; k++) {
      expect(volume.sliceLabels[k]).toBe(`instance ${286 - k}`);
      const mask = reference.mask(liver, k) as Uint8Array;
      let mismatches = 0;
      for (let j = 0; j < 512; j++) {
        for (let i = 0; i < 512; i++) {
          const expected = raw.values[i + 512 * (511 - j) + n * k] === 5 ? 1 : 0;
          if (mask[j * 512 + i] !== expected) mismatches++;
        }
      }
      expect(mismatches).toBe(0);
    }
  });

  it('the HU inside the mapped liver is liver (README 89 HU); the unflipped mapping would give fat/air', () => {
    let mapped = 0;
    let unflipped = 0;
    let count = 0;
    for (let k = 0; k < 20; k++) {
      const mask = reference.mask(liver, k) as Uint8Array;
      for (let j = 0; j < 512; j++) {
        for (let i = 0; i < 512; i++) {
          if (raw.values[i + 512 * j + n * k] === 5) unflipped += volume.values[k * n + j * 512 + i];
          if (!mask[j * 512 + i]) continue;
          mapped += volume.values[k * n + j * 512 + i];
          count++;
        }
      }
    }
    expect(count).toBe(366708);
    expect(mapped / count).toBeGreaterThan(80);
    expect(mapped / count).toBeLessThan(100);
    expect(unflipped / count).toBeLessThan(0);
  });

  it('NIfTI CT + NIfTI labels: display (column i, row j) = file (121 − i, 100 − j) for image and mask alike', () => {
    const ct = readImages(path.join(seg, 'example_ct.nii.gz'));
    const ref = readReference(ct, path.join(seg, 'example_seg_fast_force_split.nii.gz'), table);
    const rawCt = rawNifti(path.join(seg, 'example_ct.nii.gz'));
    const rawSeg = rawNifti(path.join(seg, 'example_seg_fast_force_split.nii.gz'));
    expect([ct.columns, ct.rows, ct.slices]).toEqual([122, 101, 112]);
    const l3 = ref.structures.find((s) => s.name === 'vertebrae_L3')!;
    const plane = 122 * 101;
    let voxels = 0;
    let hu = 0;
    let valueMismatches = 0;
    let maskMismatches = 0;
    for (let k = 0; k < 112; k++) {
      const mask = ref.mask(l3, k) as Uint8Array;
      for (let j = 0; j < 101; j++) {
        for (let i = 0; i < 122; i++) {
          const file = 121 - i + 122 * (100 - j) + plane * k;
          if (ct.values[k * plane + j * 122 + i] !== rawCt.values[file]) valueMismatches++;
          if (mask[j * 122 + i] !== (rawSeg.values[file] === 29 ? 1 : 0)) maskMismatches++;
          if (mask[j * 122 + i]) {
            voxels++;
            hu += ct.values[k * plane + j * 122 + i];
          }
        }
      }
    }
    expect([valueMismatches, maskMismatches]).toEqual([0, 0]);
    expect(voxels).toBe(2446); // README: 29 L3 (2446)
    expect(hu / voxels).toBeGreaterThan(180); // README: 220 HU, bone
  });

  it('a perfect prediction (the reference fed back as the service’s RLE) scores Dice 1, HD95 0, no area error', () => {
    const k = 286 - 276; // instance 276, where shared/data lists the organ boxes
    const ref = reference.mask(liver, k) as Uint8Array;
    const back = decodeRle(encodeRle(ref, 512, 512));
    expect(sliceMetrics(back, ref, 512, 512, { column: 0.9765625, row: 0.9765625 })).toMatchObject({
      dice: 1,
      iou: 1,
      hd95Mm: 0,
      areaErrorCm2: 0,
      areaErrorPct: 0,
    });
  });

  it('the reference shifted one column to the right scores what it should (counted here independently)', () => {
    const k = 286 - 276;
    const ref = reference.mask(liver, k) as Uint8Array;
    const shifted = new Uint8Array(ref.length);
    let size = 0;
    let overlap = 0;
    for (let j = 0; j < 512; j++) {
      for (let i = 0; i < 512; i++) {
        if (ref[j * 512 + i]) size++;
        if (i > 0 && ref[j * 512 + i - 1]) shifted[j * 512 + i] = 1;
        // Shifted pixel (i, j) is reference pixel (i − 1, j): they overlap where both neighbours are inside.
        if (i > 0 && ref[j * 512 + i - 1] && ref[j * 512 + i]) overlap++;
      }
    }
    const m = sliceMetrics(decodeRle(encodeRle(shifted, 512, 512)), ref, 512, 512, {
      column: 0.9765625,
      row: 0.9765625,
    });
    expect(m.dice).toBeCloseTo((2 * overlap) / (2 * size), 12);
    expect(m.iou).toBeCloseTo(overlap / (2 * size - overlap), 12);
    expect(m.dice).toBeLessThan(1);
    expect(m.hd95Mm).toBeCloseTo(bruteHd95(shifted, ref, 512, 512, 0.9765625, 0.9765625), 9);
    expect(m.areaErrorCm2).toBeCloseTo(0, 12);
  });

  it('a DICOM SEG (written with dcmjs, frames out of order) gives the same masks as the label map', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'eval-seg-'));
    try {
      const file = path.join(dir, 'liver_aorta.seg.dcm');
      writeFileSync(file, makeSeg(raw, [5, 52], ['liver', 'aorta']));
      const fromSeg = readReference(volume, file);
      expect(fromSeg.structures.map((s) => s.name)).toEqual(['liver', 'aorta']);
      for (const [name, k] of [
        ['liver', 10],
        ['liver', 0],
        ['aorta', 19],
      ] as const) {
        const a = fromSeg.mask(
          fromSeg.structures.find((s) => s.name === name)!,
          k,
        ) as Uint8Array;
        const b = reference.mask(
          reference.structures.find((s) => s.name === name)!,
          k,
        ) as Uint8Array;
        expect(a.reduce((x, v) => x + v, 0)).toBeGreaterThan(0);
        expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  /**
   * A BINARY SEG on the DICOM series: one frame per segment and slice, its position the instance's own
   * Image Position (read from the file), its pixels seg[i, 511 − j, k] (README), frames in reverse order.
   */
  function makeSeg(labels: { values: Float64Array }, values: number[], names: string[]): Buffer {
    const { DicomDict, DicomMetaDictionary } = dcmjsData;
    const frames: { segment: number; position: number[]; bits: Uint8Array }[] = [];
    for (let k = 0; k < 20; k++) {
      const instance = DicomMetaDictionary.naturalizeDataset(
        dcmjsData.DicomMessage.readFile(bufferOf(path.join(dicomDir, `CT_0${286 - k}.dcm`))).dict,
      );
      values.forEach((value, s) => {
        const bits = new Uint8Array(n);
        for (let j = 0; j < 512; j++)
          for (let i = 0; i < 512; i++)
            bits[j * 512 + i] = labels.values[i + 512 * (511 - j) + n * k] === value ? 1 : 0;
        frames.push({
          segment: s + 1,
          position: (instance.ImagePositionPatient as number[]).map(Number),
          bits,
        });
      });
    }
    frames.reverse();
    const packed = new Uint8Array(Math.ceil((frames.length * n) / 8));
    frames.forEach((f, index) => {
      for (let p = 0; p < n; p++) if (f.bits[p]) packed[(index * n + p) >> 3] |= 1 << ((index * n + p) & 7);
    });
    const uid = '2.25.123456789';
    const meta = {
      FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
      MediaStorageSOPClassUID: '1.2.840.10008.5.1.4.1.1.66.4',
      MediaStorageSOPInstanceUID: uid,
      TransferSyntaxUID: '1.2.840.10008.1.2.1',
      ImplementationClassUID: '2.25.1',
    };
    const dataset = {
      SOPClassUID: '1.2.840.10008.5.1.4.1.1.66.4',
      SOPInstanceUID: uid,
      Modality: 'SEG',
      Rows: 512,
      Columns: 512,
      NumberOfFrames: frames.length,
      BitsAllocated: 1,
      BitsStored: 1,
      HighBit: 0,
      SamplesPerPixel: 1,
      PhotometricInterpretation: 'MONOCHROME2',
      PixelRepresentation: 0,
      SegmentationType: 'BINARY',
      SegmentSequence: names.map((name, s) => ({ SegmentNumber: s + 1, SegmentLabel: name })),
      SharedFunctionalGroupsSequence: [
        {
          PlaneOrientationSequence: [{ ImageOrientationPatient: [1, 0, 0, 0, 1, 0] }],
          PixelMeasuresSequence: [{ PixelSpacing: [0.9765625, 0.9765625], SliceThickness: 3 }],
        },
      ],
      PerFrameFunctionalGroupsSequence: frames.map((f) => ({
        PlanePositionSequence: [{ ImagePositionPatient: f.position }],
        SegmentIdentificationSequence: [{ ReferencedSegmentNumber: f.segment }],
      })),
      PixelData: packed.buffer,
      _vrMap: { PixelData: 'OB' },
    };
    const dict = new DicomDict(DicomMetaDictionary.denaturalizeDataset(meta));
    dict.dict = DicomMetaDictionary.denaturalizeDataset(dataset);
    return Buffer.from(dict.write());
  }
});

function bufferOf(file: string): ArrayBuffer {
  const b = readFileSync(file);
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
}
