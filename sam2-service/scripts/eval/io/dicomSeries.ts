/**
 * A folder of single-frame DICOM images (one series) as the image volume, in the viewer's geometry:
 * each slice keeps its stored rows and columns (what the viewer shows), slices ordered along the slice
 * normal (Image Orientation row × column direction), positions from Image Position (Patient).
 */
import { cross, dot } from '../vector';
import type { Volume } from '../volume';
import { type Dataset, firstNumber, numbers, pixelBytes, readFolder } from './dicom';

const IMAGE_MODALITIES = new Set(['CT', 'MR', 'PT', 'CR', 'DX', 'OT']);

export function readDicomSeries(dir: string): Volume {
  const instances = readFolder(dir).filter(({ dataset }) => IMAGE_MODALITIES.has(String(dataset.Modality)));
  if (!instances.length) throw new Error(`no DICOM images (CT, MR, …) in the --images folder`);
  const series = new Set(instances.map((i) => String(i.dataset.SeriesInstanceUID ?? '')));
  if (series.size > 1) {
    throw new Error(`the --images folder holds ${series.size} series; give a folder with one series`);
  }
  const first = instances[0].dataset;
  const iop = numbers(first.ImageOrientationPatient);
  const spacing = numbers(first.PixelSpacing);
  if (iop.length !== 6 || spacing.length !== 2) {
    throw new Error(
      'the images lack Image Orientation (Patient) or Pixel Spacing: no geometry to map a reference',
    );
  }
  const rowDir = iop.slice(0, 3);
  const colDir = iop.slice(3, 6);
  const normal = cross(rowDir, colDir);
  const slices = instances
    .map(({ dataset }) => ({ dataset, position: numbers(dataset.ImagePositionPatient) }))
    .map((s) => ({ ...s, along: dot(s.position, normal) }))
    .sort((a, b) => a.along - b.along);
  for (const s of slices) checkSameGrid(s.dataset, first, iop);
  const step =
    slices.length > 1 ? (slices[slices.length - 1].along - slices[0].along) / (slices.length - 1) : 1;
  slices.forEach((s, k) => {
    if (
      slices.length > 1 &&
      Math.abs(s.along - (slices[0].along + k * step)) > 0.01 * Math.abs(step) + 1e-3
    ) {
      throw new Error('the slices are not evenly spaced (missing or duplicate slices)');
    }
  });
  if (slices.length > 1 && Math.abs(step) < 1e-6) throw new Error('two slices share one position');

  const columns = Number(first.Columns);
  const rows = Number(first.Rows);
  const p0 = slices[0].position;
  // PS3.3 C.7.6.2.1.1: Pixel Spacing is (row spacing, column spacing); the row direction is along columns.
  const ijkToLps = [0, 1, 2].map((d) => [
    rowDir[d] * spacing[1],
    colDir[d] * spacing[0],
    slices.length > 1 ? (slices[slices.length - 1].position[d] - p0[d]) / (slices.length - 1) : normal[d],
    p0[d],
  ]);
  ijkToLps.push([0, 0, 0, 1]);
  const n = columns * rows;
  const values = new Float32Array(n * slices.length);
  slices.forEach((s, k) => values.set(modalityValues(s.dataset, n), k * n));
  const center = firstNumber(first.WindowCenter);
  const width = firstNumber(first.WindowWidth);
  return {
    columns,
    rows,
    slices: slices.length,
    values,
    ijkToLps,
    photometric: first.PhotometricInterpretation === 'MONOCHROME1' ? 'MONOCHROME1' : 'MONOCHROME2',
    window: center !== undefined && width !== undefined && width >= 1 ? { center, width } : undefined,
    sliceLabels: slices.map((s) => `instance ${String(s.dataset.InstanceNumber ?? '?')}`),
  };
}

function checkSameGrid(d: Dataset, first: Dataset, iop: number[]): void {
  const same = numbers(d.ImageOrientationPatient).every((v, i) => Math.abs(v - iop[i]) < 1e-4);
  if (!same || d.Rows !== first.Rows || d.Columns !== first.Columns) {
    throw new Error('the images differ in orientation or size; give one series with one geometry');
  }
}

/** Stored values → modality values (Rescale Slope/Intercept, PS3.3 C.11.1.1.2). */
function modalityValues(d: Dataset, count: number): Float32Array {
  if (Number(d.SamplesPerPixel ?? 1) !== 1) throw new Error('colour images are not supported');
  const bits = Number(d.BitsAllocated);
  const signed = Number(d.PixelRepresentation) === 1;
  const bytes = pixelBytes(d, 'an image');
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + count * (bits / 8));
  const stored =
    bits === 16
      ? signed
        ? new Int16Array(buffer)
        : new Uint16Array(buffer)
      : bits === 8
        ? signed
          ? new Int8Array(buffer)
          : new Uint8Array(buffer)
        : bits === 32
          ? signed
            ? new Int32Array(buffer)
            : new Uint32Array(buffer)
          : undefined;
  if (!stored || stored.length !== count)
    throw new Error(`unsupported Bits Allocated ${bits} or short Pixel Data`);
  const slope = firstNumber(d.RescaleSlope) ?? 1;
  const intercept = firstNumber(d.RescaleIntercept) ?? 0;
  const out = new Float32Array(count);
  for (let v = 0; v < count; v++) out[v] = stored[v] * slope + intercept;
  return out;
}
