import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../logger';
import type { FromWorker, Task, TaskResult, WorkerLoadFailed, WorkerReady } from './protocol';

export class QueueFullError extends Error {
  constructor(readonly retryAfterS: number) {
    super('inference queue is full');
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
  /** Tasks allowed to wait when every worker is busy; more are refused (HTTP 429). */
  maxQueue: number;
  logger: Logger;
}

interface Job {
  id: number;
  task: Task;
  transfer: ArrayBuffer[];
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

interface Slot {
  worker: Worker;
  state: 'starting' | 'idle' | 'busy';
  job?: Job;
  jobStart?: number;
  info?: WorkerReady;
}

/** Startup crashes in a row after which a slot is given up (the model will not load). */
const maxStartupCrashes = 3;

/**
 * A fixed set of inference workers with a bounded FIFO queue. A worker that dies fails only its own
 * task and is replaced; the pool emits 'ready' for each worker that finishes loading.
 *
 * Events: 'ready' (WorkerReady), 'load-failed' (PoolFailure: no replacement will be started),
 * 'gave-up' (PoolFailure: the last worker is gone; queued tasks were rejected with PoolUnavailableError),
 * 'queue' (depth).
 */
export class WorkerPool extends EventEmitter {
  private readonly slots = new Set<Slot>();
  private readonly queue: Job[] = [];
  private nextId = 1;
  private startupCrashes = 0;
  private closed = false;
  private averageTaskMs = 1000;
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

  /** Runs a task on the next free worker. Rejects at once with QueueFullError when the queue is full. */
  run<T extends Task>(task: T, transfer: ArrayBuffer[] = [], signal?: AbortSignal): Promise<TaskResult<T>> {
    if (this.closed) return Promise.reject(new WorkerCrashedError('inference pool is shut down'));
    if (this.failure) return Promise.reject(new PoolUnavailableError(this.failure));
    if (signal?.aborted) return Promise.reject(new TaskAbortedError('task cancelled before it was queued'));
    const idle = [...this.slots].some((s) => s.state === 'idle');
    if (!idle && this.queue.length >= this.options.maxQueue) {
      const waitS = ((this.queue.length + 1) * this.averageTaskMs) / this.options.size / 1000;
      return Promise.reject(new QueueFullError(Math.max(1, Math.ceil(waitS))));
    }
    return new Promise((resolve, reject) => {
      const job: Job = {
        id: this.nextId++,
        task,
        transfer,
        resolve: resolve as Job['resolve'],
        reject,
        signal,
      };
      if (signal) {
        job.onAbort = () => {
          const index = this.queue.indexOf(job);
          if (index >= 0) {
            this.queue.splice(index, 1);
            this.emit('queue', this.queue.length);
            reject(new TaskAbortedError('task cancelled while queued'));
          }
        };
        signal.addEventListener('abort', job.onAbort, { once: true });
      }
      this.queue.push(job);
      this.emit('queue', this.queue.length);
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0))
      job.reject(new WorkerCrashedError('inference pool is shutting down'));
    await Promise.all([...this.slots].map((s) => s.worker.terminate()));
    this.slots.clear();
  }

  private spawn(): void {
    const worker = new Worker(this.options.script, { workerData: this.options.workerData });
    const slot: Slot = { worker, state: 'starting' };
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
        if (message.type === 'result') job.resolve(message.result);
        else job.reject(new TaskFailedError(message.message));
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
    for (const job of this.queue.splice(0)) {
      if (job.signal && job.onAbort) job.signal.removeEventListener('abort', job.onAbort);
      job.reject(new PoolUnavailableError(failure));
    }
    this.emit('queue', 0);
    this.emit('gave-up', failure);
  }

  private finish(slot: Slot): void {
    const job = slot.job;
    if (job?.signal && job.onAbort) job.signal.removeEventListener('abort', job.onAbort);
    if (slot.jobStart !== undefined) {
      this.averageTaskMs = 0.8 * this.averageTaskMs + 0.2 * (performance.now() - slot.jobStart);
    }
    slot.job = undefined;
    slot.jobStart = undefined;
    if (slot.state === 'busy') slot.state = 'idle';
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) break;
      if (slot.state !== 'idle') continue;
      const job = this.queue.shift()!;
      this.emit('queue', this.queue.length);
      slot.state = 'busy';
      slot.job = job;
      slot.jobStart = performance.now();
      slot.worker.postMessage({ id: job.id, task: job.task }, job.transfer);
    }
  }
}
