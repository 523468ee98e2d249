import { type ServiceProcess, postSegment, startService } from '../helpers/serviceProcess';

/** A side × side slice like field case c08 (a disc of 1100 stored units), as a JSON body string. */
function discBody(side: number, type: 'uint16' | 'float32', width = side, height = side): string {
  const pixels = type === 'uint16' ? new Uint16Array(width * height) : new Float32Array(width * height);
  const r2 = (Math.min(width, height) / 4) ** 2;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if ((x - width / 2) ** 2 + (y - height / 2) ** 2 < r2) pixels[y * width + x] = 1100;
    }
  }
  return JSON.stringify({
    image_data: Buffer.from(pixels.buffer).toString('base64'),
    image_type: type,
    width,
    height,
    rescale: { slope: 1, intercept: -1024 },
    window: { center: 40, width: 400 },
    prompts: { points: [{ x: width / 2, y: height / 2, label: 1 }] },
  });
}

describe('default limits agree with each other (field case c08, FIXTURE model, real HTTP)', () => {
  let service: ServiceProcess;
  /** What /info advertises by default (checked in the first test). */
  const side = 4096;

  beforeAll(async () => {
    // No SAM2_MAX_BODY / SAM2_MAX_IMAGE_SIDE: the shipped defaults.
    service = await startService({ SAM2_REQUEST_TIMEOUT_MS: '120000' });
    await service.waitReady();
  });
  afterAll(() => service.stop());

  it('advertises 4096 and a body limit that holds a float32 slice of that side', async () => {
    const info = (await (await fetch(`${service.url}/info`)).json()) as {
      capabilities: { max_image_side: number; max_body_bytes: number };
    };
    expect(info.capabilities.max_image_side).toBe(side);
    // 4096² × 4 bytes as base64 is 89,478,488 characters, before any other JSON.
    expect(info.capabilities.max_body_bytes).toBeGreaterThan(89_478_488);
  });

  it.each(['uint16', 'float32'] as const)(
    'accepts a slice of the advertised side as %s (200, not 413)',
    async (type) => {
      const res = await postSegment(service.url, discBody(side, type));
      expect(res.status).toBe(200);
      expect(res.body.masks[0].rle.size).toEqual([side, side]);
      expect(res.body.masks[0].area).toBeGreaterThan(0);
    },
  );

  it.each([
    ['width', side + 1, 8],
    ['height', 8, side + 1],
  ] as const)('refuses one pixel over the side with 400 naming %s', async (field, width, height) => {
    const res = await postSegment(service.url, discBody(0, 'uint16', width, height));
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'INVALID_REQUEST', details: { field } });
    expect(res.body.error.message).toMatch(new RegExp(`^${field}: must be at most 4096 pixels`));
  });
});
