import { Agent, request as undiciRequest } from 'undici';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSam2Upstream } from '../src/http/sam2Proxy';
import { checkServiceReadiness } from '../src/readiness';
import type { RunningViewer } from '../src/server';
import { startFakeUpstream } from './helpers/fakeUpstream';
import { logCollector, startInProcessViewer } from './helpers/inProcessViewer';
import { discSliceBody, type ServiceProcess, startSam2Service } from './helpers/sam2Service';

async function postJson(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { res, body: (await res.json()) as any };
}

function expectIsolationHeaders(res: Response): void {
  expect(res.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
  expect(res.headers.get('cross-origin-resource-policy')).toBe('same-origin');
}

/** A port nothing listens on: bind an ephemeral port, then free it. */
async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('SAM2 proxy to a real SAM2 service (FIXTURE model)', () => {
  let service: ServiceProcess;
  let viewer: RunningViewer;
  beforeAll(async () => {
    service = await startSam2Service();
    viewer = await startInProcessViewer({ SAM2_SERVICE_URL: service.url });
  });
  afterAll(async () => {
    await viewer.close();
    await service.stop();
  });

  it('forwards the probes with the path unchanged (readiness from the shared probe)', async () => {
    const ready = await fetch(`${viewer.url}/api/segmentation/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ready: true, state: 'ready' });
    expectIsolationHeaders(ready);

    const info = (await (await fetch(`${viewer.url}/api/segmentation/info`)).json()) as any;
    expect(info).toMatchObject({ enabled: true, state: 'ready', model: { fixture: true } });
    const health = await fetch(`${viewer.url}/api/segmentation/health`);
    expect(health.headers.get('x-request-id')).toBeTruthy();
    expect((await health.json()) as any).toMatchObject({ status: 'ok' });
  });

  it('streams a segmentation request and its answer, same as asking the service directly', async () => {
    const viaProxy = await postJson(`${viewer.url}/api/segmentation/sam2`, discSliceBody(), {
      'X-Request-Id': 'viewer-test-1',
    });
    expect(viaProxy.res.status).toBe(200);
    // The service answers with its own request id (the key to its log), not the client's.
    expect(viaProxy.res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expectIsolationHeaders(viaProxy.res);
    expect(viaProxy.body.masks).toHaveLength(1);
    expect(viaProxy.body.masks[0].area).toBeGreaterThan(0);

    const direct = await postJson(`${service.url}/api/segmentation/sam2`, discSliceBody());
    expect(direct.body.image_id).toBe(viaProxy.body.image_id);
    expect(direct.body.masks[0].rle).toEqual(viaProxy.body.masks[0].rle);
  });

  it('carries a full 512² CT-sized upload', async () => {
    const { res, body } = await postJson(`${viewer.url}/api/segmentation/sam2`, discSliceBody(512));
    expect(res.status).toBe(200);
    expect(body.masks[0].rle.size).toEqual([512, 512]);
  });

  it("passes the service's own errors through unchanged", async () => {
    const bad = await postJson(`${viewer.url}/api/segmentation/sam2`, '{"width": -1');
    expect(bad.res.status).toBe(400);
    expect(bad.body.error.code).toBe('INVALID_REQUEST');
    const unknown = await fetch(`${viewer.url}/api/segmentation/nope`);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as any).error.code).toBe('NOT_FOUND');
  });

  it('reuses pooled keep-alive connections to the service', async () => {
    const upstream = await startFakeUpstream('ok');
    const pooled = await startInProcessViewer({ SAM2_SERVICE_URL: upstream.url });
    try {
      await pooled.readinessChecked;
      for (let i = 0; i < 5; i++) {
        const res = await fetch(`${pooled.url}/api/segmentation/info`);
        expect(res.status).toBe(200);
        await res.arrayBuffer();
      }
      // Five proxied requests plus the start-up readiness check, all on one connection.
      expect(upstream.requests.filter((r) => r.headers['x-forwarded-for'])).toHaveLength(5);
      expect(upstream.connections).toBe(1);
    } finally {
      await pooled.close();
      await upstream.close();
    }
  });
});

describe('SAM2 proxy: the token stays on the server', () => {
  let service: ServiceProcess;
  beforeAll(async () => {
    service = await startSam2Service({ SAM2_API_TOKEN: 'server-side-secret' });
  });
  afterAll(() => service.stop());

  it('adds the bearer token the service requires, replacing whatever the browser sent', async () => {
    const logs = logCollector();
    const viewer = await startInProcessViewer(
      { SAM2_SERVICE_URL: service.url, SAM2_API_TOKEN: 'server-side-secret' },
      logs.stream,
    );
    try {
      const direct = await postJson(`${service.url}/api/segmentation/sam2`, discSliceBody());
      expect(direct.res.status).toBe(401);

      const proxied = await postJson(`${viewer.url}/api/segmentation/sam2`, discSliceBody());
      expect(proxied.res.status).toBe(200);
      const spoofed = await postJson(`${viewer.url}/api/segmentation/sam2`, discSliceBody(), {
        Authorization: 'Bearer wrong',
      });
      expect(spoofed.res.status).toBe(200);
      const appConfig = await (await fetch(`${viewer.url}/app-config.js`)).text();
      expect(appConfig).not.toContain('server-side-secret');
      expect(logs.text()).toContain('proxied to the SAM2 service');
      expect(logs.text()).not.toContain('server-side-secret');
    } finally {
      await viewer.close();
    }
  });

  it('without a configured token the service refuses, and the browser cannot supply one', async () => {
    const viewer = await startInProcessViewer({ SAM2_SERVICE_URL: service.url });
    try {
      const plain = await postJson(`${viewer.url}/api/segmentation/sam2`, discSliceBody());
      expect(plain.res.status).toBe(401);
      expect(plain.body.error.code).toBe('UNAUTHORIZED');
      const fromBrowser = await postJson(`${viewer.url}/api/segmentation/sam2`, discSliceBody(), {
        Authorization: 'Bearer server-side-secret',
      });
      expect(fromBrowser.res.status).toBe(401);
    } finally {
      await viewer.close();
    }
  });
});

describe('SAM2 proxy: service down or slow', () => {
  it('answers 503 SERVICE_UNAVAILABLE JSON when nothing listens', async () => {
    const viewer = await startInProcessViewer({ SAM2_SERVICE_URL: `http://127.0.0.1:${await closedPort()}` });
    try {
      const res = await fetch(`${viewer.url}/api/segmentation/readyz`);
      expect(res.status).toBe(503);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(res.headers.get('retry-after')).toBe('5');
      expectIsolationHeaders(res);
      expect(((await res.json()) as any).error).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
      const post = await postJson(`${viewer.url}/api/segmentation/sam2`, discSliceBody());
      expect(post.res.status).toBe(503);
      expect(post.body.error.code).toBe('SERVICE_UNAVAILABLE');
    } finally {
      await viewer.close();
    }
  });

  it('answers every request on a keep-alive connection at once while the service is down (bodies drained)', async () => {
    const viewer = await startInProcessViewer({ SAM2_SERVICE_URL: `http://127.0.0.1:${await closedPort()}` });
    // One connection, reused: a large unread body of the first request must not block the second.
    const agent = new Agent({ connections: 1, pipelining: 1 });
    const large = JSON.stringify({
      image_data: 'A'.repeat(1_500_000),
      image_type: 'uint8',
      width: 1,
      height: 1,
    });
    try {
      for (let i = 0; i < 2; i++) {
        const started = Date.now();
        const res = await undiciRequest(`${viewer.url}/api/segmentation/sam2`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: large,
          dispatcher: agent,
          headersTimeout: 5000,
        });
        expect(res.statusCode).toBe(503);
        expect(((await res.body.json()) as any).error.code).toBe('SERVICE_UNAVAILABLE');
        expect(Date.now() - started).toBeLessThan(3000);
      }
    } finally {
      await agent.close();
      await viewer.close();
    }
  });

  it('answers 503 once a real service it was talking to has stopped', async () => {
    const service = await startSam2Service();
    const viewer = await startInProcessViewer({ SAM2_SERVICE_URL: service.url });
    try {
      expect((await fetch(`${viewer.url}/api/segmentation/readyz`)).status).toBe(200);
      await service.stop();
      const after = await postJson(`${viewer.url}/api/segmentation/sam2`, discSliceBody());
      expect(after.res.status).toBe(503);
      expect(after.body.error.code).toBe('SERVICE_UNAVAILABLE');
    } finally {
      await viewer.close();
      await service.stop();
    }
  });

  it('answers 504 GATEWAY_TIMEOUT JSON when the service does not answer in time', async () => {
    const upstream = await startFakeUpstream('hang');
    const viewer = await startInProcessViewer({
      SAM2_SERVICE_URL: upstream.url,
      SAM2_PROXY_TIMEOUT_MS: '1000',
    });
    try {
      const started = Date.now();
      const { res, body } = await postJson(`${viewer.url}/api/segmentation/sam2`, discSliceBody());
      expect(res.status).toBe(504);
      expect(body.error.code).toBe('GATEWAY_TIMEOUT');
      expect(Date.now() - started).toBeGreaterThanOrEqual(900);
      expect(upstream.requests.find((r) => r.method === 'POST')?.body).toContain('image_data');
    } finally {
      await viewer.close();
      await upstream.close();
    }
  });

  it('abandons the service request when the browser gives up', async () => {
    const upstream = await startFakeUpstream('hang');
    const viewer = await startInProcessViewer({ SAM2_SERVICE_URL: upstream.url });
    try {
      await expect(
        fetch(`${viewer.url}/api/segmentation/sam2`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(discSliceBody()),
          signal: AbortSignal.timeout(300),
        }),
      ).rejects.toThrow();
      const deadline = Date.now() + 5000;
      while (upstream.abandoned === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(upstream.abandoned).toBe(1);
    } finally {
      await viewer.close();
      await upstream.close();
    }
  });
});

describe('start-up readiness check', () => {
  it('tells ready, degraded and unreachable apart', async () => {
    const ready = await startSam2Service();
    const disabled = await startSam2Service({ SAM2_ENABLED: 'false' });
    const check = async (url: string) => {
      const upstream = createSam2Upstream({
        serviceUrl: url,
        connectTimeoutMs: 1000,
        responseTimeoutMs: 2000,
      });
      try {
        return await checkServiceReadiness(upstream);
      } finally {
        await upstream.pool.close();
      }
    };
    try {
      expect(await check(ready.url)).toEqual({ status: 'ready' });
      expect(await check(disabled.url)).toMatchObject({ status: 'degraded', state: 'disabled' });
      expect(await check(`http://127.0.0.1:${await closedPort()}`)).toMatchObject({
        status: 'unreachable',
        error: 'ECONNREFUSED',
      });
    } finally {
      await ready.stop();
      await disabled.stop();
    }
  });
});
