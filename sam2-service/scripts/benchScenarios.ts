/**
 * The scenarios of `npm run bench` (issue 9 §5): each measures figures against the running service with
 * the raw ORT times of the same run. Figures are reported, never asserted.
 */
import { performance } from 'node:perf_hooks';
import type { Prompts } from '../src/model/types';
import { type CtSlice, segmentBody } from './lib/ctSlices';
import { type ServiceProcess, postSegment } from './lib/serviceProcess';

/** Raw ORT runs (bench.ts RawModel). */
export interface RawRunner {
  encode(slice: CtSlice): Promise<number>;
  decode(slice: CtSlice, prompts: Prompts): Promise<number>;
}

export interface BenchContext {
  slices: CtSlice[];
  raw: RawRunner;
  modelDir: string;
  cores: number;
  requests: number;
  users: number;
  rounds: number;
  note: (text: string) => void;
  startService: (env: Record<string, string>) => Promise<ServiceProcess>;
}

/** Every figure of issue 9 §5 (ms unless named otherwise). */
export interface Figures {
  raw_encoder_ms: number;
  raw_decoder_ms: number;
  uncached_over_raw: number;
  cached_click_minus_decoder_ms: number;
  first_click_after_dwell_ms: number;
  first_click_no_speculation_ms: number;
  interactive_p95_ratio_with_speculation: number;
  interactive_p95_ms_with_speculation: number;
  interactive_p95_ms_without_speculation: number;
  automatic_ms: number;
  automatic_decoder_runs: number;
  healthz_p99_busy_ms: number;
  burst_requests: number;
  burst_capacity: number;
  burst_success_over_capacity: number;
  burst_200_count: number;
  burst_429_count: number;
  burst_429_p99_ms: number;
  burst_504_count: number;
  burst_encoder_runs: number;
  request_timeout_ms: number;
}

export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}
const median = (samples: number[]) => percentile(samples, 50);
const round = (v: number, digits = 1) => Math.round(v * 10 ** digits) / 10 ** digits;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function timed(run: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await run();
  return performance.now() - start;
}

const click = (i: number): Prompts => ({
  points: [{ x: 150 + (i % 20) * 10, y: 250 + Math.floor(i / 20) * 5, label: 1 }],
});

/** Window centres make distinct images of the same slice: each counter value is a never-seen image. */
let nextWindow = 1000;
const freshBody = (slice: CtSlice, prompts?: Prompts) =>
  segmentBody(slice, { window: { center: nextWindow++, width: 4000 }, ...(prompts ? { prompts } : {}) });

async function ok(res: Promise<{ status: number; body: { image_id?: string } }>) {
  const answer = await res;
  if (answer.status !== 200)
    throw new Error(`request failed: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer;
}

async function post(url: string, path: string, body: unknown, signal?: AbortSignal) {
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
    signal,
  });
  const text = await res.text();
  return { status: res.status, text };
}

async function withService<T>(
  ctx: BenchContext,
  env: Record<string, string>,
  run: (s: ServiceProcess) => Promise<T>,
) {
  const service = await ctx.startService({
    SAM2_MODEL_DIR: ctx.modelDir,
    SAM2_WORKERS: '1',
    SAM2_THREADS: String(ctx.cores),
    ...env,
  });
  try {
    await service.waitReady(300_000);
    return await run(service);
  } finally {
    await service.stop();
  }
}

export async function runScenarios(ctx: BenchContext): Promise<Figures> {
  const { slices, raw, note } = ctx;
  const f: Partial<Figures> = {};
  await withService(ctx, {}, async (service) => {
    // Uncached request vs raw encoder + decoder, alternating (per-pair ratios cancel slow drift).
    const rawEncode: number[] = [];
    const rawDecode: number[] = [];
    const ratios: number[] = [];
    let imageId = '';
    await raw.encode(slices[0]);
    for (let i = 0; i < ctx.requests; i++) {
      const slice = slices[i % slices.length];
      const e = await raw.encode(slice);
      const d = await raw.decode(slice, click(0));
      rawEncode.push(e);
      rawDecode.push(d);
      const u = await timed(async () => {
        imageId = (await ok(postSegment(service.url, freshBody(slice, click(0))))).body.image_id!;
      });
      ratios.push(u / (e + d));
    }
    f.uncached_over_raw = round(median(ratios), 3);
    note(`uncached: ${f.uncached_over_raw}× raw`);

    // Cached click (decoder only) vs raw decoder, alternating.
    const last = slices[(ctx.requests - 1) % slices.length];
    const rawClick: number[] = [];
    const cached: number[] = [];
    for (let i = 1; i <= 20; i++) {
      rawClick.push(await raw.decode(last, click(i)));
      cached.push(await timed(() => ok(postSegment(service.url, { image_id: imageId, prompts: click(i) }))));
    }
    f.raw_encoder_ms = round(median(rawEncode));
    f.raw_decoder_ms = round(median([...rawDecode, ...rawClick]));
    f.cached_click_minus_decoder_ms = round(median(cached) - median(rawClick));
    note(`raw encoder ${f.raw_encoder_ms} ms, decoder ${f.raw_decoder_ms} ms`);

    // First click on a new slice: after a dwell with a speculative encode, and without one.
    const dwellMs = 1.5 * f.raw_encoder_ms;
    const afterDwell: number[] = [];
    const noSpeculation: number[] = [];
    for (let i = 0; i < 3; i++) {
      const slice = slices[(i * 7) % slices.length];
      const body = freshBody(slice);
      const speculative = post(service.url, '/api/segmentation/sam2/encode', body);
      await sleep(dwellMs);
      afterDwell.push(await timed(() => ok(postSegment(service.url, { ...body, prompts: click(i) }))));
      await speculative;
      noSpeculation.push(await timed(() => ok(postSegment(service.url, freshBody(slice, click(i))))));
    }
    f.first_click_after_dwell_ms = round(median(afterDwell));
    f.first_click_no_speculation_ms = round(median(noSpeculation));
    note(
      `first click: ${f.first_click_after_dwell_ms} ms after a dwell, ${f.first_click_no_speculation_ms} ms without`,
    );

    // Automatic mode on an encoded slice (decoder runs only).
    const auto = await ok(postSegment(service.url, { image_id: imageId }));
    const automatic = auto.body as { processing_time_ms: number; timing?: { decoder_runs: number } };
    f.automatic_ms = round(automatic.processing_time_ms);
    f.automatic_decoder_runs = automatic.timing?.decoder_runs ?? NaN;

    // /healthz while the worker is busy (two uncached requests always in flight).
    let stop = false;
    const loader = async () => {
      while (!stop) await postSegment(service.url, freshBody(slices[nextWindow % slices.length], click(0)));
    };
    const loaders = [loader(), loader()];
    await sleep(300);
    const healthz: number[] = [];
    for (let i = 0; i < 200; i++) {
      healthz.push(await timed(() => fetch(`${service.url}/healthz`).then((r) => r.text())));
      await sleep(10);
    }
    stop = true;
    await Promise.all(loaders);
    f.healthz_p99_busy_ms = round(percentile(healthz, 99));
  });

  const p95 = async (speculation: boolean) =>
    withService(ctx, {}, (service) => scrollAndClick(ctx, service, speculation, f.raw_encoder_ms!));
  f.interactive_p95_ms_without_speculation = round(await p95(false));
  f.interactive_p95_ms_with_speculation = round(await p95(true));
  f.interactive_p95_ratio_with_speculation = round(
    f.interactive_p95_ms_with_speculation / f.interactive_p95_ms_without_speculation,
    3,
  );
  note(`interactive p95 ratio with speculation: ${f.interactive_p95_ratio_with_speculation}`);

  Object.assign(f, await burst(ctx, f.raw_encoder_ms!, f.raw_decoder_ms!));
  return f as Figures;
}

/**
 * `users` radiologists at once, each `rounds` times: scroll over 5 slices (150 ms apart, too fast for a
 * speculative encode, which the viewer sends only after 300 ms on a slice), dwell, click. With
 * speculation the slice dwelt on is encoded after 300 ms; the click comes 1.5 × the raw encoder time
 * later. Without, the click comes after the same dwell. Returns the p95 of the clicks.
 */
async function scrollAndClick(
  ctx: BenchContext,
  service: ServiceProcess,
  speculation: boolean,
  encoderMs: number,
) {
  const clicks: number[] = [];
  const user = async (u: number) => {
    for (let r = 0; r < ctx.rounds; r++) {
      await sleep(4 * 150);
      const body = freshBody(ctx.slices[(u * 11 + r * 5) % ctx.slices.length]);
      await sleep(300);
      const encode = speculation ? post(service.url, '/api/segmentation/sam2/encode', body) : undefined;
      await sleep(1.5 * encoderMs);
      clicks.push(await timed(() => ok(postSegment(service.url, { ...body, prompts: click(r) }))));
      await encode;
    }
  };
  await Promise.all(Array.from({ length: ctx.users }, (_, u) => user(u)));
  return percentile(clicks, 95);
}

/**
 * A burst of 10× what fits in the time limit with 1 worker (capacity = limit ÷ (encoder + decoder)),
 * all different slices at once, as several users would. 429s are timed from sending to the answer.
 */
async function burst(ctx: BenchContext, encoderMs: number, decoderMs: number): Promise<Partial<Figures>> {
  const timeoutMs = 30_000;
  const capacity = Math.max(1, Math.floor(timeoutMs / (encoderMs + decoderMs)));
  const count = Math.min(400, 10 * capacity);
  return withService(
    ctx,
    { SAM2_REQUEST_TIMEOUT_MS: String(timeoutMs), SAM2_MAX_QUEUE: '32' },
    async (service) => {
      const bodies = Array.from({ length: count }, (_, i) =>
        JSON.stringify(freshBody(ctx.slices[i % ctx.slices.length], click(0))),
      );
      const answers = await Promise.all(
        bodies.map(async (body) => {
          const start = performance.now();
          const res = await fetch(`${service.url}/api/segmentation/sam2`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body,
          });
          await res.arrayBuffer();
          return { status: res.status, ms: performance.now() - start };
        }),
      );
      const metrics = await (await fetch(`${service.url}/metrics`)).text();
      const encodes = Number(/^sam2_encode_duration_seconds_count (\S+)$/m.exec(metrics)?.[1] ?? NaN);
      const refused = answers.filter((a) => a.status === 429).map((a) => a.ms);
      const succeeded = answers.filter((a) => a.status === 200).length;
      return {
        request_timeout_ms: timeoutMs,
        burst_requests: count,
        burst_capacity: capacity,
        burst_success_over_capacity: round(succeeded / capacity, 3),
        burst_200_count: succeeded,
        burst_429_count: refused.length,
        burst_429_p99_ms: round(percentile(refused, 99)),
        burst_504_count: answers.filter((a) => a.status === 504).length,
        burst_encoder_runs: encodes,
      };
    },
  );
}

const targets: Partial<Record<keyof Figures, string>> = {
  uncached_over_raw: '≤ 1.05',
  first_click_after_dwell_ms: '≤ raw_decoder_ms + 50',
  interactive_p95_ratio_with_speculation: '≤ 1.10',
  healthz_p99_busy_ms: '≤ 20',
  burst_success_over_capacity: '≥ 0.8',
  burst_429_p99_ms: '≤ 50',
  burst_504_count: '0',
};

/** The human-readable table (without --json). */
export function printTable(result: Record<string, unknown>): void {
  const rows = Object.entries(result).map(([key, value]) => [
    key,
    typeof value === 'object' ? JSON.stringify(value) : String(value),
    targets[key as keyof Figures] ?? '',
  ]);
  const width = [0, 1].map((c) => Math.max(...rows.map((r) => r[c].length)));
  for (const [k, v, t] of rows) console.log(`${k.padEnd(width[0])}  ${v.padEnd(width[1])}  ${t}`);
}
