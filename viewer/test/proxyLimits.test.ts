import type { RunningViewer } from '../src/server';
import { startInProcessViewer } from './helpers/inProcessViewer';
import { type ServiceProcess, startSam2Service } from './helpers/sam2Service';

/** A side² float32 slice (HU: a 60 HU disc in air) with a point on the disc, as a JSON string. */
function float32Body(side: number): string {
  const pixels = new Float32Array(side * side).fill(-1000);
  const c = side / 2;
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++)
      if ((x - c) ** 2 + (y - c) ** 2 < (side / 4) ** 2) pixels[y * side + x] = 60;
  }
  return JSON.stringify({
    image_data: Buffer.from(pixels.buffer).toString('base64'),
    image_type: 'float32',
    width: side,
    height: side,
    prompts: { points: [{ x: c, y: c, label: 1 }] },
  });
}

describe('the viewer proxy carries every slice the service advertises (field case c08)', () => {
  let service: ServiceProcess;
  let viewer: RunningViewer;
  beforeAll(async () => {
    // The service's default limits (no SAM2_MAX_BODY / SAM2_MAX_IMAGE_SIDE).
    service = await startSam2Service({ SAM2_REQUEST_TIMEOUT_MS: '120000' });
    viewer = await startInProcessViewer({ SAM2_SERVICE_URL: service.url, SAM2_PROXY_TIMEOUT_MS: '180000' });
  });
  afterAll(async () => {
    await viewer.close();
    await service.stop();
  });

  it('a float32 slice of the advertised side through /api/segmentation/sam2: 200, not 413', async () => {
    const info = (await (await fetch(`${viewer.url}/api/segmentation/info`)).json()) as {
      capabilities: { max_image_side: number; max_body_bytes: number };
    };
    const side = info.capabilities.max_image_side;
    expect(side).toBe(4096);
    const body = float32Body(side);
    expect(body.length).toBeLessThanOrEqual(info.capabilities.max_body_bytes);
    const res = await fetch(`${viewer.url}/api/segmentation/sam2`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body,
    });
    expect(res.status).toBe(200);
    const answer = (await res.json()) as { masks: { rle: { size: number[] }; area: number }[] };
    expect(answer.masks[0].rle.size).toEqual([side, side]);
    expect(answer.masks[0].area).toBeGreaterThan(0);
  });
});
