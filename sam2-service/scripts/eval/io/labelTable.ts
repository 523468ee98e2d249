/**
 * Label table: a TSV with a header line and `value<TAB>name` rows (TotalSegmentator's class map, as
 * in shared/data/seg_reference/totalsegmentator/labels_total_v2.tsv). Extra columns are ignored.
 */
import { readFileSync } from 'node:fs';

export function readLabelTable(file: string): Map<number, string> {
  const table = new Map<number, string>();
  const lines = readFileSync(file, 'utf8').split(/\r?\n/);
  lines.forEach((line, index) => {
    const [value, name] = line.split('\t');
    if (!line.trim() || name === undefined) return;
    const v = Number(value);
    if (!Number.isInteger(v)) {
      if (index === 0) return; // header
      throw new Error(`label table line ${index + 1}: "${value}" is not an integer label value`);
    }
    table.set(v, name.trim());
  });
  if (!table.size) throw new Error('the label table has no value<TAB>name rows');
  return table;
}
