/**
 * Resumable, verified download of one file.
 *
 * Bytes go to `<dest>.part`; an interrupted download continues from the size of that file with an
 * HTTP Range request. Only a file whose hash matches the hub's metadata is renamed to `<dest>`, so
 * the final name never holds unverified bytes.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { type FetchFn, describeError, sleep } from './hubClient';

export interface ExpectedDigest {
  /** Content sha256, hex. Preferred. */
  sha256?: string;
  /** Git blob sha1, hex: the only hash the hub publishes for files not stored in LFS. */
  gitBlobId?: string;
}

export type DownloadEvent =
  | { type: 'start'; file: string; total: number; resumeFrom: number }
  | {
      type: 'progress';
      file: string;
      received: number;
      total: number;
      resumedFrom: number;
      bytesPerSecond: number;
    }
  | { type: 'restart'; file: string; reason: string }
  | { type: 'retry'; file: string; attempt: number; delayMs: number; error: string; resumeFrom: number }
  | { type: 'verified'; file: string; sha256: string; bytes: number; elapsedMs: number };

export interface DownloadOptions {
  url: string;
  /** Final path; the partial download lives at `${dest}.part`. */
  dest: string;
  /** Expected size in bytes, from the hub metadata. */
  size: number;
  expected: ExpectedDigest;
  headers?: Record<string, string>;
  onEvent?: (event: DownloadEvent) => void;
  /** Extra attempts after a network failure, each resuming where the last stopped. */
  retries?: number;
  /** First backoff delay; doubles per retry. */
  retryDelayMs?: number;
  /** Abort (and retry) when no byte arrives for this long. */
  idleTimeoutMs?: number;
  /** Minimum interval between progress events. */
  progressIntervalMs?: number;
  fetchImpl?: FetchFn;
}

export interface DownloadResult {
  sha256: string;
  bytes: number;
  /** Bytes that were already in the .part file when this call started. */
  resumedFrom: number;
}

/** The downloaded bytes do not hash to what the hub published; the partial file has been deleted. */
export class ChecksumMismatchError extends Error {
  constructor(
    readonly file: string,
    readonly algorithm: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(
      `${file}: ${algorithm} mismatch, refusing the file (deleted the download).\n` +
        `  expected ${expected}\n  actual   ${actual}`,
    );
    this.name = 'ChecksumMismatchError';
  }
}

/** The download did not complete. `partPath` (if it exists) is kept so a rerun resumes. */
export class DownloadError extends Error {
  constructor(
    message: string,
    readonly partPath: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'DownloadError';
  }
}

/** An HTTP answer that a retry will not change (403, 404, ...). */
class FatalHttpError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

async function sizeOf(file: string): Promise<number | undefined> {
  try {
    return (await stat(file)).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

export interface FileHashes {
  size: number;
  sha256: string;
  /** Git blob sha1, computed only when asked for. */
  gitBlobId?: string;
}

/** Hashes a file in one pass: sha256, and optionally the git blob id. */
export async function hashFile(file: string, opts: { gitBlob?: boolean } = {}): Promise<FileHashes> {
  const { size } = await stat(file);
  const sha256 = createHash('sha256');
  const sha1 = opts.gitBlob ? createHash('sha1').update(`blob ${size}\0`) : undefined;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
    sha256.update(chunk as Buffer);
    sha1?.update(chunk as Buffer);
  }
  return { size, sha256: sha256.digest('hex'), gitBlobId: sha1?.digest('hex') };
}

/** Returns the mismatch (algorithm, expected, actual) or undefined when the hashes agree. */
export function compareDigest(
  hashes: FileHashes,
  expected: ExpectedDigest,
): { algorithm: string; expected: string; actual: string } | undefined {
  if (expected.sha256) {
    const want = expected.sha256.toLowerCase();
    return hashes.sha256 === want
      ? undefined
      : { algorithm: 'sha256', expected: want, actual: hashes.sha256 };
  }
  if (expected.gitBlobId) {
    const want = expected.gitBlobId.toLowerCase();
    const actual = hashes.gitBlobId ?? '';
    return actual === want ? undefined : { algorithm: 'git blob sha1', expected: want, actual };
  }
  return { algorithm: 'sha256', expected: '(none published)', actual: hashes.sha256 };
}

function parseContentRangeStart(header: string | null): number | undefined {
  const m = header ? /^bytes (\d+)-\d+\/(?:\d+|\*)$/.exec(header.trim()) : null;
  return m ? Number(m[1]) : undefined;
}

export async function downloadVerified(opts: DownloadOptions): Promise<DownloadResult> {
  const file = path.basename(opts.dest);
  const part = `${opts.dest}.part`;
  const emit = opts.onEvent ?? (() => undefined);
  const retries = opts.retries ?? 3;
  const baseDelay = opts.retryDelayMs ?? 1000;
  if (!opts.expected.sha256 && !opts.expected.gitBlobId) {
    throw new DownloadError(`${file}: the hub publishes no hash for this file, refusing to download`, part);
  }
  const startedAt = Date.now();
  const initialSize = (await sizeOf(part)) ?? 0;
  let failures = 0;
  let firstAttempt = true;

  for (;;) {
    let offset = await sizeOf(part);
    if (offset !== undefined && offset > opts.size) {
      emit({ type: 'restart', file, reason: `partial file is larger than the expected ${opts.size} bytes` });
      await rm(part, { force: true });
      offset = undefined;
    }
    if (offset === undefined || offset < opts.size) {
      if (firstAttempt) emit({ type: 'start', file, total: opts.size, resumeFrom: offset ?? 0 });
      firstAttempt = false;
      try {
        await fetchInto(opts, part, offset ?? 0, initialSize, startedAt, emit);
        const got = (await sizeOf(part)) ?? 0;
        if (got < opts.size) throw new Error(`connection closed after ${got} of ${opts.size} bytes`);
      } catch (err) {
        if (err instanceof FatalHttpError) {
          throw new DownloadError(`${file}: ${err.message}`, part, err.status);
        }
        failures++;
        const resumeFrom = (await sizeOf(part)) ?? 0;
        if (failures > retries) {
          const kept = resumeFrom > 0 ? `; ${resumeFrom} bytes kept in ${part}, run again to resume` : '';
          throw new DownloadError(
            `${file}: download failed after ${failures} attempt(s): ${describeError(err)}${kept}`,
            part,
          );
        }
        const delayMs = baseDelay * 2 ** (failures - 1);
        emit({ type: 'retry', file, attempt: failures, delayMs, error: describeError(err), resumeFrom });
        await sleep(delayMs);
        continue;
      }
    }
    return verifyAndCommit(opts, part, file, initialSize, startedAt, emit);
  }
}

async function fetchInto(
  opts: DownloadOptions,
  part: string,
  offset: number,
  initialSize: number,
  startedAt: number,
  emit: (event: DownloadEvent) => void,
): Promise<void> {
  const file = path.basename(opts.dest);
  const idleMs = opts.idleTimeoutMs ?? 60_000;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`no data for ${idleMs / 1000} s`)), idleMs);
  try {
    // identity: a compressed body would make byte offsets meaningless for Range.
    const headers: Record<string, string> = { ...opts.headers, 'Accept-Encoding': 'identity' };
    if (offset > 0) headers.Range = `bytes=${offset}-`;
    const res = await (opts.fetchImpl ?? fetch)(opts.url, { headers, signal: controller.signal });

    let writeFrom: number;
    if (res.status === 206) {
      const start = parseContentRangeStart(res.headers.get('content-range'));
      if (offset === 0 || start !== offset) {
        await res.body?.cancel();
        await rm(part, { force: true });
        emit({
          type: 'restart',
          file,
          reason: `server sent bytes from ${start ?? '?'} instead of ${offset}`,
        });
        throw new Error('unexpected Content-Range');
      }
      writeFrom = offset;
    } else if (res.status === 200) {
      if (offset > 0) emit({ type: 'restart', file, reason: 'server ignored the Range request' });
      writeFrom = 0;
    } else if (res.status === 416) {
      await res.body?.cancel();
      await rm(part, { force: true });
      emit({ type: 'restart', file, reason: 'server rejected the resume range' });
      throw new Error('HTTP 416 for the resume range');
    } else {
      await res.body?.cancel();
      const transient = res.status >= 500 || res.status === 408 || res.status === 429;
      if (transient) throw new Error(`HTTP ${res.status}`);
      const hint = res.status === 401 || res.status === 403 ? ' (gated or private? set SAM2_HUB_TOKEN)' : '';
      throw new FatalHttpError(`HTTP ${res.status} for ${opts.url}${hint}`, res.status);
    }
    if (!res.body) throw new Error('response has no body');

    const interval = opts.progressIntervalMs ?? 100;
    let received = writeFrom;
    let lastEmit = 0;
    const progress = (force: boolean): void => {
      const now = Date.now();
      if (!force && now - lastEmit < interval) return;
      lastEmit = now;
      const fresh = received - Math.min(initialSize, writeFrom);
      const seconds = Math.max((now - startedAt) / 1000, 1e-3);
      emit({
        type: 'progress',
        file,
        received,
        total: opts.size,
        resumedFrom: writeFrom,
        bytesPerSecond: Math.max(fresh, 0) / seconds,
      });
    };
    // 'w' truncates when starting over; 'a' continues the partial file.
    const fh = await open(part, writeFrom === 0 ? 'w' : 'a');
    try {
      // Each chunk is on disk before the next is read, so the .part size is exactly what arrived.
      for await (const chunk of res.body) {
        timer.refresh();
        await fh.write(chunk);
        received += chunk.byteLength;
        progress(false);
      }
      await fh.sync();
    } finally {
      await fh.close();
      progress(true);
    }
  } finally {
    clearTimeout(timer);
  }
}

async function verifyAndCommit(
  opts: DownloadOptions,
  part: string,
  file: string,
  initialSize: number,
  startedAt: number,
  emit: (event: DownloadEvent) => void,
): Promise<DownloadResult> {
  const hashes = await hashFile(part, { gitBlob: !opts.expected.sha256 });
  const mismatch = compareDigest(hashes, opts.expected);
  if (mismatch) {
    await rm(part, { force: true });
    throw new ChecksumMismatchError(file, mismatch.algorithm, mismatch.expected, mismatch.actual);
  }
  await rename(part, opts.dest);
  emit({
    type: 'verified',
    file,
    sha256: hashes.sha256,
    bytes: hashes.size,
    elapsedMs: Date.now() - startedAt,
  });
  return { sha256: hashes.sha256, bytes: hashes.size, resumedFrom: initialSize };
}
