import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';

/** Raised when a downloaded file is not the one we pinned; the caller must not use the file. */
export class IntegrityError extends Error {
  constructor(
    readonly file: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`integrity mismatch for ${file}: expected ${expected}, got ${actual}`);
    this.name = 'IntegrityError';
  }
}

/** The npm-style Subresource Integrity string (`sha512-<base64>`) of a file. */
export async function sha512Integrity(file: string): Promise<string> {
  const hash = createHash('sha512');
  await pipeline(createReadStream(file), hash);
  return `sha512-${hash.digest('base64')}`;
}

/** Throws IntegrityError unless the file's sha512 is exactly `expected` (only sha512 is accepted). */
export async function verifyIntegrity(file: string, expected: string): Promise<void> {
  if (!/^sha512-[A-Za-z0-9+/]{86}==$/.test(expected)) {
    throw new Error(`not a sha512 integrity string: "${expected}"`);
  }
  const actual = await sha512Integrity(file);
  if (actual !== expected) throw new IntegrityError(file, expected, actual);
}
