import { existsSync } from 'node:fs';
import path from 'node:path';
import { sharedDataDir } from './sharedData';

/** The field cases (failing real-world inputs with their right values), next to the shared CT data. */
export const fieldCasesDir = process.env.FIELD_CASES_DIR ?? path.resolve(sharedDataDir, '..', 'field-cases');

/** The folder of one field case, or undefined (with a warning) when it is not on this machine. */
export function fieldCase(name: string): string | undefined {
  const dir = path.join(fieldCasesDir, name);
  if (existsSync(dir)) return dir;
  console.warn(`Field case ${dir} not found: its tests are skipped (set FIELD_CASES_DIR).`);
  return undefined;
}
