/**
 * DICOM Segmentation (SEG, PS3.3 A.51) as the reference, read with dcmjs. Each frame is one segment on
 * one plane (Segment Identification, Plane Position); a frame is placed on the image slice whose voxels
 * it covers, checked from both geometries (same orientation and spacing, whole-pixel offsets).
 * BINARY frames are bit-packed (PS3.5 8.1.1, bit 0 of byte 0 first); FRACTIONAL frames count as inside
 * from half the Maximum Fractional Value.
 */
import { gridMapping, mapIndex } from '../geometry';
import type { Volume } from '../volume';
import { type Dataset, numbers, pixelBytes, readDataset } from './dicom';
import type { Reference, ReferenceStructure } from './reference';

/** dcmjs naturalizes a sequence as an array of items (or one item). */
function item(value: unknown): Dataset | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return v && typeof v === 'object' ? (v as Dataset) : undefined;
}

function frameAttr(
  perFrame: Dataset | undefined,
  shared: Dataset | undefined,
  seq: string,
): Dataset | undefined {
  return item(perFrame?.[seq]) ?? item(shared?.[seq]);
}

interface PlacedFrame {
  segment: number;
  k: number;
  /** Image pixel (i, j) → frame pixel index, or −1 outside the frame. */
  lookup: (i: number, j: number) => number;
  bits: (p: number) => boolean;
}

export function readDicomSeg(image: Volume, file: string): Reference {
  const ds = readDataset(file);
  if (!ds || ds.Modality !== 'SEG')
    throw new Error('--labels is neither a NIfTI label map nor a DICOM SEG file');
  const rows = Number(ds.Rows);
  const columns = Number(ds.Columns);
  const frames = Number(ds.NumberOfFrames ?? 1);
  const binary = ds.SegmentationType !== 'FRACTIONAL';
  const bytes = pixelBytes(ds, 'the SEG');
  const perPixel = rows * columns;
  const threshold = Number(ds.MaximumFractionalValue ?? 255) / 2;
  const shared = item(ds.SharedFunctionalGroupsSequence);
  const perFrame = (
    Array.isArray(ds.PerFrameFunctionalGroupsSequence)
      ? ds.PerFrameFunctionalGroupsSequence
      : [ds.PerFrameFunctionalGroupsSequence]
  ) as Dataset[];
  const segments = (
    Array.isArray(ds.SegmentSequence) ? ds.SegmentSequence : [ds.SegmentSequence]
  ) as Dataset[];
  const structures: ReferenceStructure[] = segments.map((s) => ({
    value: Number(s.SegmentNumber),
    name: String(s.SegmentLabel ?? `segment_${String(s.SegmentNumber)}`),
  }));

  const placed: PlacedFrame[] = [];
  for (let f = 0; f < frames; f++) {
    const pf = perFrame[f];
    const segment = Number(frameAttr(pf, shared, 'SegmentIdentificationSequence')?.ReferencedSegmentNumber);
    const position = numbers(frameAttr(pf, shared, 'PlanePositionSequence')?.ImagePositionPatient);
    const iop = numbers(frameAttr(pf, shared, 'PlaneOrientationSequence')?.ImageOrientationPatient);
    const spacing = numbers(frameAttr(pf, shared, 'PixelMeasuresSequence')?.PixelSpacing);
    if (position.length !== 3 || iop.length !== 6 || spacing.length !== 2 || !Number.isFinite(segment)) {
      throw new Error(
        `SEG frame ${f + 1} lacks its segment number, plane position, orientation or pixel spacing`,
      );
    }
    const frameToLps = [0, 1, 2].map((d) => [
      iop[d] * spacing[1],
      iop[3 + d] * spacing[0],
      image.ijkToLps[d][2],
      position[d],
    ]);
    frameToLps.push([0, 0, 0, 1]);
    const m = gridMapping(image.ijkToLps, frameToLps);
    if (m.axis[2] !== 2) throw new Error(`SEG frame ${f + 1} is not parallel to the image slices`);
    const k = -m.offset[2] * m.sign[2];
    if (k < 0 || k >= image.slices) continue; // outside the image: nothing to evaluate there
    const offset = f * perPixel;
    placed.push({
      segment,
      k,
      lookup: (i, j) => {
        const [a, b] = mapIndex(m, [i, j, k]);
        return a >= 0 && a < columns && b >= 0 && b < rows ? a + columns * b : -1;
      },
      bits: binary
        ? (p) => ((bytes[(offset + p) >> 3] >> ((offset + p) & 7)) & 1) === 1
        : (p) => bytes[offset + p] >= threshold,
    });
  }
  return {
    structures,
    mask(structure, k) {
      const out = new Uint8Array(image.columns * image.rows);
      for (const frame of placed) {
        if (frame.segment !== structure.value || frame.k !== k) continue;
        let o = 0;
        for (let j = 0; j < image.rows; j++) {
          for (let i = 0; i < image.columns; i++, o++) {
            const p = frame.lookup(i, j);
            if (p >= 0 && frame.bits(p)) out[o] = 1;
          }
        }
      }
      return out;
    },
  };
}
