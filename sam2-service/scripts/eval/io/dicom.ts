/**
 * DICOM Part-10 files through dcmjs: reading a file into a naturalized dataset (keywords as keys), and
 * the multi-valued attributes the readers need as numbers.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { data as dcmjsData } from 'dcmjs';

export type Dataset = Record<string, unknown>;

/** Transfer syntaxes whose Pixel Data dcmjs hands over as plain little-endian values. */
export const NATIVE_TRANSFER_SYNTAXES = new Set([
  '1.2.840.10008.1.2', // Implicit VR Little Endian
  '1.2.840.10008.1.2.1', // Explicit VR Little Endian
  '1.2.840.10008.1.2.1.99', // Deflated Explicit VR Little Endian
]);

/** The dataset of one file, or undefined when the file is not DICOM Part-10. */
export function readDataset(file: string): Dataset | undefined {
  const bytes = readFileSync(file);
  if (bytes.length < 132 || bytes.toString('latin1', 128, 132) !== 'DICM') return undefined;
  const dict = dcmjsData.DicomMessage.readFile(
    bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
  );
  const dataset = dcmjsData.DicomMetaDictionary.naturalizeDataset(dict.dict);
  const meta = dcmjsData.DicomMetaDictionary.naturalizeDataset(dict.meta);
  dataset._transferSyntax = String(meta.TransferSyntaxUID ?? '');
  return dataset;
}

/** Every DICOM Part-10 file under `dir` (recursively), with its dataset. */
export function readFolder(dir: string): { file: string; dataset: Dataset }[] {
  const out: { file: string; dataset: Dataset }[] = [];
  for (const name of readdirSync(dir).sort()) {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) {
      out.push(...readFolder(file));
      continue;
    }
    const dataset = readDataset(file);
    if (dataset) out.push({ file, dataset });
  }
  return out;
}

/** A numeric multi-valued attribute (dcmjs gives a number, a string or an array of either). */
export function numbers(value: unknown): number[] {
  const list = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  return list.map(Number);
}

export function firstNumber(value: unknown): number | undefined {
  const n = numbers(value)[0];
  return Number.isFinite(n) ? n : undefined;
}

/** The bytes of (uncompressed) Pixel Data: dcmjs gives an array of ArrayBuffers. */
export function pixelBytes(dataset: Dataset, what: string): Uint8Array {
  const ts = String(dataset._transferSyntax);
  if (!NATIVE_TRANSFER_SYNTAXES.has(ts)) {
    throw new Error(
      `${what} uses transfer syntax ${ts} (compressed); decompress it first, e.g. gdcmconv --raw or dcmdjpeg`,
    );
  }
  const parts = (Array.isArray(dataset.PixelData) ? dataset.PixelData : [dataset.PixelData]) as ArrayBuffer[];
  if (!parts.length || !(parts[0] instanceof ArrayBuffer)) throw new Error(`${what} has no Pixel Data`);
  const total = parts.reduce((n, p) => n + p.byteLength, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(new Uint8Array(p), offset);
    offset += p.byteLength;
  }
  return out;
}
