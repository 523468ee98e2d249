import { loadConfig } from '../../src/config';
import { bodyBytesForSide, largestSideForBody } from '../../src/limits';

// Hand-computed: a 4096² float32 slice is 4096 × 4096 × 4 = 67,108,864 bytes; base64 is
// 4 × ceil(67,108,864 / 3) = 89,478,488 characters; plus 16 KiB (16,384) for the rest of the JSON.
const body4096 = 89_478_488 + 16_384;

describe('body limit and image side agree', () => {
  it('sizes the body for the largest pixel type', () => {
    expect(bodyBytesForSide(4096)).toBe(body4096);
    // uint16: 33,554,432 bytes -> 4 × 11,184,811 = 44,739,244 base64 characters (the c08 field case)
    expect(bodyBytesForSide(4096, 2)).toBe(44_739_244 + 16_384);
  });

  it('finds the largest side that fits a body limit', () => {
    expect(largestSideForBody(body4096)).toBe(4096);
    expect(largestSideForBody(body4096 - 1)).toBe(4095);
    // 32 MiB: 2507² × 4 = 25,140,196 -> 33,520,264 + 16,384 fits in 33,554,432; 2508² does not
    // (25,160,256 -> 33,547,008 + 16,384 = 33,563,392).
    expect(largestSideForBody(32 * 1024 * 1024)).toBe(2507);
    expect(largestSideForBody(1000)).toBe(0);
  });

  it('derives the default body limit from SAM2_MAX_IMAGE_SIDE', () => {
    const config = loadConfig({});
    expect(config.maxImageSide).toBe(4096);
    expect(config.maxBodyBytes).toBe(body4096);
    expect(config.limitWarning).toBeUndefined();
    const small = loadConfig({ SAM2_MAX_IMAGE_SIDE: '256' });
    expect(small.maxBodyBytes).toBe(4 * Math.ceil((256 * 256 * 4) / 3) + 16_384);
    expect(loadConfig({ SAM2_MAX_BODY: '' }).maxBodyBytes).toBe(body4096); // empty = unset
  });

  it('advertises only the side that fits an explicit, smaller SAM2_MAX_BODY, and says so', () => {
    const config = loadConfig({ SAM2_MAX_BODY: '32mb' });
    expect(config.maxBodyBytes).toBe(32 * 1024 * 1024);
    expect(config.maxImageSide).toBe(2507);
    expect(config.limitWarning).toMatch(/SAM2_MAX_IMAGE_SIDE 4096 lowered to 2507/);
    const roomy = loadConfig({ SAM2_MAX_BODY: '1gb', SAM2_MAX_IMAGE_SIDE: '512' });
    expect([roomy.maxImageSide, roomy.limitWarning]).toEqual([512, undefined]);
  });
});
