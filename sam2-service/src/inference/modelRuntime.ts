import path from 'node:path';
import type { Config } from '../config';
import { ApiError } from '../http/apiError';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import { type ModelFiles, resolveModelFiles } from '../model/modelFiles';
import type { ModelFamily } from '../model/types';
import type { WorkerInit, WorkerReady } from './protocol';
import { WorkerPool } from './workerPool';

/** One fp32 SAM2 embedding: 32×256² + 64×128² + 256×64² floats. */
const minEmbeddingCacheBytes = (32 * 256 * 256 + 64 * 128 * 128 + 256 * 64 * 64) * 4;

export type ModelState = 'disabled' | 'loading' | 'ready' | 'unavailable';

/**
 * The loaded model and its workers. The service starts whatever happens here: without a model it
 * reports itself degraded and answers segmentation requests with 503, so the viewer disables its button.
 */
export class ModelRuntime {
  state: ModelState = 'loading';
  reason: string | undefined = 'loading model';
  files: ModelFiles | undefined;
  pool: WorkerPool | undefined;
  private ready: WorkerReady | undefined;

  private constructor(private readonly config: Config) {}

  /** Resolves the model files and starts the workers; returns at once, readiness follows. */
  static async start(config: Config, logger: Logger, metrics: Metrics): Promise<ModelRuntime> {
    const runtime = new ModelRuntime(config);
    if (!config.enabled) {
      runtime.state = 'disabled';
      runtime.reason = 'SAM2 is disabled by configuration (SAM2_ENABLED=false)';
      logger.warn(runtime.reason);
      return runtime;
    }
    try {
      runtime.files = await resolveModelFiles(config.modelDir);
    } catch (error) {
      runtime.state = 'unavailable';
      runtime.reason = `no model loaded: ${error instanceof Error ? error.message : String(error)}`;
      logger.warn(runtime.reason + ' — the service runs degraded and answers segmentation requests with 503');
      return runtime;
    }
    if (config.embeddingCacheBytes > 0 && config.embeddingCacheBytes < minEmbeddingCacheBytes) {
      logger.warn(
        { embeddingCacheMb: config.embeddingCacheBytes / 2 ** 20 },
        'SAM2_EMBEDDING_CACHE_MB is below one SAM2 embedding (~17 MiB): nothing will be cached and image_id reuse is off',
      );
    }
    const workerData: WorkerInit = {
      encoderPath: runtime.files.encoderPath,
      decoderPath: runtime.files.decoderPath,
      device: config.device,
      threads: config.threadsPerWorker,
    };
    const pool = new WorkerPool({
      script: path.join(__dirname, 'inferenceWorker.js'),
      workerData,
      size: config.workers,
      maxQueue: config.maxQueue,
      logger,
    });
    runtime.pool = pool;
    pool.on('ready', (info: WorkerReady) => {
      if (info.deviceWarning) logger.warn({ device: info.device }, info.deviceWarning);
      if (runtime.state !== 'ready') {
        logger.info(
          {
            model: runtime.files!.name,
            family: info.family,
            device: info.device,
            warmupMs: Math.round(info.warmupMs),
          },
          'model loaded and warmed up',
        );
      }
      runtime.ready = info;
      runtime.state = 'ready';
      runtime.reason = undefined;
      metrics.workersBusy.set(pool.stats().busy);
    });
    pool.on('load-failed', (message: string) => {
      runtime.state = 'unavailable';
      runtime.reason = `model failed to load: ${message}`;
      logger.error(runtime.reason);
    });
    pool.on('queue', (depth: number) => {
      metrics.queueDepth.set(depth);
      metrics.workersBusy.set(pool.stats().busy);
    });
    const restartsBefore = () => pool.restarts;
    let seen = restartsBefore();
    pool.on('ready', () => {
      metrics.workerRestarts.inc(pool.restarts - seen);
      seen = pool.restarts;
    });
    pool.start();
    return runtime;
  }

  /** The pool, or a 503 that says why there is none. */
  requirePool(): WorkerPool {
    if (this.state === 'ready' && this.pool) return this.pool;
    throw new ApiError(
      'MODEL_UNAVAILABLE',
      this.reason ?? 'model is not available',
      { state: this.state },
      10,
    );
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
