/**
 * CSV export of body-composition measurements: one row per measured slice and segment, RFC 4180
 * (comma separated, CRLF line ends, fields with comma, quote or line break quoted, quotes doubled).
 */

export interface MeasurementRow {
  studyInstanceUid: string;
  seriesInstanceUid: string;
  sopInstanceUid: string;
  instanceNumber?: number;
  /** Position of the slice along its normal (ImagePositionPatient · slice normal), mm. */
  slicePositionMm?: number;
  segmentLabel: string;
  /** The segment's index in its labelmap (not exported to the CSV). */
  segmentIndex?: number;
  areaCm2: number;
  meanHu: number;
  sdHu: number;
  voxelCount: number;
  /** e.g. "-29..150 HU"; empty when the segment has no tissue range. */
  huRange?: string;
  /** Skeletal muscle index, cm²/m² (skeletal muscle segments with a known height only). */
  smi?: number;
  heightM?: number;
  modelName?: string;
  modelVersion?: string;
}

export const CSV_COLUMNS: ReadonlyArray<[keyof MeasurementRow, string]> = [
  ['studyInstanceUid', 'StudyInstanceUID'],
  ['seriesInstanceUid', 'SeriesInstanceUID'],
  ['sopInstanceUid', 'SOPInstanceUID'],
  ['instanceNumber', 'InstanceNumber'],
  ['slicePositionMm', 'SlicePosition_mm'],
  ['segmentLabel', 'Segment'],
  ['areaCm2', 'Area_cm2'],
  ['meanHu', 'MeanHU'],
  ['sdHu', 'SDHU'],
  ['voxelCount', 'VoxelCount'],
  ['huRange', 'HURange'],
  ['smi', 'SMI_cm2_per_m2'],
  ['heightM', 'Height_m'],
  ['modelName', 'Model'],
  ['modelVersion', 'ModelVersion'],
];

/** Decimal places per numeric column (area to 0.01 cm², HU to 0.1, SMI to 0.01, height to mm). */
const DECIMALS: Partial<Record<keyof MeasurementRow, number>> = {
  slicePositionMm: 2,
  areaCm2: 2,
  meanHu: 1,
  sdHu: 1,
  smi: 2,
  heightM: 3,
};

function field(row: MeasurementRow, key: keyof MeasurementRow): string {
  const value = row[key];
  if (value === undefined) return '';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return '';
    const decimals = DECIMALS[key];
    return decimals === undefined ? String(value) : value.toFixed(decimals);
  }
  // A spreadsheet would run text starting with = + - @ as a formula (CWE-1236): prefix a quote.
  const text = /^[=+\-@\t\r]/.test(value) && !/^-?\d/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The CSV text: a header line, then one line per row, CRLF-terminated. */
export function measurementsToCsv(rows: readonly MeasurementRow[]): string {
  const lines = [CSV_COLUMNS.map(([, title]) => title).join(',')];
  for (const row of rows) lines.push(CSV_COLUMNS.map(([key]) => field(row, key)).join(','));
  return lines.join('\r\n') + '\r\n';
}
