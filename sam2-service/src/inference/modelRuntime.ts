import { readFileSync } from 'node:fs';
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
import { type DownloadFailure, type DownloadProgress, ModelDownload } from '../model/modelDownload';
import type { ModelFamily } from '../model/types';
import type { WorkerInit, WorkerReady } from './protocol';
import { type PoolFailure, WorkerPool } from './workerPool';

/** One fp32 SAM2 embedding: 32×256² + 64×128² + 256×64² floats. */
const minEmbeddingCacheBytes = (32 * 256 * 256 + 64 * 128 * 128 + 256 * 64 * 64) * 4;

export type ModelState = 'disabled' | 'downloading' | 'loading' | 'ready' | 'unavailable';

/**
 * Public reason the model cannot segment (in /readyz, /health, /healthz and 503 bodies). Generic on
 * purpose: paths, hashes and ONNX Runtime's messages go to the log only.
 */
export type ModelReason =
  | 'disabled'
  | 'model_downloading'
  | DownloadFailure
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
  /** The first-start download while it runs (SAM2_MODEL_AUTO_FETCH). */
  private download: ModelDownload | undefined;

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
      const detail = error instanceof Error ? error.message : String(error);
      if (config.modelAutoFetch && fetchable(reason, config)) {
        logger.info({ reason, detail }, 'no usable model in SAM2_MODEL_DIR yet');
        void runtime.downloadThenStart(logger, metrics);
        return runtime;
      }
      runtime.stopped = { state: 'unavailable', reason };
      logger.warn(
        { reason, detail },
        'no model loaded — the service runs degraded and answers segmentation requests with 503 ' +
          '(fetch one with npm run model:fetch, or set SAM2_MODEL_AUTO_FETCH=true)',
      );
      return runtime;
    }
    runtime.warnSmallCache(logger);
    runtime.startPool(logger, metrics);
    return runtime;
  }

  /** Downloads the configured variant, then verifies and loads it like a model found at start. */
  private async downloadThenStart(logger: Logger, metrics: Metrics): Promise<void> {
    const { config } = this;
    const download = new ModelDownload({
      variant: config.modelVariant,
      dir: config.modelDir,
      hubUrl: config.hubUrl,
      token: config.hubToken,
      logger,
    });
    this.download = download;
    const ok = await download.run();
    this.download = undefined;
    if (!ok) {
      this.stopped = { state: 'unavailable', reason: download.failure ?? 'model_download_failed' };
      return;
    }
    try {
      this.files = await resolveModelFiles(config.modelDir);
    } catch (error) {
      const reason = error instanceof ModelFilesError ? error.code : 'model_files_missing';
      this.stopped = { state: 'unavailable', reason };
      logger.error({ reason, detail: (error as Error).message }, 'the downloaded model cannot be used');
      return;
    }
    if (this.closed) return;
    this.warnSmallCache(logger);
    this.startPool(logger, metrics);
  }

  private warnSmallCache(logger: Logger): void {
    const config = this.config;
    if (config.embeddingCacheBytes > 0 && config.embeddingCacheBytes < minEmbeddingCacheBytes) {
      logger.warn(
        { embeddingCacheMb: config.embeddingCacheBytes / 2 ** 20 },
        'SAM2_EMBEDDING_CACHE_MB is below one SAM2 embedding (~17 MiB): nothing will be cached and image_id reuse is off',
      );
    }
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
    pool.on('decoder-runs', (runs: number) => metrics.decoderRuns.inc(runs));
    pool.on('queue', (depth: number) => {
      metrics.queueDepth.set(depth);
      metrics.workersBusy.set(pool.stats().busy);
    });
    pool.start();
  }

  /** `ready` only while at least one worker has the verified model loaded. */
  get state(): ModelState {
    if (this.stopped) return this.stopped.state;
    if (this.download) return 'downloading';
    return this.pool && this.pool.readyCount > 0 ? 'ready' : 'loading';
  }

  /** Public reason code when not ready (undefined when ready). */
  get reason(): ModelReason | undefined {
    if (this.stopped) return this.stopped.reason;
    if (this.download) return 'model_downloading';
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

  /** Progress of the first-start download while it runs. */
  get downloadProgress(): DownloadProgress | undefined {
    return this.download?.progress;
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

  private closed = false;

  async close(): Promise<void> {
    this.closed = true;
    await this.pool?.close();
  }
}

/**
 * Whether a first-start download may fill the model directory: when it holds no model, or when the
 * variant fetched into it earlier fails verification (a corrupt file is refused and fetched again).
 * A directory holding another model (a fixture, an offline copy of another variant) is never touched.
 */
function fetchable(reason: ModelReason, config: Config): boolean {
  if (reason === 'model_files_missing')
    return !manifestName(config.modelDir) || manifestName(config.modelDir) === config.modelVariant;
  if (reason === 'model_checksum_mismatch') return manifestName(config.modelDir) === config.modelVariant;
  return false;
}

function manifestName(dir: string): string | undefined {
  try {
    const json = JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8')) as {
      name?: unknown;
      fixture?: unknown;
    };
    return json.fixture === true || typeof json.name !== 'string'
      ? `fixture:${String(json.name)}`
      : json.name;
  } catch {
    return undefined;
  }
}
