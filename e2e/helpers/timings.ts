import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { artifactsDir } from './paths';

const file = path.join(artifactsDir, 'e2e-timings.json');

/** Adds measurements to artifacts/e2e-timings.json (kept by CI), so slow-downs show up between runs. */
export function recordTimings(values: Record<string, number>): void {
  mkdirSync(artifactsDir, { recursive: true });
  let existing: Record<string, number> = {};
  try {
    existing = JSON.parse(readFileSync(file, 'utf8')) as Record<string, number>;
  } catch {
    // first measurement of this run
  }
  writeFileSync(file, JSON.stringify({ ...existing, ...values }, null, 2) + '\n');
}
