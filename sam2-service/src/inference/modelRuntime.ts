import path from 'node:path';
import type { Config } from '../config';
import { ApiError } from '../http/apiError';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import {
  type ModelFiles,
  type ModelFilesProblem,
  ModelFilesError,
  resolveModelFiles,
} from '../model/modelFiles';
import type { ModelFamily } from '../model/types';
import type { WorkerInit, WorkerReady } from './protocol';
import { type PoolFailure, WorkerPool } from './workerPool';

/** One fp32 SAM2 embedding: 32×256² + 64×128² + 256×64² floats. */
const minEmbeddingCacheBytes = (32 * 256 * 256 + 64 * 128 * 128 + 256 * 64 * 64) * 4;

export type ModelState = 'disabled' | 'loading' | 'ready' | 'unavailable';

/**
 * Public reason the model cannot segment (in /readyz, /health, /healthz and 503 bodies). Generic on
 * purpose: paths, hashes and ONNX Runtime's messages go to the log only.
 */
export type ModelReason =
  | 'disabled'
  | 'loading'
  | 'restarting_workers'
  | ModelFilesProblem
  | 'model_load_failed'
  | 'worker_startup_crashes';

/**
 * The loaded model and its workers. The service starts whatever happens here: without a model it
 * reports itself degraded and answers segmentation requests with 503, so the viewer disables its button.
 * Readiness is counted from the workers that have loaded the model; when the pool gives up (no worker
 * left, none can start), liveness fails too, so an orchestrator restarts the service.
 */
export class ModelRuntime {
  files: ModelFiles | undefined;
  pool: WorkerPool | undefined;
  private ready: WorkerReady | undefined;
  /** Set when the runtime will never segment (disabled, files unusable, pool gave up). */
  private stopped: { state: 'disabled' | 'unavailable'; reason: ModelReason } | undefined;
  /** Why the last worker failed to load (shown while no worker is ready). */
  private loadFailure: ModelReason | undefined;

  private constructor(private readonly config: Config) {}

  /** Resolves and verifies the model files and starts the workers; returns at once, readiness follows. */
  static async start(config: Config, logger: Logger, metrics: Metrics): Promise<ModelRuntime> {
    const runtime = new ModelRuntime(config);
    if (!config.enabled) {
      runtime.stopped = { state: 'disabled', reason: 'disabled' };
      logger.warn('SAM2 is disabled by configuration (SAM2_ENABLED=false)');
      return runtime;
    }
    try {
      runtime.files = await resolveModelFiles(config.modelDir);
    } catch (error) {
      const reason = error instanceof ModelFilesError ? error.code : 'model_files_missing';
      runtime.stopped = { state: 'unavailable', reason };
      logger.warn(
        { reason, detail: error instanceof Error ? error.message : String(error) },
        'no model loaded — the service runs degraded and answers segmentation requests with 503 ' +
          '(fetch one with npm run model:fetch)',
      );
      return runtime;
    }
    if (config.embeddingCacheBytes > 0 && config.embeddingCacheBytes < minEmbeddingCacheBytes) {
      logger.warn(
        { embeddingCacheMb: config.embeddingCacheBytes / 2 ** 20 },
        'SAM2_EMBEDDING_CACHE_MB is below one SAM2 embedding (~17 MiB): nothing will be cached and image_id reuse is off',
      );
    }
    runtime.startPool(logger, metrics);
    return runtime;
  }

  private startPool(logger: Logger, metrics: Metrics): void {
    const files = this.files!;
    logger.info(
      {
        model: files.name,
        version: files.version,
        files: files.files.map((f) => ({ file: f.name, sha256: f.sha256 })),
      },
      'model files verified',
    );
    const workerData: WorkerInit = {
      encoderPath: files.encoderPath,
      decoderPath: files.decoderPath,
      files: files.files,
      device: this.config.device,
      threads: this.config.threadsPerWorker,
    };
    const pool = new WorkerPool({
      script: path.join(__dirname, 'inferenceWorker.js'),
      workerData,
      size: this.config.workers,
      maxQueue: this.config.maxQueue,
      logger,
    });
    this.pool = pool;
    let seen = pool.restarts;
    pool.on('ready', (info: WorkerReady) => {
      if (info.deviceWarning) {
        logger.warn({ device: info.device, detail: info.deviceWarningDetail }, info.deviceWarning);
      }
      if (!this.ready) {
        logger.info(
          {
            model: files.name,
            family: info.family,
            device: info.device,
            warmupMs: Math.round(info.warmupMs),
          },
          'model loaded and warmed up',
        );
      }
      this.ready = info;
      metrics.workersBusy.set(pool.stats().busy);
      metrics.workerRestarts.inc(pool.restarts - seen);
      seen = pool.restarts;
    });
    pool.on('load-failed', (failure: PoolFailure) => {
      this.loadFailure = failure.code;
      logger.error(
        { reason: failure.code, detail: failure.message, readyWorkers: pool.readyCount },
        'inference worker cannot load the model; no further replacement workers will be started',
      );
    });
    pool.on('gave-up', (failure: PoolFailure) => {
      this.stopped = { state: 'unavailable', reason: failure.code };
      logger.fatal(
        { reason: failure.code },
        'no inference worker left: the service cannot segment; /healthz now fails so the service is restarted',
      );
    });
    pool.on('cancelled', () => metrics.tasksCancelled.inc());
    pool.on('queue', (depth: number) => {
      metrics.queueDepth.set(depth);
      metrics.workersBusy.set(pool.stats().busy);
    });
    pool.start();
  }

  /** `ready` only while at least one worker has the verified model loaded. */
  get state(): ModelState {
    if (this.stopped) return this.stopped.state;
    return this.pool && this.pool.readyCount > 0 ? 'ready' : 'loading';
  }

  /** Public reason code when not ready (undefined when ready). */
  get reason(): ModelReason | undefined {
    if (this.stopped) return this.stopped.reason;
    if (this.state === 'ready') return undefined;
    return this.loadFailure ?? (this.ready ? 'restarting_workers' : 'loading');
  }

  /**
   * Liveness: false once the pool has given up after it had served (its workers are gone and no
   * replacement can load: a changed or corrupt file, repeated crashes), so an orchestrator restarts the
   * container, which re-verifies the files and reports the model it then runs. A model that is missing,
   * disabled or never loaded keeps the service alive and degraded: a restart would not change that, and
   * /health says why.
   */
  get live(): boolean {
    return !(this.pool?.failure && this.ready);
  }

  /**
   * The pool, or a 503 that says why there is none. While a crashed worker is being replaced (the pool
   * still has a chance), requests queue for the replacement instead of failing.
   */
  requirePool(): WorkerPool {
    const pool = this.pool;
    if (pool && !this.stopped && (pool.readyCount > 0 || this.ready)) return pool;
    const reason = this.reason ?? 'loading';
    const message =
      reason === 'disabled'
        ? 'SAM2 is disabled by configuration'
        : `the SAM2 model is not available (${reason})`;
    throw new ApiError('MODEL_UNAVAILABLE', message, { state: this.state, reason }, 10);
  }

  get family(): ModelFamily | undefined {
    return this.ready?.family ?? this.files?.declaredFamily;
  }

  get device(): 'cpu' | 'cuda' {
    return this.ready?.device ?? this.config.device;
  }

  get deviceWarning(): string | undefined {
    return this.ready?.deviceWarning;
  }

  /** Model identity used in responses and cache keys. */
  get identity() {
    return {
      name: this.files?.name ?? null,
      family: this.family ?? null,
      version: this.files?.version ?? null,
      variant: this.files?.variant ?? null,
      licence: this.files?.licence ?? null,
      fixture: this.files?.fixture ?? false,
    };
  }

  async close(): Promise<void> {
    await this.pool?.close();
  }
}
