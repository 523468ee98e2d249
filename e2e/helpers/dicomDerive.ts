/**
 * Test images derived at test time from an uncompressed DICOM file (Explicit VR Little Endian): other
 * header values (geometry, UIDs, names) and other pixels, written to a temp dir. dicom-parser finds the
 * elements; changed elements are spliced in with a new length (top-level elements only, which is all a
 * CT image's geometry needs). UIDs in the file meta group keep their length so its group length holds.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as dicomParser from 'dicom-parser';

/** VRs whose explicit-VR header has a 4-byte length (PS3.5 7.1.2). */
const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);

export interface DicomImage {
  bytes: Buffer;
  dataSet: dicomParser.DataSet;
  rows: number;
  columns: number;
  /** Stored values, row-major (`rows × columns`), as unsigned or signed per PixelRepresentation. */
  pixels: Uint16Array | Int16Array;
  slope: number;
  intercept: number;
}

export function readDicom(file: string): DicomImage {
  const bytes = readFileSync(file);
  const dataSet = dicomParser.parseDicom(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  if (dataSet.string('x00020010') !== '1.2.840.10008.1.2.1')
    throw new Error(`${file}: only Explicit VR Little Endian files can be derived`);
  const rows = dataSet.uint16('x00280010')!;
  const columns = dataSet.uint16('x00280011')!;
  const el = dataSet.elements.x7fe00010;
  const copy = bytes.buffer.slice(
    bytes.byteOffset + el.dataOffset,
    bytes.byteOffset + el.dataOffset + el.length,
  );
  return {
    bytes,
    dataSet,
    rows,
    columns,
    pixels: dataSet.uint16('x00280103') === 1 ? new Int16Array(copy) : new Uint16Array(copy),
    slope: Number(dataSet.string('x00281053') ?? 1),
    intercept: Number(dataSet.string('x00281052') ?? 0),
  };
}

/** The stored value for a modality (HU) value: (HU − intercept) / slope. */
export function storedValue(image: DicomImage, hu: number): number {
  return Math.round((hu - image.intercept) / image.slope);
}

function stringValue(vr: string, value: string): Buffer {
  const padded = value.length % 2 ? value + (vr === 'UI' ? '\0' : ' ') : value;
  return Buffer.from(padded, 'latin1');
}

function uint16Value(value: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(value);
  return b;
}

function header(tag: string, vr: string, length: number): Buffer {
  const group = parseInt(tag.slice(1, 5), 16);
  const element = parseInt(tag.slice(5, 9), 16);
  const long = LONG_VRS.has(vr);
  const b = Buffer.alloc(long ? 12 : 8);
  b.writeUInt16LE(group, 0);
  b.writeUInt16LE(element, 2);
  b.write(vr, 4, 'latin1');
  if (long) b.writeUInt32LE(length, 8);
  else b.writeUInt16LE(length, 6);
  return b;
}

export interface Derivation {
  /** String-valued elements by dicom-parser tag (`x00200037`...): DS values joined with `\`. */
  strings?: Record<string, string>;
  /** New pixels (stored values) with their matrix size. */
  pixels?: { rows: number; columns: number; data: Uint16Array | Int16Array };
}

/** The file with the given elements replaced (each must already exist in the file). */
export function deriveDicom(image: DicomImage, change: Derivation): Buffer {
  const edits: Array<{ tag: string; value: Buffer }> = [];
  for (const [tag, value] of Object.entries(change.strings ?? {})) {
    const el = image.dataSet.elements[tag];
    if (!el?.vr) throw new Error(`element ${tag} is not in the file`);
    edits.push({ tag, value: stringValue(el.vr, value) });
  }
  if (change.pixels) {
    const { data, rows, columns } = change.pixels;
    edits.push({ tag: 'x00280010', value: uint16Value(rows) });
    edits.push({ tag: 'x00280011', value: uint16Value(columns) });
    edits.push({ tag: 'x7fe00010', value: Buffer.from(data.buffer, data.byteOffset, data.byteLength) });
  }
  // Splice from the end of the file backwards so earlier offsets stay valid.
  const placed = edits
    .map((e) => ({ ...e, el: image.dataSet.elements[e.tag] }))
    .sort((a, b) => b.el.dataOffset - a.el.dataOffset);
  let bytes = image.bytes;
  for (const { tag, value, el } of placed) {
    const vr = el.vr!;
    const start = el.dataOffset - (LONG_VRS.has(vr) ? 12 : 8);
    if (tag.startsWith('x0002') && value.length !== el.length)
      throw new Error(`${tag}: file meta values must keep their length`);
    bytes = Buffer.concat([
      bytes.subarray(0, start),
      header(tag, vr, value.length),
      value,
      bytes.subarray(el.dataOffset + el.length),
    ]);
  }
  return bytes;
}

/** A UID of the same length as `uid` whose last digits are `suffix` (a distinct, valid UID per case). */
export function sameLengthUid(uid: string, suffix: number): string {
  const digits = String(suffix);
  return uid.slice(0, uid.length - digits.length) + digits;
}

/** A fresh temp dir for derived files (never inside the repository). */
export function derivedFilesDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'sam2-geometry-'));
}

export function writeDerived(dir: string, name: string, bytes: Buffer): string {
  const file = path.join(dir, name);
  writeFileSync(file, bytes);
  return file;
}
