/**
 * Reading what OHIF stored in Orthanc, through Orthanc's own REST API (not through the viewer): the SEG
 * instances of a study, their tags (`/instances/{id}/tags?simplify`), Orthanc's metadata and the decoded
 * pixels of a frame (`/frames/{n}/numpy`).
 */
import type { OrthancProcess } from '../../docker/test/helpers';

/** SOP classes of DICOM SEG: the binary/fractional Segmentation Storage and Label Map Segmentation Storage. */
export const SEG_SOP_CLASS = {
  bitmap: '1.2.840.10008.5.1.4.1.1.66.4',
  labelmap: '1.2.840.10008.5.1.4.1.1.66.7',
} as const;

export type SimplifiedTags = Record<string, unknown>;

export async function orthancGet(orthanc: OrthancProcess, uri: string): Promise<Response> {
  const res = await fetch(`${orthanc.url}${uri}`, { headers: { Authorization: orthanc.authorization } });
  if (!res.ok) throw new Error(`Orthanc GET ${uri}: ${res.status} ${await res.text()}`);
  return res;
}

export async function orthancJson<T>(orthanc: OrthancProcess, uri: string, body?: unknown): Promise<T> {
  if (body === undefined) return (await (await orthancGet(orthanc, uri)).json()) as T;
  const res = await fetch(`${orthanc.url}${uri}`, {
    method: 'POST',
    headers: { Authorization: orthanc.authorization, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`Orthanc POST ${uri}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Orthanc ids of the instances of a study that match `query` (DICOM keywords, any level). */
export function findInstances(
  orthanc: OrthancProcess,
  studyInstanceUid: string,
  query: Record<string, string> = {},
): Promise<string[]> {
  return orthancJson<string[]>(orthanc, '/tools/find', {
    Level: 'Instance',
    Query: { StudyInstanceUID: studyInstanceUid, ...query },
  });
}

export function instanceTags(orthanc: OrthancProcess, id: string): Promise<SimplifiedTags> {
  return orthancJson<SimplifiedTags>(orthanc, `/instances/${id}/tags?simplify`);
}

/** Orthanc's own metadata of an instance (SopClassUid, TransferSyntax, Origin, ...). */
export function instanceMetadata(orthanc: OrthancProcess, id: string): Promise<Record<string, string>> {
  return orthancJson<Record<string, string>>(orthanc, `/instances/${id}/metadata?expand`);
}

/** A frame decoded by Orthanc (RLE included) as NumPy's .npy (Orthanc 1.10 answers float32); row by row. */
export async function frameValues(
  orthanc: OrthancProcess,
  id: string,
  frame: number,
): Promise<{ shape: number[]; values: ArrayLike<number> }> {
  const answer = await orthancGet(orthanc, `/instances/${id}/frames/${frame}/numpy`);
  const buffer = Buffer.from(await answer.arrayBuffer());
  if (buffer.subarray(0, 6).toString('latin1') !== '\x93NUMPY') throw new Error('not a .npy answer');
  const major = buffer[6];
  const headerLength = major === 1 ? buffer.readUInt16LE(8) : buffer.readUInt32LE(8);
  const headerStart = major === 1 ? 10 : 12;
  const header = buffer.subarray(headerStart, headerStart + headerLength).toString('latin1');
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1] ?? '';
  const shape = (/'shape':\s*\(([^)]*)\)/.exec(header)?.[1] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  // A copy, so the typed array starts on an aligned offset.
  const data = new Uint8Array(buffer.subarray(headerStart + headerLength)).buffer;
  const views: Record<string, (b: ArrayBuffer) => ArrayLike<number>> = {
    '|u1': (b) => new Uint8Array(b),
    '<u2': (b) => new Uint16Array(b),
    '<i2': (b) => new Int16Array(b),
    '<f4': (b) => new Float32Array(b),
  };
  const view = views[descr];
  if (!view || /'fortran_order':\s*True/.test(header))
    throw new Error(`unexpected .npy layout: ${header.trim()}`);
  return { shape, values: view(data) };
}

/** `a\b\c` (Orthanc's simplified multi-valued string) → numbers. */
export function multiValue(value: unknown): number[] {
  return String(value ?? '')
    .split('\\')
    .filter(Boolean)
    .map(Number);
}

/**
 * sRGB (0-255) → DICOM scaled CIELab (PS3.3 C.10.7.1.1: L* 0..100 → 0..65535, a*, b* -128..127 →
 * 0..65535), D65 white point: what a SEG's RecommendedDisplayCIELabValue should hold for a display colour.
 */
export function rgbToDicomLab([r, g, b]: number[]): [number, number, number] {
  const linear = (c: number) => {
    const v = c / 255;
    return v > 0.04045 ? ((v + 0.055) / 1.055) ** 2.4 : v / 12.92;
  };
  const [R, G, B] = [linear(r), linear(g), linear(b)];
  const X = (0.4124564 * R + 0.3575761 * G + 0.1804375 * B) / 0.95047;
  const Y = 0.2126729 * R + 0.7151522 * G + 0.072175 * B;
  const Z = (0.0193339 * R + 0.119192 * G + 0.9503041 * B) / 1.08883;
  const f = (t: number) => (t > 216 / 24389 ? Math.cbrt(t) : (24389 / 27 / 116) * t + 16 / 116);
  const L = 116 * f(Y) - 16;
  const a = 500 * (f(X) - f(Y));
  const bb = 200 * (f(Y) - f(Z));
  return [
    Math.round((L * 65535) / 100),
    Math.round(((a + 128) * 65535) / 255),
    Math.round(((bb + 128) * 65535) / 255),
  ];
}
