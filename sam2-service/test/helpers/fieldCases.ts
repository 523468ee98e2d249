import { existsSync } from 'node:fs';
import path from 'node:path';
import { sharedDataDir } from '../../scripts/lib/ctSlices';

/** The field cases (failing real-world inputs) next to the shared CT data: ../shared/field-cases. */
export const fieldCasesDir = process.env.FIELD_CASES_DIR ?? path.resolve(sharedDataDir, '..', 'field-cases');
export const hasFieldCases = existsSync(fieldCasesDir);

if (!hasFieldCases) {
  console.warn(
    `Field cases not found at ${fieldCasesDir}: the tests that need them are skipped (set FIELD_CASES_DIR).`,
  );
}

/** `describe` when the field cases are present, otherwise `describe.skip` (with the warning above). */
export const describeWithFieldCases: jest.Describe = hasFieldCases ? describe : describe.skip;

export function fieldCase(...parts: string[]): string {
  return path.join(fieldCasesDir, ...parts);
}
