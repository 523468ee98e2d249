import { existsSync } from 'node:fs';
import path from 'node:path';
import { sharedDataDir } from '../../scripts/lib/ctSlices';

/** The field cases (failing real-world inputs with their right values) next to the shared CT data. */
export const fieldCasesDir = process.env.FIELD_CASES_DIR ?? path.resolve(sharedDataDir, '..', 'field-cases');
export const hasFieldCases = existsSync(fieldCasesDir);

if (!hasFieldCases) {
  console.warn(
    `Field cases not found at ${fieldCasesDir}: the tests that need them are skipped (set FIELD_CASES_DIR).`,
  );
}

/** `describe` when the field cases are present, otherwise `describe.skip` (with the warning above). */
export const describeWithFieldCases: jest.Describe = hasFieldCases ? describe : describe.skip;

/** A path inside the field cases (whether or not it exists). */
export function fieldCase(...parts: string[]): string {
  return path.join(fieldCasesDir, ...parts);
}

/** The folder of one field case, or undefined (with a warning) when it is not on this machine. */
export function fieldCaseIfPresent(name: string): string | undefined {
  const dir = fieldCase(name);
  if (existsSync(dir)) return dir;
  console.warn(`Field case ${dir} not found: its tests are skipped (set FIELD_CASES_DIR).`);
  return undefined;
}
