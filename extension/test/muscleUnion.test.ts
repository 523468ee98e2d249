/**
 * The muscle One-Click's requests (run/musclePrompts.ts) against a real HTTP server on 127.0.0.1
 * (node:http) that answers each prompt with a scripted mask: one request per group, pixels only in the
 * first, each group's mask clipped to its own box, groups with an empty mask left out. Expected values
 * are written out by hand.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ImageIdCache } from '../src/api/request';
import type { MusclePromptGroup } from '../src/anatomy/musclePrompt';
import { ClickTimer } from '../src/run/clickTimer';
import { requestMuscleUnion } from '../src/run/musclePrompts';

const WIDTH = 8;
const HEIGHT = 6;
const IMAGE_ID = 'a'.repeat(64);

/** Column-major RLE (starting with a run of zeros) of a row-major mask. */
function rle(mask: number[]): { size: [number, number]; counts: number[] } {
  const counts: number[] = [];
  let value = 0;
  let run = 0;
  for (let x = 0; x < WIDTH; x++)
    for (let y = 0; y < HEIGHT; y++) {
      const v = mask[y * WIDTH + x] ? 1 : 0;
      if (v === value) run++;
      else {
        counts.push(run);
        value = v;
        run = 1;
      }
    }
  counts.push(run);
  return { size: [HEIGHT, WIDTH], counts };
}

function answer(mask: number[]) {
  const area = mask.reduce((s, v) => s + v, 0);
  return {
    masks: area ? [{ rle: rle(mask), score: 0.9, area, bbox: [0, 0, 1, 1] }] : [],
    mode: 'prompt',
    image_id: IMAGE_ID,
    processing_time_ms: 1,
    cached: false,
    embedding_cached: false,
    model: { name: 'test', family: 'sam2', version: '1' },
  };
}

function group(name: string, box: [number, number, number, number]): MusclePromptGroup {
  const world: [number, number, number] = [0, 0, 0];
  return {
    kind: name.startsWith('psoas') ? 'psoas' : 'paraspinal',
    name,
    box,
    world: [world, world],
    point: { x: box[0] + 0.5, y: box[1] + 0.5, world },
  };
}

describe('requestMuscleUnion', () => {
  let server: http.Server;
  let base: string;
  const bodies: Array<Record<string, unknown>> = [];
  let masks: number[][] = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        bodies.push(JSON.parse(body) as Record<string, unknown>);
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify(answer(masks.shift() ?? [])));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    bodies.length = 0;
  });

  const input = {
    sliceImageId: 'dicomfile:0',
    image: {
      rows: HEIGHT,
      columns: WIDTH,
      getPixelData: () => new Int16Array(WIDTH * HEIGHT).fill(40),
      preScale: { scaled: true },
    },
    window: { center: 40, width: 400 },
    photometric: 'MONOCHROME2' as const,
    identity: { slice_index: 0 },
  };
  const client = () => ({ url: `${base}/api/segmentation/sam2`, timeoutMs: 3000 });
  const full = new Array<number>(WIDTH * HEIGHT).fill(1);

  it('sends one prompt per group on one encoding and writes the union of the masks clipped to their boxes', async () => {
    masks = [full, full];
    const union = await requestMuscleUnion(
      [group('psoas-right', [0, 0, 2, 2]), group('paraspinal-left', [5, 3, 8, 6])],
      input,
      { width: WIDTH, height: HEIGHT },
      new ImageIdCache(),
      client(),
      new ClickTimer('t1'),
    );
    expect(bodies).toHaveLength(2);
    expect(bodies[0].image_data).toBeDefined();
    expect(bodies[0].prompts).toEqual({ box: [0, 0, 2, 2], points: [{ x: 0.5, y: 0.5, label: 1 }] });
    expect(bodies[1].image_data).toBeUndefined();
    expect(bodies[1].image_id).toBe(IMAGE_ID);
    expect(bodies[1].prompts).toEqual({ box: [5, 3, 8, 6], points: [{ x: 5.5, y: 3.5, label: 1 }] });
    // Box [0,0,2,2] spans pixels 0–1 × 0–1; box [5,3,8,6] pixels 5–7 × 3–5: 4 + 9 pixels.
    const expected = new Uint8Array(WIDTH * HEIGHT);
    for (const [x, y] of [
      [0, 0],
      [1, 0],
      [0, 1],
      [1, 1],
    ])
      expected[y * WIDTH + x] = 1;
    for (let y = 3; y < 6; y++) for (let x = 5; x < 8; x++) expected[y * WIDTH + x] = 1;
    expect(union.chosen?.mask).toEqual(expected);
    expect(union.groups).toEqual(['psoas-right', 'paraspinal-left']);
  });

  it('leaves out a group whose mask is empty or lies outside its box, and gives no mask when none is left', async () => {
    const outside = new Array<number>(WIDTH * HEIGHT).fill(0);
    outside[5 * WIDTH + 7] = 1; // bottom-right pixel, outside [0,0,2,2]
    masks = [[], outside];
    const union = await requestMuscleUnion(
      [group('psoas-right', [0, 0, 2, 2]), group('psoas-left', [0, 0, 2, 2])],
      input,
      { width: WIDTH, height: HEIGHT },
      new ImageIdCache(),
      client(),
      new ClickTimer('t2'),
    );
    expect(bodies).toHaveLength(2);
    expect(union.chosen).toBeUndefined();
    expect(union.groups).toEqual([]);
  });
});
