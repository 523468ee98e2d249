/**
 * The proxy forwards only normalised paths below /api/segmentation (plus the query), so the token it adds
 * never goes with a request for anything else. Raw sockets: clients such as fetch normalise paths
 * themselves and cannot send these targets.
 */
import type { RunningViewer } from '../src/server';
import { type FakeUpstream, startFakeUpstream } from './helpers/fakeUpstream';
import { logCollector, startInProcessViewer } from './helpers/inProcessViewer';
import { rawRequest } from './helpers/rawUpstream';

const token = 'proxy-path-test-token';

describe('SAM2 proxy: request targets', () => {
  let upstream: FakeUpstream;
  let viewer: RunningViewer;
  const logs = logCollector();
  beforeAll(async () => {
    upstream = await startFakeUpstream('ok');
    viewer = await startInProcessViewer(
      { SAM2_SERVICE_URL: upstream.url, SAM2_API_TOKEN: token },
      logs.stream,
    );
    await viewer.readinessChecked;
  });
  afterAll(async () => {
    await viewer.close();
    await upstream.close();
  });

  /** The raw answer to `GET <target>`: status line, then body. */
  const get = (target: string) =>
    rawRequest(viewer.url, `GET ${target} HTTP/1.1\r\nHost: viewer\r\nConnection: close\r\n\r\n`);
  const proxied = () => upstream.requests.filter((r) => r.headers['x-forwarded-for']);

  it.each([
    ['absolute-form', `http://127.0.0.1/api/segmentation/readyz`, 400, 'INVALID_PATH'],
    ['absolute-form leaving the prefix', `http://127.0.0.1/api/segmentation/../metrics`, 400, 'INVALID_PATH'],
    ['dot segments', '/api/segmentation/../metrics', 404, 'NOT_FOUND'],
    ['dot segments, deeper', '/api/segmentation/readyz/../../../metrics', 404, 'NOT_FOUND'],
    ['%2e%2e', '/api/segmentation/%2e%2e/metrics', 400, 'INVALID_PATH'],
    ['%2E%2E mixed', '/api/segmentation/.%2E/metrics', 400, 'INVALID_PATH'],
    ['%2F', '/api/segmentation/..%2Fmetrics', 400, 'INVALID_PATH'],
    ['%2F right after the prefix', '/api/segmentation%2F..%2Fmetrics', 400, 'INVALID_PATH'],
    ['double-encoded', '/api/segmentation/%252e%252e/metrics', 400, 'INVALID_PATH'],
    ['backslash', '/api/segmentation/..\\metrics', 400, 'INVALID_PATH'],
    ['empty segment', '/api/segmentation//readyz', 400, 'INVALID_PATH'],
    ['a sibling of the prefix', '/api/segmentationx', 404, 'NOT_FOUND'],
  ])('refuses %s (%s) with %d JSON; the service never sees it', async (_name, target, status, code) => {
    const before = proxied().length;
    const answer = await get(target);
    const [statusLine, body] = [
      answer.slice(0, answer.indexOf('\n')),
      answer.slice(answer.indexOf('\n') + 1),
    ];
    expect(statusLine).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
    expect(JSON.parse(body).error).toMatchObject({ code, details: { field: 'path' } });
    expect(proxied().length).toBe(before);
  });

  it('forwards the normalised path below the prefix with the query unchanged', async () => {
    const answer = await get('/api/segmentation/info/../readyz/?x=1&y=%2e%2e');
    expect(answer.split('\n')[0]).toBe('HTTP/1.1 200 OK');
    const last = proxied().at(-1)!;
    expect(last.url).toBe('/api/segmentation/readyz?x=1&y=%2e%2e');
    expect(last.headers.authorization).toBe(`Bearer ${token}`);
  });

  it('every request the service saw is below the prefix, normalised', () => {
    for (const r of upstream.requests)
      expect(r.url).toMatch(/^\/api\/segmentation(\/[A-Za-z0-9_~-][\w.~-]*)*(\?|$)/);
  });

  it('logs route templates, not the paths the browser sent', async () => {
    await get('/api/segmentation/patient-Doe-John');
    await get('/api/segmentation/%2e%2e/Doe-John');
    const text = logs.text();
    expect(text).toContain('"route":"/api/segmentation/*"');
    expect(text).toContain('"route":"/api/segmentation/readyz"');
    expect(text).not.toContain('Doe-John');
    expect(text).not.toContain(token);
  });
});
