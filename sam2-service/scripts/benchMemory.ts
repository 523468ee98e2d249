/**
 * Memory of the service under an unpaced burst of segmentation requests, and after it is idle again:
 * a benchmark script (prints figures, asserts nothing). Used for docs/deployment.md#memory.
 *
 *   node sam2-service/dist/scripts/benchMemory.js [--model-dir DIR] [--requests 2000] [--concurrency 200]
 *        [--cache-mb 64,512] [--idle-s 20] [--allocator both|on|off] [--side 512]
 *
 * Each request is a distinct 512² int16 slice (so every one is a new embedding for the cache), sent
 * without pacing, `--concurrency` at a time. The resident set size (VmRSS, /proc/<pid>/status) of the
 * service process, worker threads included, is sampled every 100 ms; "idle" is the RSS after `--idle-s`
 * without requests. "cache" is sam2_cache_bytes from /metrics (embeddings + results). With
 * `--allocator off` the service runs without the settings of src/allocatorEnv.ts; `--malloc
 * MALLOC_ARENA_MAX=4,...` replaces them (to compare other values).
 */
import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { allocatorEnv } from '../src/allocatorEnv';
import { writeFixtureModel } from './fixture/writeFixtureModel';
import { startServiceProcess } from './lib/serviceProcess';
import { centreClick, discHu, int16SliceBody } from './lib/syntheticSlice';

const { values: args } = parseArgs({
  options: {
    'model-dir': { type: 'string' },
    requests: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '200' },
    'cache-mb': { type: 'string', default: '64,512' },
    'idle-s': { type: 'string', default: '20' },
    allocator: { type: 'string', default: 'both' },
    side: { type: 'string', default: '512' },
    malloc: { type: 'string' },
  },
});
const requests = Number(args.requests);
const concurrency = Number(args.concurrency);
const side = Number(args.side);
const MiB = 1024 * 1024;
const mallocEnv: Record<string, string> = args.malloc
  ? Object.fromEntries(args.malloc.split(',').map((kv) => kv.split('=') as [string, string]))
  : allocatorEnv;

/** VmRSS of a process in MiB (Linux). */
function rssMiB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

/** A distinct request body per index: a soft-tissue disc whose HU value depends on `i`. */
function body(i: number): string {
  const hu = discHu(side, 40 + (i % 997), -1000 + (i >> 10));
  return JSON.stringify({ ...int16SliceBody(side, hu), prompts: centreClick(side) });
}

/** Sum of the samples of one metric of /metrics, in MiB. */
function metricMiB(text: string, name: string): number {
  const re = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+]+)$`, 'gm');
  return [...text.matchAll(re)].reduce((sum, m) => sum + Number(m[1]), 0) / MiB;
}

async function run(modelDir: string, cacheMb: number, withAllocator: boolean) {
  const service = await startServiceProcess({
    SAM2_MODEL_DIR: modelDir,
    SAM2_EMBEDDING_CACHE_MB: String(cacheMb),
    ...(withAllocator ? mallocEnv : {}),
  });
  try {
    await service.waitReady(120000);
    const pid = service.child.pid!;
    const ready = rssMiB(pid);
    let peak = ready;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(pid))), 100);
    const statuses = new Map<number, number>();
    let next = 0;
    const started = Date.now();
    const client = async () => {
      while (next < requests) {
        const i = next++;
        const res = await fetch(`${service.url}/api/segmentation/sam2`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: body(i),
        }).catch(() => undefined);
        await res?.arrayBuffer();
        const status = res?.status ?? 0;
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, client));
    const burstS = (Date.now() - started) / 1000;
    const afterBurst = rssMiB(pid);
    await new Promise((r) => setTimeout(r, Number(args['idle-s']) * 1000));
    clearInterval(sampler);
    const idle = rssMiB(pid);
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    const cache = metricMiB(metrics, 'sam2_cache_bytes');
    const heap = metricMiB(metrics, 'sam2_nodejs_heap_size_total_bytes');
    const external = metricMiB(metrics, 'sam2_nodejs_external_memory_bytes');
    const answered = [...statuses].map(([s, n]) => `${s}:${n}`).join(' ');
    console.log(
      [
        `cache ${String(cacheMb).padStart(4)} MiB`,
        `allocator ${withAllocator ? 'on ' : 'off'}`,
        `ready ${ready.toFixed(0).padStart(5)}`,
        `peak ${peak.toFixed(0).padStart(5)}`,
        `after burst ${afterBurst.toFixed(0).padStart(5)}`,
        `idle ${idle.toFixed(0).padStart(5)} MiB`,
        `cached ${cache.toFixed(0)}, JS heap ${heap.toFixed(0)}, external ${external.toFixed(0)} MiB`,
        `${burstS.toFixed(0)} s; ${answered}`,
      ].join(' | '),
    );
  } finally {
    await service.stop();
  }
}

async function main(): Promise<void> {
  let modelDir = args['model-dir'];
  if (!modelDir) {
    modelDir = await mkdtemp(path.join(os.tmpdir(), 'sam2-bench-memory-'));
    await writeFixtureModel({ family: 'samexporter', outDir: modelDir });
    console.log(`FIXTURE model (tests only) in ${modelDir}; real weights add their own size per worker`);
  }
  console.log(
    `${requests} requests of ${side}² int16 (${(body(0).length / MiB).toFixed(2)} MiB JSON each), ` +
      `${concurrency} at a time, 1 worker; RSS of the service process:`,
  );
  console.log(
    `allocator on: ${Object.entries(mallocEnv)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}`,
  );
  const modes = args.allocator === 'both' ? [false, true] : [args.allocator !== 'off'];
  for (const cacheMb of args['cache-mb'].split(',').map(Number)) {
    for (const withAllocator of modes) await run(modelDir, cacheMb, withAllocator);
  }
}

void main();
