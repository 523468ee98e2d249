/**
 * Reading an SR document (a Part-10 file, with dcmjs) and its content tree as dcmjs naturalizes it (keywords as keys; a one-item
 * sequence may come as the item itself): items by concept name, NUM values with their unit, TEXT
 * values. Concept names are written "SCHEME:VALUE" (e.g. "DCM:126010").
 */
import { data as dcmjsData } from 'dcmjs';

export type SrItem = Record<string, unknown>;

/** A DICOM Part-10 file's dataset, naturalized by dcmjs. */
export function readPart10(bytes: Buffer): SrItem {
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  return dcmjsData.DicomMetaDictionary.naturalizeDataset(dcmjsData.DicomMessage.readFile(buffer).dict);
}

export function items(value: unknown): SrItem[] {
  if (Array.isArray(value)) return value as SrItem[];
  return value && typeof value === 'object' ? [value as SrItem] : [];
}

/** "SCHEME:VALUE" of the first code of `key` (the concept name by default). */
export function codeOf(item: SrItem, key = 'ConceptNameCodeSequence'): string {
  const code = items(item[key])[0];
  return code ? `${code.CodingSchemeDesignator}:${code.CodeValue}` : '';
}

export function childrenNamed(item: SrItem, concept: string): SrItem[] {
  return items(item.ContentSequence).filter((c) => codeOf(c) === concept);
}

/** The one child with this concept name; throws when there is none or more than one. */
export function onlyChild(item: SrItem, concept: string): SrItem {
  const found = childrenNamed(item, concept);
  if (found.length !== 1) throw new Error(`expected one ${concept}, found ${found.length}`);
  return found[0];
}

export function numValue(item: SrItem): { value: number; unit: string } {
  const measured = items(item.MeasuredValueSequence)[0] ?? {};
  return { value: Number(measured.NumericValue), unit: codeOf(measured, 'MeasurementUnitsCodeSequence') };
}

export function textsOf(item: SrItem, concept: string): string[] {
  return childrenNamed(item, concept).map((c) => String(c.TextValue));
}

/** A value dcmjs may give as a number, a string or a one-element array. */
export function single(value: unknown): number {
  return Number(Array.isArray(value) ? value[0] : value);
}
