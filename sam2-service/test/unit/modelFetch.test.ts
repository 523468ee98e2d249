import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ProgressReporter, runCli } from '../../scripts/fetchModel';
import { ChecksumMismatchError, DownloadError } from '../../scripts/modelFetch/download';
import {
  type FetchEvent,
  UnknownVariantError,
  VariantError,
  fetchVariant,
  findVariant,
  variantFiles,
} from '../../scripts/modelFetch/fetchVariant';
import { HubError } from '../../scripts/modelFetch/hubClient';
import { VARIANTS } from '../../scripts/modelFetch/variants';
import { FakeModelHub, pseudoRandomBytes, sha256Hex } from '../helpers/fakeModelHub';

const spec = findVariant('sam2.1-hiera-tiny');
const ENC_DATA = 'onnx/vision_encoder.onnx_data';
const ENC_DATA_BASE = 'vision_encoder.onnx_data';

// Small stand-ins under the real repo paths: graphs are tiny, the external data is a few MB.
const sizes: Record<string, number> = {
  'onnx/vision_encoder.onnx': 40_000,
  'onnx/prompt_encoder_mask_decoder.onnx': 30_001,
  [ENC_DATA]: 3_000_000,
  'onnx/prompt_encoder_mask_decoder.onnx_data': 1_000_003,
};

function blobs(seed = 1): Record<string, Buffer> {
  return Object.fromEntries(variantFiles(spec).map((p, i) => [p, pseudoRandomBytes(sizes[p], i + seed)]));
}

const COMMIT_1 = '1111111111111111111111111111111111111111';
const COMMIT_2 = '2222222222222222222222222222222222222222';

let hub: FakeModelHub;
let dir: string;
let tmpRoot: string;

beforeEach(async () => {
  hub = await FakeModelHub.start();
  hub.addRepo(spec.repo, blobs(), { commit: COMMIT_1 });
  tmpRoot = await mkdtemp(path.join(os.tmpdir(), 'model-fetch-'));
  dir = path.join(tmpRoot, 'models', spec.name);
});

afterEach(async () => {
  await hub.close();
  await rm(tmpRoot, { recursive: true, force: true });
});

const run = (extra: Partial<Parameters<typeof fetchVariant>[0]> = {}) =>
  fetchVariant({ variant: spec.name, dir, hubUrl: hub.url, retryDelayMs: 5, ...extra });

async function expectFilesMatchHub(): Promise<void> {
  for (const p of variantFiles(spec)) {
    const got = await readFile(path.join(dir, ...p.split('/')));
    expect(got.equals(hub.fileBytes(spec.repo, p))).toBe(true);
  }
}

const partFiles = async (): Promise<string[]> =>
  existsSync(dir) ? (await readdir(dir, { recursive: true })).filter((f) => f.endsWith('.part')) : [];

describe('fetchVariant against the fake hub', () => {
  it('downloads every file, verifies it and writes model.json in the service format', async () => {
    const result = await run();

    await expectFilesMatchHub();
    expect(await partFiles()).toEqual([]);
    const manifestText = await readFile(path.join(dir, 'model.json'), 'utf8');
    const manifest = JSON.parse(manifestText);
    const hashOf = (p: string) => sha256Hex(hub.fileBytes(spec.repo, p));
    expect(manifest).toEqual({
      name: 'sam2.1-hiera-tiny',
      family: 'onnx-community',
      variant: 'tiny',
      licence: 'Apache-2.0',
      fixture: false,
      encoder: 'onnx/vision_encoder.onnx',
      decoder: 'onnx/prompt_encoder_mask_decoder.onnx',
      sha256: {
        'onnx/vision_encoder.onnx': hashOf('onnx/vision_encoder.onnx'),
        'onnx/prompt_encoder_mask_decoder.onnx': hashOf('onnx/prompt_encoder_mask_decoder.onnx'),
        [ENC_DATA]: hashOf(ENC_DATA),
        'onnx/prompt_encoder_mask_decoder.onnx_data': hashOf('onnx/prompt_encoder_mask_decoder.onnx_data'),
      },
      source: {
        hub: hub.url,
        repo: 'onnx-community/sam2.1-hiera-tiny-ONNX',
        revision: 'main',
        commit: COMMIT_1,
      },
    });
    expect(Object.keys(manifest)).toEqual([
      'name',
      'family',
      'variant',
      'licence',
      'fixture',
      'encoder',
      'decoder',
      'sha256',
      'source',
    ]);
    expect(result.downloaded).toHaveLength(4);
    expect(result.skipped).toEqual([]);

    const api = hub.requests.filter((r) => r.kind === 'api');
    expect(api.map((r) => r.url)).toEqual([
      '/api/models/onnx-community/sam2.1-hiera-tiny-ONNX/revision/main?blobs=true',
    ]);
    expect(hub.fileRequests().map((r) => [r.file, r.range, r.status])).toEqual(
      variantFiles(spec).map((p) => [p, undefined, 200]),
    );
    // Every download names the commit the metadata returned, never the branch.
    expect(hub.fileRequests().map((r) => r.url.split('/')[4])).toEqual(
      variantFiles(spec).map(() => COMMIT_1),
    );
  });

  it('downloads the commit the metadata returned even when the branch moves in between', async () => {
    const newer = blobs(100);
    hub.moveMainAfterNextMetadata(spec.repo, newer, COMMIT_2);
    const result = await run();

    expect(result.manifest.source).toMatchObject({ revision: 'main', commit: COMMIT_1 });
    for (const p of variantFiles(spec)) {
      const got = await readFile(path.join(dir, ...p.split('/')));
      expect(got.equals(hub.fileBytes(spec.repo, p, COMMIT_1))).toBe(true);
      expect(got.equals(newer[p])).toBe(false);
      expect(result.manifest.sha256[p]).toBe(sha256Hex(hub.fileBytes(spec.repo, p, COMMIT_1)));
    }
    // The branch really moved: a fresh run now installs the new commit.
    await rm(dir, { recursive: true });
    const again = await run();
    expect(again.manifest.source.commit).toBe(COMMIT_2);
    expect(again.manifest.sha256[ENC_DATA]).toBe(sha256Hex(newer[ENC_DATA]));
  });

  it('refuses to download when the hub does not say which commit the revision is', async () => {
    const withoutSha: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      if (!String(input).includes('/api/models/')) return res;
      const body = (await res.json()) as Record<string, unknown>;
      delete body.sha;
      return new Response(JSON.stringify(body), { status: 200 });
    };
    const err = await run({ fetchImpl: withoutSha }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VariantError);
    expect((err as Error).message).toMatch(/did not say which commit/);
    expect(hub.fileRequests()).toEqual([]);
  });

  it('follows the hub redirect and sends the token as a Bearer header', async () => {
    hub.redirectToCdn = true;
    hub.requiredToken = 'hf_secret';
    await run({ token: 'hf_secret' });

    await expectFilesMatchHub();
    const resolves = hub.requests.filter((r) => r.kind === 'resolve' || r.kind === 'api');
    expect(resolves.every((r) => r.authorization === 'Bearer hf_secret')).toBe(true);
    expect(hub.fileRequests()).toHaveLength(4);
  });

  it('reports progress that grows monotonically up to the file size', async () => {
    const events: FetchEvent[] = [];
    await run({ onEvent: (e) => events.push(e) });
    const progress = events.flatMap((e) => (e.type === 'progress' && e.file === ENC_DATA_BASE ? [e] : []));
    expect(progress.length).toBeGreaterThan(0);
    for (let i = 1; i < progress.length; i++) {
      expect(progress[i].received).toBeGreaterThanOrEqual(progress[i - 1].received);
    }
    expect(progress[progress.length - 1].received).toBe(sizes[ENC_DATA]);
    expect(events.filter((e) => e.type === 'verified').map((e) => e.file)).toHaveLength(4);
  });

  it('resumes an interrupted download from the partial size with a Range request', async () => {
    hub.cutConnectionAfter(1_200_000);
    const failed = await run({ retries: 0 }).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(DownloadError);
    expect((failed as Error).message).toContain(ENC_DATA_BASE);
    expect((failed as Error).message).toMatch(/run again to resume/);

    const part = path.join(dir, `${ENC_DATA}.part`);
    const partial = await readFile(part);
    expect(partial.length).toBeGreaterThan(0);
    expect(partial.length).toBeLessThanOrEqual(1_200_000);
    expect(partial.equals(hub.fileBytes(spec.repo, ENC_DATA).subarray(0, partial.length))).toBe(true);
    expect(existsSync(path.join(dir, ENC_DATA))).toBe(false);
    expect(existsSync(path.join(dir, 'model.json'))).toBe(false);

    const before = hub.requests.length;
    const result = await run();
    const again = hub.requests.slice(before).filter((r) => r.kind === 'resolve');
    // The graphs finished in the first run: only the interrupted file and the one after it are fetched.
    expect(again.map((r) => r.file)).toEqual([ENC_DATA, 'onnx/prompt_encoder_mask_decoder.onnx_data']);
    expect(again[0].range).toBe(`bytes=${partial.length}-`);
    expect(again[0].status).toBe(206);
    expect(result.skipped).toEqual(['onnx/vision_encoder.onnx', 'onnx/prompt_encoder_mask_decoder.onnx']);
    await expectFilesMatchHub();
    expect(await partFiles()).toEqual([]);
  });

  it('retries a connection cut mid-stream within one run, resuming where it stopped', async () => {
    hub.cutConnectionAfter(1_000_000);
    const events: FetchEvent[] = [];
    await run({ retries: 2, onEvent: (e) => events.push(e) });

    const retries = events.flatMap((e) => (e.type === 'retry' ? [e] : []));
    expect(retries).toHaveLength(1);
    expect(retries[0].file).toBe(ENC_DATA_BASE);
    expect(retries[0].resumeFrom).toBeGreaterThan(0);
    const reqs = hub.fileRequests(ENC_DATA);
    expect(reqs.map((r) => r.range)).toEqual([undefined, `bytes=${retries[0].resumeFrom}-`]);
    expect(reqs[1].status).toBe(206);
    await expectFilesMatchHub();
  });

  it('gives up on a stalled transfer after the idle timeout and resumes', async () => {
    hub.stallAfter(700_000);
    const events: FetchEvent[] = [];
    await run({ retries: 1, idleTimeoutMs: 300, onEvent: (e) => events.push(e) });
    const retry = events.find((e) => e.type === 'retry');
    expect(retry).toMatchObject({ file: ENC_DATA_BASE, error: expect.stringMatching(/no data for 0.3 s/) });
    expect(hub.fileRequests(ENC_DATA).map((r) => r.range)).toEqual([undefined, 'bytes=700000-']);
    await expectFilesMatchHub();
  });

  it('retries a server error answer', async () => {
    hub.failNext(503);
    await run({ retries: 1 });
    expect(hub.fileRequests('onnx/vision_encoder.onnx').map((r) => r.status)).toEqual([503, 200]);
    await expectFilesMatchHub();
  });

  it('starts over cleanly when the server ignores Range and answers 200', async () => {
    await mkdir(dir, { recursive: true });
    await mkdir(path.join(dir, 'onnx'), { recursive: true });
    await writeFile(path.join(dir, `${ENC_DATA}.part`), Buffer.alloc(500_000, 7));
    hub.ignoreRange = true;
    const events: FetchEvent[] = [];
    await run({ onEvent: (e) => events.push(e) });

    const reqs = hub.fileRequests(ENC_DATA);
    expect(reqs.map((r) => [r.range, r.status])).toEqual([['bytes=500000-', 200]]);
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'restart',
        file: ENC_DATA_BASE,
        reason: expect.stringMatching(/Range/),
      }),
    );
    await expectFilesMatchHub();
  });

  it('rejects corrupted bytes: no final file, no .part, error names the file and both hashes', async () => {
    hub.corruptFile(spec.repo, ENC_DATA);
    const err = await run().catch((e: unknown) => e);

    expect(err).toBeInstanceOf(ChecksumMismatchError);
    const mismatch = err as ChecksumMismatchError;
    const expected = sha256Hex(hub.fileBytes(spec.repo, ENC_DATA));
    const actual = sha256Hex(hub.corruptedBytes(spec.repo, ENC_DATA));
    expect(mismatch.file).toBe(ENC_DATA_BASE);
    expect(mismatch.expected).toBe(expected);
    expect(mismatch.actual).toBe(actual);
    expect(mismatch.message).toContain(ENC_DATA_BASE);
    expect(mismatch.message).toContain(expected);
    expect(mismatch.message).toContain(actual);
    expect(existsSync(path.join(dir, ENC_DATA))).toBe(false);
    expect(await partFiles()).toEqual([]);
    expect(existsSync(path.join(dir, 'model.json'))).toBe(false);
  });

  it('skips files that are already present with the right hash, without requesting them', async () => {
    await run();
    const before = hub.requests.length;
    const result = await run();
    const after = hub.requests.slice(before);
    expect(after.filter((r) => r.kind !== 'api')).toEqual([]);
    expect(result.skipped).toHaveLength(4);
    expect(result.downloaded).toEqual([]);
    expect(JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8')).name).toBe(spec.name);
  });

  it('replaces a present file whose hash does not match', async () => {
    await run();
    await writeFile(path.join(dir, ENC_DATA), Buffer.from('not the model'));
    const events: FetchEvent[] = [];
    const result = await run({ onEvent: (e) => events.push(e) });
    expect(result.downloaded).toEqual([ENC_DATA]);
    expect(events).toContainEqual(expect.objectContaining({ type: 'stale', file: ENC_DATA }));
    await expectFilesMatchHub();
  });

  it('verifies plain-git files (no LFS entry) against their git blob id', async () => {
    hub.addRepo(spec.repo, blobs(), { plainGit: ['onnx/vision_encoder.onnx'], commit: COMMIT_1 });
    await run();
    await expectFilesMatchHub();

    hub.corruptFile(spec.repo, 'onnx/vision_encoder.onnx');
    await rm(dir, { recursive: true });
    const err = await run().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChecksumMismatchError);
    expect((err as ChecksumMismatchError).algorithm).toBe('git blob sha1');
  });

  it('rejects an unknown variant before any request, listing the valid names', async () => {
    const err = await fetchVariant({ variant: 'sam9-giant', dir, hubUrl: hub.url }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnknownVariantError);
    expect((err as UnknownVariantError).validNames).toContain('sam2.1-hiera-tiny');
    expect((err as Error).message).toContain('sam2.1-hiera-large');
    expect(hub.requests).toEqual([]);
  });

  it('names a registered file that the repo revision does not have', async () => {
    const files = blobs();
    delete files[ENC_DATA];
    hub.addRepo(spec.repo, files);
    const err = await run().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VariantError);
    expect((err as Error).message).toContain(ENC_DATA);
  });

  it('reports a missing repo or revision as a hub error', async () => {
    const err = await run({ revision: 'no-such-branch' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HubError);
    expect((err as HubError).status).toBe(404);
    expect((err as Error).message).toContain('no-such-branch');
  });

  it('reports an unreachable hub as a network error after retries', async () => {
    await hub.close();
    const dead = hub.url;
    hub = await FakeModelHub.start(); // afterEach closes this one
    const err = await fetchVariant({
      variant: spec.name,
      dir,
      hubUrl: dead,
      retries: 1,
      retryDelayMs: 5,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toContain('cannot reach');
  });
});

describe('variant registry', () => {
  it('has unique names, Apache-2.0 licences, and external data beside each onnx-community graph', () => {
    const names = VARIANTS.map((v) => v.name);
    expect(new Set(names).size).toBe(names.length);
    for (const v of VARIANTS) {
      expect(v.licence).toBe('Apache-2.0');
      const files = variantFiles(v);
      expect(new Set(files).size).toBe(files.length);
      if (v.family === 'onnx-community') {
        expect(v.extraFiles).toEqual([`${v.encoder}_data`, `${v.decoder}_data`]);
      }
    }
    expect(names).toEqual(
      expect.arrayContaining([
        'sam2.1-hiera-tiny',
        'sam2.1-hiera-small',
        'sam2.1-hiera-base-plus',
        'sam2.1-hiera-large',
      ]),
    );
  });
});

describe('progress reporter', () => {
  const progress = (received: number): FetchEvent => ({
    type: 'progress',
    file: 'vision_encoder.onnx_data',
    received,
    total: 4_000_000,
    resumedFrom: 0,
    bytesPerSecond: 2_500_000,
  });

  it('redraws one throttled line with percentage, MB and MB/s on a TTY', () => {
    let text = '';
    const reporter = new ProgressReporter({ write: (c: string) => (text += c) }, true, 10_000);
    reporter.handle(progress(1_000_000));
    reporter.handle(progress(2_000_000)); // inside the throttle interval: not drawn
    reporter.handle(progress(4_000_000)); // completion is always drawn
    reporter.line('next');
    expect(text).toBe(
      '\r\x1b[K  vision_encoder.onnx_data   25.0%  1.0/4.0 MB  2.5 MB/s' +
        '\r\x1b[K  vision_encoder.onnx_data  100.0%  4.0/4.0 MB  2.5 MB/s' +
        '\r\x1b[Knext\n',
    );
  });

  it('prints no progress lines when not a TTY', () => {
    let text = '';
    const reporter = new ProgressReporter({ write: (c: string) => (text += c) }, false);
    reporter.handle(progress(1_000_000));
    reporter.handle(progress(4_000_000));
    expect(text).toBe('');
  });
});

describe('fetchModel CLI', () => {
  function capture(isTTY = false) {
    const s = { text: '', isTTY, write: (c: string) => ((s.text += c), true) };
    return s;
  }

  const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => {
    const stdout = capture();
    const stderr = capture();
    return runCli(args, { stdout, stderr, env, cwd: tmpRoot, retryDelayMs: 5 }).then((code) => ({
      code,
      stdout: stdout.text,
      stderr: stderr.text,
    }));
  };

  it('exits 2 and lists the valid names for an unknown variant', async () => {
    const r = await cli(['--variant', 'nope'], { SAM2_HUB_URL: hub.url });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown model variant "nope"');
    for (const v of VARIANTS) expect(r.stderr).toContain(v.name);
    expect(hub.requests).toEqual([]);
  });

  it('exits 2 on an unknown option', async () => {
    const r = await cli(['--bogus']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('usage:');
  });

  it('--list prints every variant with its repo', async () => {
    const r = await cli(['--list']);
    expect(r.code).toBe(0);
    for (const v of VARIANTS) {
      expect(r.stdout).toContain(v.name);
      expect(r.stdout).toContain(v.repo);
    }
  });

  it('fetches into ./models/<variant> from env defaults, quietly when stderr is not a TTY', async () => {
    const r = await cli([], { SAM2_HUB_URL: hub.url, SAM2_MODEL_VARIANT: spec.name });
    expect(r.code).toBe(0);
    await expectFilesMatchHub(); // dir is tmpRoot/models/<variant>
    expect(r.stderr).not.toContain('\r');
    expect(r.stderr).toContain('vision_encoder.onnx_data: downloading 3.0 MB');
    expect(r.stderr).toMatch(/vision_encoder\.onnx_data: ok, 3\.0 MB in \d+\.\d s, sha256 [0-9a-f]{64}\n/);
    expect(r.stderr).toContain('model.json');
  });

  it('exits 1 with file and both hashes on a mismatch; --dir wins over SAM2_MODEL_DIR', async () => {
    hub.corruptFile(spec.repo, ENC_DATA);
    const r = await cli(['--dir', 'custom'], { SAM2_HUB_URL: hub.url, SAM2_MODEL_DIR: 'ignored' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(ENC_DATA_BASE);
    expect(r.stderr).toContain(sha256Hex(hub.fileBytes(spec.repo, ENC_DATA)));
    expect(r.stderr).toContain(sha256Hex(hub.corruptedBytes(spec.repo, ENC_DATA)));
    expect(existsSync(path.join(tmpRoot, 'custom', 'onnx', 'vision_encoder.onnx'))).toBe(true);
    expect(existsSync(path.join(tmpRoot, 'ignored'))).toBe(false);
  });

  it('exits 1 with a clear message when the hub cannot be reached', async () => {
    const r = await cli(['--hub', 'http://127.0.0.1:9'], {});
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error: cannot reach http:\/\/127\.0\.0\.1:9\/api\/models\//);
  });
});
