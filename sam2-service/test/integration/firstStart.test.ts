import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { variantFiles } from '../../scripts/modelFetch/fetchVariant';
import type { FakeModelHub } from '../helpers/fakeModelHub';
import { fixtureModelDir } from '../helpers/fixtureModels';
import { defaultSpec, startFixtureHub } from '../helpers/fixtureHub';
import { type ServiceProcess, postSegment, startService } from '../helpers/serviceProcess';
import { discSlice } from '../helpers/syntheticSlice';

/**
 * First start without a model (SAM2_MODEL_AUTO_FETCH): the real built service downloads the default
 * variant from a local imitation of the hub (serving the onnx-community FIXTURE files under the real repo
 * paths), reports the progress in /readyz, then loads the model. Offline, interrupted and corrupt cases.
 */
jest.setTimeout(240_000);

const disc = discSlice();
const request = { ...disc.body, prompts: { points: [{ x: disc.size / 2, y: disc.size / 2, label: 1 }] } };
const roots: string[] = [];
let hub: FakeModelHub;
let totalBytes: number;
let service: ServiceProcess | undefined;

beforeEach(async () => {
  ({ hub, totalBytes } = await startFixtureHub(fixtureModelDir('onnx-community')));
});
afterEach(async () => {
  await service?.stop();
  service = undefined;
  await hub.close();
});
afterAll(() => {
  for (const dir of roots) rmSync(dir, { recursive: true, force: true });
});

function emptyModelDir(): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'sam2-first-start-'));
  roots.push(root);
  return path.join(root, 'models', defaultSpec.name);
}

const autoFetch = (dir: string, hubUrl: string) => ({
  SAM2_MODEL_DIR: dir,
  SAM2_MODEL_AUTO_FETCH: 'true',
  SAM2_HUB_URL: hubUrl,
});

async function readyz(url: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${url}/readyz`);
  return { status: res.status, body: await res.json() };
}

async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 120_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}; service log:\n${service?.logs.slice(-40).join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

const untilState = (state: string) => () =>
  waitFor(`state ${state}`, async () => {
    const r = await readyz(service!.url);
    return r.body.state === state ? r : undefined;
  });

function expectFilesLikeHub(dir: string): void {
  for (const p of variantFiles(defaultSpec)) {
    const got = readFileSync(path.join(dir, ...p.split('/')));
    expect([p, got.equals(hub.fileBytes(defaultSpec.repo, p))]).toEqual([p, true]);
  }
}

describe('first start with an empty model directory', () => {
  it('downloads the default variant, reports progress in /readyz, then becomes ready and segments', async () => {
    const dir = emptyModelDir();
    // About 4 s of transfer, so the downloading state is observable on any machine.
    hub.throttleBytesPerSecond = Math.ceil(totalBytes / 4);
    service = await startService(autoFetch(dir, hub.url));

    const seen: number[] = [];
    const downloading = await waitFor('a progress report', async () => {
      const r = await readyz(service!.url);
      if (r.body.state === 'downloading') seen.push(r.body.download.received_bytes);
      return r.body.state === 'downloading' && r.body.download.received_bytes > 0 ? r : undefined;
    });
    expect(downloading.status).toBe(503);
    expect(downloading.body).toMatchObject({
      ready: false,
      state: 'downloading',
      reason: 'model_downloading',
      download: { variant: 'sam2.1-hiera-tiny', total_bytes: totalBytes },
    });
    const d = downloading.body.download;
    expect(d.percent).toBeCloseTo(Math.floor((1000 * d.received_bytes) / totalBytes) / 10, 5);
    expect(d.percent).toBeLessThan(100);
    expect(d.bytes_per_second).toBeGreaterThan(0);
    const health = await (await fetch(`${service.url}/health`)).json();
    expect(health).toMatchObject({
      status: 'degraded',
      state: 'downloading',
      download: { total_bytes: totalBytes },
    });

    await service.waitReady(180_000);
    expect((await readyz(service.url)).body).toEqual({ ready: true, state: 'ready' });
    expectFilesLikeHub(dir);
    expect(JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8')).source.commit).toBe(
      'c0ffee0000000000000000000000000000000001',
    );
    const res = await postSegment(service.url, request);
    expect(res.status).toBe(200);
    expect(res.body.model).toMatchObject({ name: 'sam2.1-hiera-tiny', family: 'onnx-community' });
    // Progress was reported as the bytes arrived, never going back.
    expect(seen.length).toBeGreaterThan(0);
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThanOrEqual(seen[i - 1]);
  });

  it('offline: starts anyway, degraded with model_download_failed, and answers 503 instead of hanging', async () => {
    const closed = hub.url;
    await hub.close();
    ({ hub, totalBytes } = await startFixtureHub(fixtureModelDir('onnx-community'))); // for afterEach
    const dir = emptyModelDir();
    service = await startService(autoFetch(dir, closed));
    const r = await untilState('unavailable')();
    expect(r.body).toEqual({ ready: false, state: 'unavailable', reason: 'model_download_failed' });
    expect(JSON.stringify(r.body)).not.toContain(closed);
    const res = await postSegment(service.url, request);
    expect(res.status).toBe(503);
    expect(res.body.error).toMatchObject({ code: 'MODEL_UNAVAILABLE' });
    expect(service.logs.join('\n')).toMatch(/"reason":"model_download_failed"/);
  });

  it('an interrupted download keeps its part file and resumes from it on the next start', async () => {
    const dir = emptyModelDir();
    const data = 'onnx/prompt_encoder_mask_decoder.onnx';
    const size = hub.fileBytes(defaultSpec.repo, data).length;
    // Every attempt of this start (first try and its few retries, each resuming) at this file is cut
    // after a tenth of it, so the start gives up with part of the file on disk.
    const cutAt = Math.floor(size / 10);
    hub.cutConnectionAfter(cutAt, 10, data);
    service = await startService(autoFetch(dir, hub.url));
    const failed = await untilState('unavailable')();
    expect(failed.body.reason).toBe('model_download_failed');
    await service.stop();
    const part = path.join(dir, `${data}.part`);
    expect(existsSync(part)).toBe(true);
    const partial = readFileSync(part);
    const kept = partial.length;
    expect(kept).toBeGreaterThanOrEqual(cutAt);
    expect(kept).toBeLessThan(size);
    expect(partial.equals(hub.fileBytes(defaultSpec.repo, data).subarray(0, kept))).toBe(true);

    hub.cutConnectionAfter(0, 0);
    const before = hub.requests.length;
    service = await startService(autoFetch(dir, hub.url));
    await service.waitReady(180_000);
    const again = hub.requests.slice(before).filter((r) => r.kind === 'resolve' && r.file === data);
    expect(again.map((r) => [r.range, r.status])).toEqual([[`bytes=${kept}-`, 206]]);
    expectFilesLikeHub(dir);
  });

  it('a corrupt file of the fetched variant is refused and fetched again', async () => {
    const dir = emptyModelDir();
    service = await startService(autoFetch(dir, hub.url));
    await service.waitReady(180_000);
    await service.stop();
    const data = path.join(dir, 'onnx', 'prompt_encoder_mask_decoder.onnx_data');
    const bytes = readFileSync(data);
    bytes[Math.floor(bytes.length / 2)] ^= 0xff;
    writeFileSync(data, bytes);

    const before = hub.requests.length;
    service = await startService(autoFetch(dir, hub.url));
    await service.waitReady(180_000);
    const refetched = hub.requests
      .slice(before)
      .filter((r) => r.kind === 'resolve')
      .map((r) => r.file);
    expect(refetched).toEqual(['onnx/prompt_encoder_mask_decoder.onnx_data']);
    expectFilesLikeHub(dir);
    expect(readdirSync(path.join(dir, 'onnx')).filter((f) => f.endsWith('.part'))).toEqual([]);
  });

  it('never downloads over a directory that holds another model', async () => {
    service = await startService(autoFetch(fixtureModelDir('samexporter'), hub.url));
    await service.waitReady(60_000);
    expect(hub.requests).toEqual([]);
  });
});
