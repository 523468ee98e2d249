/**
 * `npm run eval`'s context One-Click sends what the viewer's One-Click sends: on the real CT, the
 * request bodies the running service receives (recorded by a pass-through proxy in front of it) carry
 * the shared rules' prompts. The expected vertebra comes from the reference L3 mask, read here straight
 * from the NIfTI files (display column i, row j = file 121 − i, 100 − j; shared/data/README.md and
 * test/unit/eval/realData.test.ts), not from the rule's code.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { rawNifti } from '../helpers/rawNifti';
import { type ServiceProcess, startService } from '../helpers/serviceProcess';
import { describeWithSharedData, sharedDataDir } from '../helpers/sharedData';

const command = path.resolve(__dirname, '..', '..', 'dist', 'scripts', 'eval', 'main.js');
const seg = path.join(sharedDataDir, 'seg_reference', 'totalsegmentator');
const ctNifti = path.join(seg, 'example_ct.nii.gz');
const labelsNifti = path.join(seg, 'example_seg_fast_force_split.nii.gz');
const labelTable = path.join(seg, 'labels_total_v2.tsv');
const L3 = 29; // labels_total_v2.tsv
const [COLUMNS, ROWS] = [122, 101];

interface Recorded {
  path: string;
  body: any;
  /** The service's answer (JSON). */
  answer?: any;
}

/** A proxy that forwards every request to `target` and records the segmentation request bodies. */
async function recordingProxy(
  target: string,
): Promise<{ url: string; requests: Recorded[]; close(): Promise<void> }> {
  const requests: Recorded[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const recorded: Recorded = { path: req.url ?? '', body: undefined };
      if (req.method === 'POST') {
        recorded.body = JSON.parse(body.toString('utf8'));
        requests.push(recorded);
      }
      fetch(`${target}${req.url}`, {
        method: req.method,
        headers: { 'content-type': req.headers['content-type'] ?? 'application/json' },
        ...(req.method === 'POST' ? { body } : {}),
      })
        .then(async (answer) => {
          const bytes = Buffer.from(await answer.arrayBuffer());
          if (req.method === 'POST') recorded.answer = JSON.parse(bytes.toString('utf8'));
          res.writeHead(answer.status, {
            'content-type': answer.headers.get('content-type') ?? 'text/plain',
          });
          res.end(bytes);
        })
        .catch(() => {
          res.writeHead(502);
          res.end();
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function run(args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [command, ...args], { timeout: 180000 }, (error, _stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stderr });
    });
  });
}

/** Display-order pixels (row-major, 122 × 101) of label `value` on slice k, from the raw file. */
function referencePixels(labels: { values: Float64Array }, value: number, k: number): [number, number][] {
  const out: [number, number][] = [];
  for (let j = 0; j < ROWS; j++)
    for (let i = 0; i < COLUMNS; i++)
      if (labels.values[121 - i + COLUMNS * (100 - j) + COLUMNS * ROWS * k] === value) out.push([i, j]);
  return out;
}

/** The service's RLE (column-major runs, zeros first; docs/api.md "Masks") as a row-major 0/1 mask. */
function decodeServiceRle(rle: { size: [number, number]; counts: number[] }): Uint8Array {
  const [height, width] = rle.size;
  const out = new Uint8Array(width * height);
  let q = 0;
  rle.counts.forEach((run, n) => {
    for (let end = q + run; q < end; q++) if (n % 2) out[(q % height) * width + Math.floor(q / height)] = 1;
  });
  return out;
}

describeWithSharedData('npm run eval context One-Click: the viewer rules reach the service (real CT)', () => {
  let service: ServiceProcess;
  let proxy: Awaited<ReturnType<typeof recordingProxy>>;
  let out: string;
  beforeAll(async () => {
    out = mkdtempSync(path.join(os.tmpdir(), 'sam2-eval-oneclick-'));
    service = await startService();
    await service.waitReady();
  });
  beforeEach(async () => {
    proxy = await recordingProxy(service.url);
  });
  afterEach(() => proxy.close());
  afterAll(async () => {
    await service.stop();
    rmSync(out, { recursive: true, force: true });
  });

  async function evaluate(structures: string, slices: string, dir: string): Promise<any> {
    const result = await run([
      ...['--service', proxy.url, '--images', ctNifti, '--labels', labelsNifti, '--label-table', labelTable],
      ...['--structures', structures, '--prompts', 'context-one-click', '--slices', slices],
      ...['--out', path.join(out, dir)],
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    return JSON.parse(readFileSync(path.join(out, dir, 'report.json'), 'utf8'));
  }

  it('L3 vertebra: one box per slice, around the reference vertebra, with the bone window', async () => {
    const report = await evaluate('vertebrae_L3', 'every', 'l3');
    const labels = rawNifti(labelsNifti);
    const l3Slices = Array.from({ length: labels.dims[2] }, (_, k) => k).filter(
      (k) => referencePixels(labels, L3, k).length > 0,
    );
    expect(l3Slices).toHaveLength(15);
    const segment = proxy.requests.filter((r) => r.path === '/api/segmentation/sam2');
    expect(segment).toHaveLength(l3Slices.length);
    expect(report.slices.map((s: { slice: number }) => s.slice)).toEqual(l3Slices);

    let holding = 0;
    const overlaps: number[] = [];
    segment.forEach(({ body }, n) => {
      // A box prompt alone (no automatic mode, no point), on the slice's pixels in the bone window.
      expect(Object.keys(body.prompts)).toEqual(['box']);
      expect(body.window).toMatchObject({ center: 400, width: 1800 });
      expect([body.width, body.height]).toEqual([COLUMNS, ROWS]);
      const [x0, y0, x1, y1] = body.prompts.box as number[];
      const ref = referencePixels(labels, L3, l3Slices[n]);
      // Pixel (i, j) lies in the box when its centre (i + 0.5, j + 0.5) does (prompt coordinates: edges).
      const inside = ref.filter(([i, j]) => i + 0.5 > x0 && i + 0.5 < x1 && j + 0.5 > y0 && j + 0.5 < y1);
      if (inside.length >= 0.95 * ref.length) holding++;
      // The box hugs the vertebra: IoU with the reference's own bounding box.
      const rx0 = Math.min(...ref.map((p) => p[0]));
      const ry0 = Math.min(...ref.map((p) => p[1]));
      const rx1 = Math.max(...ref.map((p) => p[0])) + 1;
      const ry1 = Math.max(...ref.map((p) => p[1])) + 1;
      const w = Math.max(0, Math.min(x1, rx1) - Math.max(x0, rx0));
      const h = Math.max(0, Math.min(y1, ry1) - Math.max(y0, ry0));
      const union = (x1 - x0) * (y1 - y0) + (rx1 - rx0) * (ry1 - ry0) - w * h;
      overlaps.push((w * h) / union);
      // The report records the box that was sent.
      expect(report.slices[n].oneClick).toEqual({
        rule: 'vertebra-box',
        prompts: [{ name: 'vertebra', box: body.prompts.box }],
      });
    });
    expect(holding / segment.length).toBeGreaterThanOrEqual(0.85);
    // Median: at the ends of L3 the reference is a sliver of the vertebra the box surrounds.
    expect(overlaps.sort((a, b) => a - b)[Math.floor(overlaps.length / 2)]).toBeGreaterThan(0.6);
  });

  it('skeletal muscle: one box + point request per muscle group on one image_id, as the report records', async () => {
    const report = await evaluate('autochthon_left', '3', 'muscle');
    const ct = rawNifti(ctNifti);
    const segment = proxy.requests.filter((r) => r.path === '/api/segmentation/sam2');
    let next = 0;
    const unrestricted: number[] = [];
    expect(report.slices).toHaveLength(3);
    for (const slice of report.slices) {
      const prompts = slice.oneClick.prompts as { name: string; box: number[]; point: object }[];
      expect(slice.oneClick.rule).toBe('muscle-groups');
      expect(prompts.map((p) => p.name)).toEqual(
        expect.arrayContaining(['paraspinal-left', 'paraspinal-right']),
      );
      const sent = segment.slice(next, next + prompts.length);
      next += prompts.length;
      // The first request uploads the slice (soft-tissue window); the others reuse its image_id.
      expect(sent[0].body.image_data).toEqual(expect.any(String));
      expect(sent[0].body.window).toMatchObject({ center: 40, width: 400 });
      const imageIds = new Set(sent.slice(1).map((r) => r.body.image_id));
      expect(imageIds.size).toBe(1);
      expect(sent.slice(1).every((r) => r.body.image_data === undefined)).toBe(true);
      expect(sent.map((r) => r.body.prompts)).toEqual(
        prompts.map((p) => ({ box: p.box, points: [p.point] })),
      );
      // The prediction scored, rebuilt here from the service's answers: each group's first non-empty
      // mask inside its box, their union, then only voxels of −29…+150 HU (the CT read from the file).
      const union = new Uint8Array(COLUMNS * ROWS);
      for (const { body, answer } of sent) {
        const first = answer.masks.find((m: { area: number }) => m.area > 0);
        if (!first) continue;
        const mask = decodeServiceRle(first.rle);
        const [x0, y0, x1, y1] = body.prompts.box as number[];
        for (let j = Math.floor(y0); j < Math.ceil(y1); j++)
          for (let i = Math.floor(x0); i < Math.ceil(x1); i++)
            if (mask[j * COLUMNS + i]) union[j * COLUMNS + i] = 1;
      }
      let inRange = 0;
      let all = 0;
      for (let j = 0; j < ROWS; j++)
        for (let i = 0; i < COLUMNS; i++) {
          if (!union[j * COLUMNS + i]) continue;
          all++;
          const hu = ct.values[121 - i + COLUMNS * (100 - j) + COLUMNS * ROWS * slice.slice];
          if (hu >= -29 && hu <= 150) inRange++;
        }
      expect(inRange).toBeGreaterThan(0);
      unrestricted.push(all - inRange);
      // 3 mm × 3 mm pixels: 0.09 cm² each.
      expect(slice.predictedAreaCm2).toBeCloseTo(inRange * 0.09, 6);
    }
    // The restriction did remove voxels outside the muscle range (the FIXTURE's masks include fat).
    expect(Math.max(...unrestricted)).toBeGreaterThan(0);
    expect(next).toBe(segment.length);
  });
});
