import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import {
  type PoolFailure,
  PoolUnavailableError,
  QueueFullError,
  TaskAbortedError,
  TaskFailedError,
  WorkerCrashedError,
  WorkerPool,
} from '../../src/inference/workerPool';
import type { DecodeTask, EncodeTask } from '../../src/inference/protocol';

const script = path.join(__dirname, '..', 'fixtures', 'protocolTestWorker.js');
/** The test worker answers any task by its key; an encode is estimated at the pool's encode time. */
const encodeTask = (key: string): EncodeTask => ({
  kind: 'encode',
  key,
  gray: new Uint8Array(1),
  width: 1,
  height: 1,
});
const task = (key: string): DecodeTask => ({
  kind: 'decode',
  key,
  embeddings: [],
  width: 1,
  height: 1,
  request: { mode: 'prompt', prompts: { points: [] }, multimask: false },
});

function makePool(size: number, maxQueue: number, workerData: unknown = {}) {
  const pool = new WorkerPool({ script, workerData, size, maxQueue, logger: pino({ level: 'silent' }) });
  const ready = new Promise<void>((resolve) => {
    let count = 0;
    pool.on('ready', () => ++count === size && resolve());
  });
  pool.start();
  return { pool, ready };
}

describe('WorkerPool (real worker threads)', () => {
  let pool: WorkerPool;
  afterEach(async () => pool?.close());

  it('runs tasks and reports results', async () => {
    const made = makePool(2, 4);
    pool = made.pool;
    await made.ready;
    const results = await Promise.all(['a', 'b', 'c'].map((k) => pool.run(task(k))));
    expect(results.map((r) => (r as unknown as { key: string }).key)).toEqual(['a', 'b', 'c']);
  });

  it('refuses work when every worker is busy and the queue is full, with a Retry-After estimate', async () => {
    const made = makePool(1, 1);
    pool = made.pool;
    await made.ready;
    const running = pool.run(task('sleep:300'));
    const queued = pool.run(task('q'));
    await expect(pool.run(task('refused'))).rejects.toBeInstanceOf(QueueFullError);
    expect(pool.stats()).toMatchObject({ busy: 1, queueDepth: 1 });
    await Promise.all([running, queued]);
  });

  it('fails only the crashed task, replaces the worker and keeps serving', async () => {
    const made = makePool(1, 4);
    pool = made.pool;
    await made.ready;
    const replaced = new Promise((resolve) => pool.once('ready', resolve));
    const crash = pool.run(task('crash'));
    const after = pool.run(task('after'));
    await expect(crash).rejects.toBeInstanceOf(WorkerCrashedError);
    await replaced;
    await expect(after).resolves.toMatchObject({ key: 'after' });
    expect(pool.restarts).toBe(1);
  });

  it('reports a task error without losing the worker', async () => {
    const made = makePool(1, 4);
    pool = made.pool;
    await made.ready;
    await expect(pool.run(task('fail'))).rejects.toBeInstanceOf(TaskFailedError);
    await expect(pool.run(task('ok'))).resolves.toMatchObject({ key: 'ok' });
    expect(pool.restarts).toBe(0);
  });

  it('drops a queued task whose caller gave up', async () => {
    const made = makePool(1, 4);
    pool = made.pool;
    await made.ready;
    const running = pool.run(task('sleep:200'));
    const controller = new AbortController();
    const queued = pool.run(task('late'), [], controller.signal);
    controller.abort();
    await expect(queued).rejects.toBeInstanceOf(TaskAbortedError);
    expect(pool.stats().queueDepth).toBe(0);
    await running;
  });

  it('records a model that fails to load instead of restarting forever', async () => {
    const made = makePool(1, 4, { failLoad: true });
    pool = made.pool;
    const failed = await new Promise<PoolFailure>((resolve) => pool.once('load-failed', resolve));
    expect(failed).toEqual({ code: 'model_files_changed', message: 'cannot load test model' });
    await new Promise<PoolFailure>((resolve) => pool.once('gave-up', resolve));
    expect(pool.restarts).toBe(0);
    expect(pool.loadError?.message).toMatch(/cannot load/);
    await expect(pool.run(task('late'))).rejects.toBeInstanceOf(PoolUnavailableError);
  });

  it('counts only loaded workers as ready, and gives up at once when the replacement cannot load', async () => {
    const marker = path.join(mkdtempSync(path.join(os.tmpdir(), 'pool-')), 'model-changed');
    const made = makePool(1, 4, { failLoadIfExists: marker });
    pool = made.pool;
    await made.ready;
    expect(pool.readyCount).toBe(1);
    writeFileSync(marker, ''); // the model "changed on disk": a new worker will refuse to load it

    const gaveUp = new Promise<PoolFailure>((resolve) => pool.once('gave-up', resolve));
    const crash = pool.run(task('crash'));
    const queued = [pool.run(task('q1')), pool.run(task('q2'))];
    const started = Date.now();
    await expect(crash).rejects.toBeInstanceOf(WorkerCrashedError);
    expect(pool.readyCount).toBe(0);
    for (const q of queued) await expect(q).rejects.toBeInstanceOf(PoolUnavailableError);
    expect(Date.now() - started).toBeLessThan(10_000); // answered at once, not at a request time limit
    expect(await gaveUp).toMatchObject({ code: 'model_files_changed' });
    expect(pool.stats()).toMatchObject({ ready: 0, queueDepth: 0 });
    expect(pool.failure?.code).toBe('model_files_changed');
    await expect(pool.run(task('after'))).rejects.toBeInstanceOf(PoolUnavailableError);
  });

  it('admits a request reserved before its body by the work before it, not by later reservations', async () => {
    const made = makePool(1, 8);
    pool = made.pool;
    await made.ready;
    // Unseeded costs: encode 2000 ms (deviation 200, margin 4 × 200 = 800), decoder run 100 ms.
    const running = pool.run(task('sleep:500')); // estimated 100 ms
    const a = pool.reserve('encode', 2100);
    const b = pool.reserve('encode', 2100);
    a.release();
    // a: ≤ 100 running + 2000 + 100 follow-up + 800 margin ≤ 3000 ≤ 3500; b arrived later, runs after it.
    const aDone = pool.submit(encodeTask('a'), { seq: a.seq, budgetMs: 3500, followUpMs: 100 }).promise;
    // A newcomer waits for a (queued) and b (reserved): 4200 + 2100 + 800 > 3500.
    expect(pool.admission('encode', 2100, 3500)).toMatchObject({ admit: false, reason: 'too_slow' });
    b.release();
    await expect(aDone).resolves.toMatchObject({ key: 'a' });
    await running;
  });

  it('runs tasks of a class in the order their requests arrived, not the order their bodies were read', async () => {
    const made = makePool(1, 8);
    pool = made.pool;
    await made.ready;
    const running = pool.run(task('sleep:300'));
    const first = pool.reserve('encode', 2100);
    const second = pool.reserve('encode', 2100);
    second.release(); // the second request's body was read first
    const order: string[] = [];
    const secondDone = pool
      .submit(encodeTask('second'), { seq: second.seq })
      .promise.then(() => order.push('2'));
    first.release();
    const firstDone = pool
      .submit(encodeTask('first'), { seq: first.seq })
      .promise.then(() => order.push('1'));
    await Promise.all([running, firstDone, secondDone]);
    expect(order).toEqual(['1', '2']);
  });

  it('answers 429 at dispatch, without running it, a task that can no longer finish within its limit', async () => {
    const made = makePool(1, 4);
    pool = made.pool;
    await made.ready;
    const running = pool.run(task('sleep:1500')); // estimated 100 ms, takes 1500
    // Admitted: ≤ 100 ahead + 2000 own + 800 margin ≤ 3000.
    const late = pool.submit(encodeTask('never'), { budgetMs: 3000 }).promise;
    await running;
    // At dispatch ≤ 1500 ms are left, fewer than 2000 + 2 × 200 (its own spread): refused, not run.
    const error = (await late.catch((e: unknown) => e)) as QueueFullError;
    expect(error).toBeInstanceOf(QueueFullError);
    expect(error.stage).toBe('dispatch');
    expect(error.retryAfterS).toBeGreaterThanOrEqual(1);
    expect(pool.stats()).toMatchObject({ busy: 0, queueDepth: 0 });
  });
});
