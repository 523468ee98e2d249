import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../logger';
import { admit, toRetryAfter } from '../scheduler/admission';
import { type Priority, outranks } from '../scheduler/priority';
import { JobQueue, runsBefore } from '../scheduler/jobQueue';
import { TaskCosts } from '../scheduler/taskCosts';
import type { FromWorker, Task, TaskResult, WorkerLoadFailed, WorkerReady } from './protocol';

/**
 * Refused at admission; dropped from the queue for more urgent work (`dropped`); or taken from the
 * queue when it could no longer finish within its time limit (`dispatch`): never run for nobody.
 */
export class QueueFullError extends Error {
  constructor(
    readonly retryAfterS: number,
    readonly stage: 'admission' | 'dropped' | 'dispatch' = 'admission',
  ) {
    super(
      stage === 'dropped'
        ? 'dropped from the inference queue for more urgent work'
        : stage === 'dispatch'
          ? 'no longer time to run this task within its limit'
          : 'inference queue is full',
    );
  }

  get dropped(): boolean {
    return this.stage === 'dropped';
  }
}
export class WorkerCrashedError extends Error {}
export class TaskFailedError extends Error {}
export class TaskAbortedError extends Error {}
/** The pool has no worker left and will start none: the model cannot run until the service restarts. */
export class PoolUnavailableError extends Error {
  constructor(readonly failure: PoolFailure) {
    super(failure.message);
  }
}

/** Why a pool gave up (public code) and the details for the log. */
export interface PoolFailure {
  code: WorkerLoadFailed['code'] | 'worker_startup_crashes';
  message: string;
}

export interface PoolOptions {
  /** Compiled worker script. */
  script: string;
  workerData: unknown;
  size: number;
  /** Tasks of a class and above allowed to wait when every worker is busy; more are refused (HTTP 429). */
  maxQueue: number;
  logger: Logger;
}

/** How a task is scheduled (see src/scheduler/). */
export interface SubmitOptions {
  transfer?: ArrayBuffer[];
  /** Abort = every waiter has gone: a queued task is dropped, a running decode stops after its decoder run. */
  signal?: AbortSignal;
  /** Default: 'decode' for a decode task, 'encode' for an encode task. */
  priority?: Priority;
  /** ms until the request's time limit; a task that cannot start and finish within it is refused. */
  budgetMs?: number;
  /** Estimated ms of work the caller will queue after this task (an encode's decode), for admission. */
  followUpMs?: number;
  /** Arrival order (Reservation.seq of a request admitted before its body): its place in its class. */
  seq?: number;
}

/** Room held for a request admitted before its body was read, until it queues its task or fails. */
export interface Reservation {
  /** The request's arrival order: its task keeps this place among its class when it is queued. */
  readonly seq: number;
  release(): void;
}

/** A submitted task: its result, and a way to raise its priority while it waits. */
export interface JobTicket<T extends Task> {
  promise: Promise<TaskResult<T>>;
  /** Raises the priority (never lowers it) of the task while it waits; a new waiter's time limit extends its deadline. */
  promote(priority: Priority, budgetMs?: number): void;
}

interface Job {
  id: number;
  seq: number;
  task: Task;
  priority: Priority;
  estimateMs: number;
  /** Estimated ms the caller queues after this task (its decode). */
  followUpMs: number;
  /** performance.now() after which the caller no longer waits. */
  deadline?: number;
  submittedAt: number;
  transfer: ArrayBuffer[];
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

interface Slot {
  worker: Worker;
  state: 'starting' | 'idle' | 'busy';
  /** Shared with the worker: set to 1 to stop the running decode between decoder runs. */
  cancel: Int32Array;
  job?: Job;
  jobStart?: number;
  info?: WorkerReady;
}

/** Startup crashes in a row after which a slot is given up (the model will not load). */
const maxStartupCrashes = 3;

/**
 * A fixed set of inference workers with a priority queue (src/scheduler/): decodes of encoded slices,
 * then interactive encodes, then speculative encodes. A task is admitted only if its estimated wait
 * (measured task times × the work ahead of it) fits its time limit; a speculative task is dropped when
 * an interactive one needs its place. A worker that dies fails only its own task and is replaced; the
 * pool emits 'ready' for each worker that finishes loading.
 *
 * Events: 'ready' (WorkerReady), 'load-failed' (PoolFailure: no replacement will be started),
 * 'gave-up' (PoolFailure: the last worker is gone; queued tasks were rejected with PoolUnavailableError),
 * 'queue' (depth), 'cancelled' (a task stopped because every waiter had gone), 'decoder-runs' (count
 * made by a finished or cancelled decode).
 */
export class WorkerPool extends EventEmitter {
  private readonly slots = new Set<Slot>();
  private readonly queue = new JobQueue<Job>();
  private nextId = 1;
  private startupCrashes = 0;
  private closed = false;
  private seeded = false;
  /** Measured encoder and decoder-run times (admission, Retry-After). */
  readonly costs = new TaskCosts();
  /** Tasks stopped because their waiters left: queued (dropped) or running (decode stopped early). */
  cancelled = 0;
  private readonly reservations = new Set<{ priority: Priority; ms: number; seq: number }>();
  restarts = 0;
  /** Set when the model failed to load: no replacement worker is started from then on. */
  loadError: PoolFailure | undefined;
  /** Set when the pool has no worker left and starts none: every task is refused at once. */
  failure: PoolFailure | undefined;

  constructor(private readonly options: PoolOptions) {
    super();
  }

  start(): void {
    for (let i = 0; i < this.options.size; i++) this.spawn();
  }

  /** Workers that have loaded the model and can run a task now or after their current one. */
  get readyCount(): number {
    return [...this.slots].filter((s) => s.state === 'idle' || s.state === 'busy').length;
  }

  get readyWorkers(): WorkerReady[] {
    return [...this.slots].flatMap((s) => (s.info && s.state !== 'starting' ? [s.info] : []));
  }

  stats() {
    const slots = [...this.slots];
    return {
      size: this.options.size,
      ready: this.readyCount,
      busy: slots.filter((s) => s.state === 'busy').length,
      queueDepth: this.queue.length,
      maxQueue: this.options.maxQueue,
      restarts: this.restarts,
    };
  }

  /** Runs a task at its default priority; rejects at once with QueueFullError when it cannot be admitted. */
  run<T extends Task>(task: T, transfer: ArrayBuffer[] = [], signal?: AbortSignal): Promise<TaskResult<T>> {
    return this.submit(task, { transfer, signal }).promise;
  }

  /** Queues a task by priority after admission (see SubmitOptions). */
  submit<T extends Task>(task: T, options: SubmitOptions = {}): JobTicket<T> {
    const { signal } = options;
    const refused = (error: Error): JobTicket<T> => ({
      promise: Promise.reject(error),
      promote: () => undefined,
    });
    if (this.closed) return refused(new WorkerCrashedError('inference pool is shut down'));
    if (this.failure) return refused(new PoolUnavailableError(this.failure));
    if (signal?.aborted) return refused(new TaskAbortedError('task cancelled before it was queued'));
    const priority = options.priority ?? (task.kind === 'decode' ? 'decode' : 'encode');
    const estimateMs = this.estimate(task);
    const budgetMs = options.budgetMs ?? Number.POSITIVE_INFINITY;
    const seq = options.seq ?? this.nextId++;
    const admission = this.admission(priority, estimateMs + (options.followUpMs ?? 0), budgetMs, seq);
    if (!admission.admit) return refused(new QueueFullError(admission.retryAfterS));
    if (admission.displace) this.drop(admission.displace);
    let job!: Job;
    const promise = new Promise<TaskResult<T>>((resolve, reject) => {
      job = {
        id: this.nextId++,
        seq,
        task,
        priority,
        estimateMs,
        followUpMs: options.followUpMs ?? 0,
        deadline: Number.isFinite(budgetMs) ? performance.now() + budgetMs : undefined,
        submittedAt: performance.now(),
        transfer: options.transfer ?? [],
        resolve: resolve as Job['resolve'],
        reject,
        signal,
      };
    });
    if (signal) {
      job.onAbort = () => this.abort(job);
      signal.addEventListener('abort', job.onAbort, { once: true });
    }
    this.queue.push(job);
    this.emit('queue', this.queue.length);
    this.dispatch();
    return {
      promise,
      promote: (to, budget) => {
        if (outranks(to, job.priority)) job.priority = to;
        if (budget !== undefined && job.deadline !== undefined) {
          job.deadline = Math.max(job.deadline, performance.now() + budget);
        }
      },
    };
  }

  /**
   * Whether a task of `priority` costing `ownMs` (arrived as `seq`; default: now) would be admitted now
   * with `budgetMs` to go (no side effects): lets the HTTP layer refuse before reading a body.
   */
  admission(priority: Priority, ownMs: number, budgetMs: number, seq = Number.POSITIVE_INFINITY) {
    const slots = [...this.slots];
    const now = performance.now();
    const runningMs = slots.reduce(
      (sum, s) =>
        s.job && s.jobStart !== undefined ? sum + Math.max(0, s.job.estimateMs - (now - s.jobStart)) : sum,
      0,
    );
    const reserved = { ms: 0, count: 0 };
    for (const r of this.reservations) {
      if (runsBefore(r, priority, seq)) {
        reserved.ms += r.ms;
        reserved.count++;
      }
    }
    return admit({
      priority,
      seq,
      safetyMs: this.costs.safetyMs(),
      ownMs,
      budgetMs,
      queue: this.queue,
      runningMs,
      reserved,
      workers: Math.max(1, this.readyCount),
      idle: slots.some((s) => s.state === 'idle'),
      maxQueue: this.options.maxQueue,
    });
  }

  /**
   * Holds `ms` of work at `priority` in every admission decision until released: a request admitted
   * before its body was read counts as work ahead of the requests behind it while it is read and hashed.
   */
  reserve(priority: Priority, ms: number): Reservation {
    const entry = { priority, ms, seq: this.nextId++ };
    this.reservations.add(entry);
    return { seq: entry.seq, release: () => this.reservations.delete(entry) };
  }

  /** Estimated ms of a task from measured times; automatic mode counts its batched decoder runs. */
  estimate(task: Task): number {
    if (task.kind === 'encode') return this.costs.estimate({ kind: 'encode' });
    const request = task.request;
    const runs =
      request.mode === 'prompt' ? 1 : Math.max(1, Math.ceil(request.points.length / request.batchSize));
    return this.costs.estimate({ kind: 'decode', decoderRuns: runs });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.drain())
      job.reject(new WorkerCrashedError('inference pool is shutting down'));
    await Promise.all([...this.slots].map((s) => s.worker.terminate()));
    this.slots.clear();
  }

  private spawn(): void {
    const cancel = new Int32Array(new SharedArrayBuffer(4));
    const workerData = { ...(this.options.workerData as object), cancel };
    const worker = new Worker(this.options.script, { workerData });
    const slot: Slot = { worker, state: 'starting', cancel };
    this.slots.add(slot);
    worker.on('message', (message: FromWorker) => this.onMessage(slot, message));
    worker.on('error', (error) => {
      this.options.logger.error({ err: { message: error.message } }, 'inference worker error');
    });
    worker.on('exit', (code) => this.onExit(slot, code));
  }

  private onMessage(slot: Slot, message: FromWorker): void {
    switch (message.type) {
      case 'ready':
        slot.state = 'idle';
        slot.info = message;
        this.startupCrashes = 0;
        if (!this.seeded && message.encodeMs !== undefined && message.decodeMs !== undefined) {
          this.seeded = true;
          this.costs.seed(message.encodeMs, message.decodeMs);
        }
        this.emit('ready', message);
        this.dispatch();
        return;
      case 'load-failed':
        slot.state = 'starting';
        slot.info = undefined;
        this.failLoad({ code: message.code, message: message.message });
        void slot.worker.terminate();
        return;
      case 'result':
      case 'error': {
        const job = slot.job;
        if (!job || job.id !== message.id) return;
        this.finish(slot);
        const runs =
          message.type === 'result'
            ? (message.result as { decoderRuns?: number }).decoderRuns
            : message.decoderRuns;
        if (runs) this.emit('decoder-runs', runs);
        if (message.type === 'result') {
          this.observe(job.task, message.result);
          job.resolve(message.result);
        } else if (message.cancelled) {
          job.reject(new TaskAbortedError('task cancelled while running'));
        } else {
          job.reject(new TaskFailedError(message.message));
        }
        this.dispatch();
        return;
      }
    }
  }

  private onExit(slot: Slot, code: number): void {
    this.slots.delete(slot);
    const job = slot.job;
    const wasReady = slot.info !== undefined;
    if (job) {
      this.finish(slot);
      job.reject(new WorkerCrashedError(`inference worker exited (code ${code}) while running this request`));
    }
    if (this.closed) return;
    if (!this.loadError) {
      this.restarts++;
      if (!wasReady && ++this.startupCrashes >= maxStartupCrashes) {
        this.failLoad({
          code: 'worker_startup_crashes',
          message: `inference worker crashed ${maxStartupCrashes} times while loading the model`,
        });
      }
    }
    if (this.loadError) {
      if (this.slots.size === 0) this.giveUp(this.loadError);
      return;
    }
    this.options.logger.warn(
      { code, restarts: this.restarts },
      'inference worker exited; starting a replacement',
    );
    this.spawn();
  }

  private failLoad(failure: PoolFailure): void {
    if (this.loadError) return;
    this.loadError = failure;
    this.emit('load-failed', failure);
  }

  /** No worker is left and none will start: refuse what waits instead of letting it time out. */
  private giveUp(failure: PoolFailure): void {
    this.failure = failure;
    for (const job of this.queue.drain()) {
      if (job.signal && job.onAbort) job.signal.removeEventListener('abort', job.onAbort);
      job.reject(new PoolUnavailableError(failure));
    }
    this.emit('queue', 0);
    this.emit('gave-up', failure);
  }

  private finish(slot: Slot): void {
    const job = slot.job;
    if (job?.signal && job.onAbort) job.signal.removeEventListener('abort', job.onAbort);
    slot.job = undefined;
    slot.jobStart = undefined;
    if (slot.state === 'busy') slot.state = 'idle';
  }

  private observe(task: Task, result: unknown): void {
    const r = result as { encodeMs?: number; decodeMs?: number; decoderRuns?: number };
    if (task.kind === 'encode' && r.encodeMs !== undefined) this.costs.observeEncode(r.encodeMs);
    if (task.kind === 'decode' && r.decodeMs !== undefined)
      this.costs.observeDecode(r.decodeMs, r.decoderRuns ?? 1);
  }

  /** Every waiter has gone: drop the task if it waits, stop it after its decoder run if it runs. */
  private abort(job: Job): void {
    if (this.queue.remove(job)) {
      this.cancelled++;
      this.emit('cancelled');
      this.emit('queue', this.queue.length);
      job.reject(new TaskAbortedError('task cancelled while queued'));
      return;
    }
    const slot = [...this.slots].find((s) => s.job === job);
    if (slot && job.task.kind === 'decode') {
      this.cancelled++;
      this.emit('cancelled');
      Atomics.store(slot.cancel, 0, 1);
    }
  }

  /** A waiting lower-class task gives its place to a more urgent one: its caller gets a 429 now. */
  private drop(job: Job): void {
    if (!this.queue.remove(job)) return;
    if (job.signal && job.onAbort) job.signal.removeEventListener('abort', job.onAbort);
    this.emit('queue', this.queue.length);
    job.reject(new QueueFullError(toRetryAfter(this.costs.encodeMs), 'dropped'));
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (slot.state !== 'idle') continue;
      const job = this.takeRunnable();
      if (!job) break;
      this.emit('queue', this.queue.length);
      slot.state = 'busy';
      slot.job = job;
      slot.jobStart = performance.now();
      Atomics.store(slot.cancel, 0, 0);
      slot.worker.postMessage({ id: job.id, task: job.task }, job.transfer);
    }
  }

  /**
   * The most urgent task that can still finish in time by the current estimates. One that cannot (the
   * work ahead ran slower than estimated) is refused with a 429 and Retry-After instead of burning a
   * run whose answer would come after its time limit (a 504, and a wasted run).
   */
  private takeRunnable(): Job | undefined {
    for (;;) {
      const job = this.queue.takeNext();
      if (!job) return undefined;
      if (job.deadline === undefined) return job;
      // Its own run and follow-up, and for an encode its spread (2 mean deviations): the work ahead
      // has run, so only this job's own variation is left to allow for.
      const spreadMs = job.task.kind === 'encode' ? 2 * this.costs.encodeDeviationMs : 0;
      const needed = this.estimate(job.task) + job.followUpMs + spreadMs;
      // A task slower than its whole limit was admitted with nothing ahead (see admit): it runs.
      if (job.deadline - performance.now() >= needed || needed > job.deadline - job.submittedAt) return job;
      if (job.signal && job.onAbort) job.signal.removeEventListener('abort', job.onAbort);
      this.emit('queue', this.queue.length);
      // Honest Retry-After: when the same request, arriving now, would be admitted.
      const again = this.admission(job.priority, needed, job.deadline - job.submittedAt);
      job.reject(new QueueFullError(again.admit ? 1 : again.retryAfterS, 'dispatch'));
    }
  }
}
