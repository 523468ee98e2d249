import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { artifactsDir } from './paths';

/** Writes a test's record (a log, a table) to artifacts/<name>; returns the file. */
export function writeArtifact(name: string, content: string): string {
  mkdirSync(artifactsDir, { recursive: true });
  const file = path.join(artifactsDir, name);
  writeFileSync(file, content);
  return file;
}
