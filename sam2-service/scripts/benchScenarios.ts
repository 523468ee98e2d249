/**
 * The scenarios of `npm run bench` (issue 9 §5): each measures figures against the running service with
 * the raw ORT times of the same run. Figures are reported, never asserted.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Prompts } from '../src/model/types';
import { type BurstAnswer, serverTimingMs } from './lib/burstClient';
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
  /** Processes the burst is sent from (separate users). */
  burstClients: number;
  note: (text: string) => void;
  startService: (env: Record<string, string>) => Promise<ServiceProcess>;
}

/** Every figure of issue 9 §5 (ms unless named otherwise). */
export interface Figures {
  raw_encoder_ms: number;
  raw_decoder_ms: number;
  uncached_over_raw: number;
  cached_click_minus_decoder_ms: number;
  /** The same clicks' Server-Timing (the service's own time) − median raw decoder. */
  cached_click_service_minus_decoder_ms: number;
  first_click_after_dwell_ms: number;
  first_click_no_speculation_ms: number;
  interactive_p95_ratio_with_speculation: number;
  interactive_p95_ms_with_speculation: number;
  interactive_p95_ms_without_speculation: number;
  /** Clicks of the scripted users refused as busy (each sent again after Retry-After; the wait counts). */
  interactive_429_count_with_speculation: number;
  interactive_429_count_without_speculation: number;
  automatic_ms: number;
  automatic_decoder_runs: number;
  healthz_p99_busy_ms: number;
  burst_requests: number;
  burst_capacity: number;
  burst_success_over_capacity: number;
  burst_200_count: number;
  burst_429_count: number;
  /** Client-observed, from starting the request to the whole answer (the figure). */
  burst_429_p99_ms: number;
  burst_429_p50_ms: number;
  /** Client-observed, from starting the request to the answer's headers. */
  burst_429_headers_p99_ms: number;
  /**
   * Client-observed, to the answer or the end of the upload, whichever is later: what a client sees that
   * reads nothing before its whole body is sent (Node's fetch does so).
   */
  burst_429_after_upload_p99_ms: number;
  /** The service's own time of the 429s (Server-Timing), p99. */
  burst_429_service_p99_ms: number;
  burst_504_count: number;
  /** Answers other than 200, 429 and 504, and fetch failures (status 0). */
  burst_other_count: number;
  /** Distinct fetch errors of the burst (empty when every request got an answer). */
  burst_errors: string;
  /** Share of the 429s whose service time (sam2_refusal_duration_seconds, to the answer written) was ≤ 50 ms. */
  burst_429_service_within_50ms: number;
  burst_clients: number;
  /** The service's encode estimate and safety margin when the burst came (its warm-up run), and after. */
  burst_estimate_encode_ms_before: number;
  burst_estimate_safety_ms_before: number;
  burst_estimate_encode_ms_after: number;
  burst_encoder_runs: number;
  burst_429_connect_p99_ms: number;
  burst_service_eventloop_lag_max_ms: number;
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

async function ok<A extends { status: number; body: { image_id?: string } }>(res: Promise<A>): Promise<A> {
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

/** Scenarios `--only` can pick (comma-separated); each yields the figures named in docs/performance.md. */
export const scenarioNames = [
  'uncached',
  'cached',
  'dwell',
  'automatic',
  'healthz',
  'interactive',
  'burst',
] as const;
export type ScenarioName = (typeof scenarioNames)[number];

/** Parses `--only a,b`: every scenario when absent; throws naming the unknown ones. */
export function parseOnly(only: string | undefined): Set<ScenarioName> {
  if (!only) return new Set(scenarioNames);
  const names = only
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !(scenarioNames as readonly string[]).includes(n));
  if (unknown.length > 0 || names.length === 0) {
    throw new Error(`--only: unknown scenario(s) ${unknown.join(', ')}; use ${scenarioNames.join(', ')}`);
  }
  return new Set(names as ScenarioName[]);
}

/** Raw encoder and decoder medians without the service (when the uncached scenario does not run). */
async function rawTimes(ctx: BenchContext): Promise<{ encoderMs: number; decoderMs: number }> {
  const slice = ctx.slices[0];
  await ctx.raw.encode(slice);
  const encodes = [await ctx.raw.encode(slice), await ctx.raw.encode(slice), await ctx.raw.encode(slice)];
  const decodes: number[] = [];
  for (let i = 0; i < 6; i++) decodes.push(await ctx.raw.decode(slice, click(i)));
  return { encoderMs: median(encodes), decoderMs: median(decodes.slice(1)) };
}

/** Runs the `only` scenarios (default: all); figures of the others are absent. */
export async function runScenarios(
  ctx: BenchContext,
  only: Set<ScenarioName> = new Set(scenarioNames),
): Promise<Partial<Figures>> {
  const { note } = ctx;
  const f: Partial<Figures> = {};
  const shared: ScenarioName[] = ['uncached', 'cached', 'dwell', 'automatic', 'healthz'];
  if (shared.some((n) => only.has(n))) {
    await withService(ctx, {}, (service) => sharedServiceScenarios(ctx, service, only, f));
  }
  if (f.raw_encoder_ms === undefined || f.raw_decoder_ms === undefined) {
    const { encoderMs, decoderMs } = await rawTimes(ctx);
    f.raw_encoder_ms = round(encoderMs);
    f.raw_decoder_ms = round(decoderMs);
    note(`raw encoder ${f.raw_encoder_ms} ms, decoder ${f.raw_decoder_ms} ms`);
  }

  if (only.has('interactive')) {
    const p95 = async (speculation: boolean) =>
      withService(ctx, {}, (service) => scrollAndClick(ctx, service, speculation, f.raw_encoder_ms!));
    const without = await p95(false);
    const withSpeculation = await p95(true);
    f.interactive_p95_ms_without_speculation = round(without.p95);
    f.interactive_p95_ms_with_speculation = round(withSpeculation.p95);
    f.interactive_429_count_without_speculation = without.refused;
    f.interactive_429_count_with_speculation = withSpeculation.refused;
    f.interactive_p95_ratio_with_speculation = round(
      f.interactive_p95_ms_with_speculation / f.interactive_p95_ms_without_speculation,
      3,
    );
    note(`interactive p95 ratio with speculation: ${f.interactive_p95_ratio_with_speculation}`);
  }

  if (only.has('burst')) Object.assign(f, await burst(ctx, f.raw_encoder_ms, f.raw_decoder_ms));
  return f;
}

/** The scenarios that share one service: uncached, cached, dwell, automatic, healthz. */
async function sharedServiceScenarios(
  ctx: BenchContext,
  service: ServiceProcess,
  only: Set<ScenarioName>,
  f: Partial<Figures>,
): Promise<void> {
  const { slices, raw, note } = ctx;
  // Uncached request vs raw encoder + decoder, alternating (per-pair ratios cancel slow drift).
  const rawEncode: number[] = [];
  const rawDecode: number[] = [];
  const ratios: number[] = [];
  let imageId = '';
  await raw.encode(slices[0]);
  const uncachedRuns = only.has('uncached') ? ctx.requests : 1;
  for (let i = 0; i < uncachedRuns; i++) {
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
  if (only.has('uncached')) {
    f.uncached_over_raw = round(median(ratios), 3);
    note(`uncached: ${f.uncached_over_raw}× raw`);
  }

  // Cached click (decoder only) vs raw decoder, alternating.
  const last = slices[(uncachedRuns - 1) % slices.length];
  const rawClick: number[] = [];
  const cached: number[] = [];
  const cachedService: number[] = [];
  for (let i = 1; i <= (only.has('cached') ? 20 : 5); i++) {
    rawClick.push(await raw.decode(last, click(i)));
    const start = performance.now();
    const answer = await ok(postSegment(service.url, { image_id: imageId, prompts: click(i) }));
    cached.push(performance.now() - start);
    cachedService.push(serverTimingMs(answer.headers.get('server-timing')) ?? NaN);
  }
  if (only.has('uncached')) f.raw_encoder_ms = round(median(rawEncode));
  f.raw_decoder_ms = round(median([...rawDecode, ...rawClick]));
  if (only.has('cached')) {
    f.cached_click_minus_decoder_ms = round(median(cached) - median(rawClick));
    f.cached_click_service_minus_decoder_ms = round(median(cachedService) - median(rawClick));
    note(
      `cached click: decoder + ${f.cached_click_minus_decoder_ms} ms (service's own time: decoder + ${f.cached_click_service_minus_decoder_ms} ms)`,
    );
  }
  if (f.raw_encoder_ms === undefined) f.raw_encoder_ms = round((await rawTimes(ctx)).encoderMs);
  note(`raw encoder ${f.raw_encoder_ms} ms, decoder ${f.raw_decoder_ms} ms`);

  if (only.has('dwell')) {
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
  }

  if (only.has('automatic')) {
    // Automatic mode on an encoded slice (decoder runs only).
    const auto = await ok(postSegment(service.url, { image_id: imageId }));
    const automatic = auto.body as { processing_time_ms: number; timing?: { decoder_runs: number } };
    f.automatic_ms = round(automatic.processing_time_ms);
    f.automatic_decoder_runs = automatic.timing?.decoder_runs ?? NaN;
  }

  if (only.has('healthz')) {
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
  }
}

/**
 * `users` radiologists at once, each `rounds` times: scroll over 5 slices (150 ms apart, too fast for a
 * speculative encode, which the viewer sends only after 300 ms on a slice), dwell, click. With
 * speculation the slice dwelt on is encoded after 300 ms; the click comes 1.5 × the raw encoder time
 * later. Without, the click comes after the same dwell. Returns the p95 of the clicks (a click refused
 * as busy is sent again after its Retry-After, its wait included) and how many answers were 429.
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
      const start = performance.now();
      // A click refused as busy is sent again after Retry-After, as a user would: the wait counts.
      for (;;) {
        const answer = await postSegment(service.url, { ...body, prompts: click(r) });
        if (answer.status !== 429) {
          await ok(Promise.resolve(answer));
          break;
        }
        refused++;
        await sleep(1000 * Number(answer.headers.get('retry-after') ?? 1));
      }
      clicks.push(performance.now() - start);
      await encode;
    }
  };
  let refused = 0;
  await Promise.all(Array.from({ length: ctx.users }, (_, u) => user(u)));
  return { p95: percentile(clicks, 95), refused };
}

/**
 * A burst of 10× what fits in the time limit with 1 worker (capacity = limit ÷ (encoder + decoder)),
 * all different slices at once, as several users would: `burstClients` processes (burstClient.ts)
 * send `count ÷ burstClients` requests each, with bodies built and loaded before the timed part. Each
 * answer is timed by its client from calling fetch to the whole answer; `Server-Timing` gives the
 * service's own time of the same answer.
 */
async function burst(ctx: BenchContext, encoderMs: number, decoderMs: number): Promise<Partial<Figures>> {
  const timeoutMs = 30_000;
  const capacity = Math.max(1, Math.floor(timeoutMs / (encoderMs + decoderMs)));
  const count = Math.min(400, 10 * capacity);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sam2-burst-'));
  try {
    const files = Array.from({ length: count }, (_, i) => {
      const file = path.join(dir, `${i}.json`);
      writeFileSync(file, JSON.stringify(freshBody(ctx.slices[i % ctx.slices.length], click(0))));
      return file;
    });
    return await withService(
      ctx,
      { SAM2_REQUEST_TIMEOUT_MS: String(timeoutMs), SAM2_MAX_QUEUE: '32' },
      async (service) => {
        const clients = Math.max(1, Math.min(count, ctx.burstClients));
        ctx.note(`burst: ${count} requests (capacity ${capacity}) from ${clients} client processes`);
        const estimatedBefore = await estimates(service.url);
        await (await fetch(`${service.url}/metrics`)).text(); // resets the event-loop delay figures
        const answers = await sendFromClients(service.url, files, clients);
        await waitIdle(service.url);
        const metrics = await (await fetch(`${service.url}/metrics`)).text();
        return {
          ...burstFigures(answers, metrics, { count, capacity, timeoutMs, clients }),
          burst_estimate_encode_ms_before: estimatedBefore.encode_ms,
          burst_estimate_safety_ms_before: estimatedBefore.safety_ms,
          burst_estimate_encode_ms_after: (await estimates(service.url)).encode_ms,
        };
      },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Forks `clients` burst clients, waits until each has its bodies in memory, then starts them at once. */
async function sendFromClients(url: string, files: string[], clients: number): Promise<BurstAnswer[]> {
  const script = path.join(__dirname, 'lib', 'burstClient.js');
  const children = Array.from({ length: clients }, (_, c) => ({
    child: fork(script, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
    files: files.filter((_, i) => i % clients === c),
  }));
  const message = (child: ChildProcess, type: string) =>
    new Promise<{ answers?: BurstAnswer[] }>((resolve, reject) => {
      const onMessage = (m: { type: string; answers?: BurstAnswer[] }) => {
        if (m.type !== type) return;
        child.off('message', onMessage);
        resolve(m);
      };
      child.on('message', onMessage);
      child.once('exit', (code) => reject(new Error(`burst client exited (${code}) before '${type}'`)));
    });
  try {
    await Promise.all(
      children.map(({ child, files: own }) => {
        const ready = message(child, 'ready');
        child.send({ type: 'start', url, files: own });
        return ready;
      }),
    );
    const done = children.map(({ child }) => message(child, 'done'));
    children.forEach(({ child }) => child.send({ type: 'go' }));
    return (await Promise.all(done)).flatMap((m) => m.answers ?? []);
  } finally {
    for (const { child } of children) if (child.exitCode === null) child.kill();
  }
}

/** The scheduler's estimates (GET /health queue.estimates). */
async function estimates(url: string): Promise<{ encode_ms: number; safety_ms: number }> {
  const health = (await (await fetch(`${url}/health`)).json()) as {
    queue: { estimates: { encode_ms: number; safety_ms: number } };
  };
  return health.queue.estimates;
}

/** Waits until no worker is busy (a run still going would be missing from the encoder count). */
async function waitIdle(url: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const health = (await (await fetch(`${url}/health`)).json()) as { workers: { busy: number } };
    if (health.workers.busy === 0) return;
    await sleep(100);
  }
}

function burstFigures(
  answers: BurstAnswer[],
  metrics: string,
  run: { count: number; capacity: number; timeoutMs: number; clients: number },
): Partial<Figures> {
  const sample = (series: string) =>
    Number(
      metrics
        .split('\n')
        .find((line) => line.startsWith(`${series} `))
        ?.split(' ')[1] ?? NaN,
    );
  const refused = answers.filter((a) => a.status === 429);
  const succeeded = answers.filter((a) => a.status === 200).length;
  return {
    request_timeout_ms: run.timeoutMs,
    burst_requests: run.count,
    burst_clients: run.clients,
    burst_capacity: run.capacity,
    burst_success_over_capacity: round(succeeded / run.capacity, 3),
    burst_200_count: succeeded,
    burst_429_count: refused.length,
    burst_429_p99_ms: round(
      percentile(
        refused.map((a) => a.ms),
        99,
      ),
    ),
    burst_429_p50_ms: round(
      percentile(
        refused.map((a) => a.ms),
        50,
      ),
    ),
    burst_429_headers_p99_ms: round(
      percentile(
        refused.map((a) => a.headersMs),
        99,
      ),
    ),
    burst_429_after_upload_p99_ms: round(
      percentile(
        refused.map((a) => Math.max(a.ms, a.uploadMs)),
        99,
      ),
    ),
    burst_429_service_p99_ms: round(
      percentile(
        refused.map((a) => a.serviceMs ?? NaN),
        99,
      ),
    ),
    burst_504_count: answers.filter((a) => a.status === 504).length,
    burst_other_count: answers.filter((a) => ![200, 429, 504].includes(a.status)).length,
    burst_errors: [...new Set(answers.flatMap((a) => (a.error ? [a.error] : [])))].join('; '),
    burst_429_service_within_50ms: round(
      sample('sam2_refusal_duration_seconds_bucket{le="0.05",route="/api/segmentation/sam2"}') /
        sample('sam2_refusal_duration_seconds_count{route="/api/segmentation/sam2"}'),
      3,
    ),
    burst_encoder_runs: sample('sam2_encode_duration_seconds_count'),
    // Where a client's 429 time goes: its TCP connect, and the service's main-thread stalls (prom-client's
    // event-loop delay, max since the scrape just before the burst).
    burst_429_connect_p99_ms: round(
      percentile(
        refused.map((a) => a.connectMs),
        99,
      ),
    ),
    burst_service_eventloop_lag_max_ms: round(sample('sam2_nodejs_eventloop_lag_max_seconds') * 1000),
  };
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
