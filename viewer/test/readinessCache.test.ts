import { startFakeUpstream } from './helpers/fakeUpstream';
import { startInProcessViewer } from './helpers/inProcessViewer';
import { startSam2Service } from './helpers/sam2Service';

/**
 * The readiness the extension polls (GET /api/segmentation/readyz): one shared probe of the real service for
 * every open viewer, a stopped service seen within the cache age, a restarted one seen the same way.
 */
jest.setTimeout(120_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function readiness(url: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${url}/api/segmentation/readyz`);
  return { status: res.status, body: await res.json() };
}

describe('shared SAM2 readiness on the viewer server', () => {
  it('answers many concurrent polls from one probe of the service', async () => {
    const upstream = await startFakeUpstream('ok');
    const viewer = await startInProcessViewer({ SAM2_SERVICE_URL: upstream.url });
    try {
      await viewer.readinessChecked;
      const probesBefore = upstream.requests.length;
      const answers = await Promise.all(Array.from({ length: 20 }, () => readiness(viewer.url)));
      for (const a of answers) expect(a).toEqual({ status: 200, body: { ready: true, state: 'ready' } });
      expect(upstream.requests.length - probesBefore).toBe(1);
      expect(upstream.requests[upstream.requests.length - 1].url).toBe('/api/segmentation/readyz');
    } finally {
      await viewer.close();
      await upstream.close();
    }
  });

  it('says "not reachable" once the real service stops, and ready again once it is back', async () => {
    let service = await startSam2Service();
    const viewer = await startInProcessViewer({ SAM2_SERVICE_URL: service.url });
    try {
      expect(await readiness(viewer.url)).toEqual({ status: 200, body: { ready: true, state: 'ready' } });
      await service.stop();
      // Older than the 1 s cache age: the next poll asks the service again.
      await sleep(1200);
      const down = await readiness(viewer.url);
      expect(down.status).toBe(503);
      expect(down.body.error).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });

      service = await startSam2Service({ SAM2_PORT: String(service.port) });
      await sleep(1200);
      expect(await readiness(viewer.url)).toEqual({ status: 200, body: { ready: true, state: 'ready' } });
    } finally {
      await viewer.close();
      await service.stop();
    }
  });
});
