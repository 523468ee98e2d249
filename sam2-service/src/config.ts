import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { bodyBytesForSide, largestSideForBody } from './limits';

/** Parses a byte size such as "32mb", "512kb" or "1048576". */
function parseBytes(value: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?\s*$/i.exec(value);
  if (!match) throw new Error(`not a byte size: "${value}" (use e.g. 32mb)`);
  const unit = (match[2] ?? 'b').toLowerCase();
  const factor = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 }[unit] ?? 1;
  return Math.floor(Number(match[1]) * factor);
}

const bool = z
  .string()
  .transform((v) => v.trim().toLowerCase())
  .pipe(z.enum(['true', 'false', '1', '0', 'yes', 'no']))
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const defaultWorkers = 1;

/** Every environment variable the service reads; docs/configuration.md documents each one. */
const envSchema = z.object({
  SAM2_HOST: z.string().default('127.0.0.1'),
  SAM2_PORT: int(0, 65535).default(5005),
  SAM2_ENABLED: bool.default(true),
  SAM2_MODEL_DIR: z.string().default('models/sam2.1-hiera-tiny'),
  SAM2_DEVICE: z.enum(['cpu', 'cuda']).default('cpu'),
  SAM2_WORKERS: int(1, 64).default(defaultWorkers),
  SAM2_THREADS: int(0, 256).default(0),
  SAM2_MAX_QUEUE: int(0, 10000).default(32),
  SAM2_REQUEST_TIMEOUT_MS: int(100, 600000).default(30000),
  /** Unset: derived from SAM2_MAX_IMAGE_SIDE (limits.ts), so every advertised slice fits. */
  SAM2_MAX_BODY: z.string().transform(parseBytes).optional(),
  SAM2_MAX_IMAGE_SIDE: int(16, 8192).default(4096),
  SAM2_EMBEDDING_CACHE_MB: int(0, 1024 * 1024).default(512),
  SAM2_RESULT_CACHE_MB: int(0, 1024 * 1024).default(64),
  SAM2_RESULT_TTL_S: int(1, 365 * 86400).default(86400),
  SAM2_API_TOKEN: z.string().optional(),
  SAM2_CORS_ORIGINS: z.string().default(''),
  SAM2_AUTO_GRID: int(2, 64).default(12),
  SAM2_AUTO_MAX_MASKS: int(1, 100).default(5),
  SAM2_AUTO_MIN_IOU: z.coerce.number().min(0).max(1).default(0.7),
  SAM2_AUTO_MIN_STABILITY: z.coerce.number().min(0).max(1).default(0.8),
  SAM2_AUTO_NMS_IOU: z.coerce.number().min(0).max(1).default(0.7),
  SAM2_AUTO_BATCH: int(1, 1024).default(16),
  SAM2_SPECULATIVE_ENCODING: bool.default(true),
  SAM2_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Env = z.infer<typeof envSchema>;

export interface Config {
  host: string;
  port: number;
  enabled: boolean;
  modelDir: string;
  device: 'cpu' | 'cuda';
  workers: number;
  /** ORT intra-op threads per worker; 0 means cores / workers. */
  threadsPerWorker: number;
  maxQueue: number;
  requestTimeoutMs: number;
  /** Largest request body. Default: what a float32 slice of SAM2_MAX_IMAGE_SIDE needs (limits.ts). */
  maxBodyBytes: number;
  /** SAM2_MAX_IMAGE_SIDE, lowered to what fits in an explicit SAM2_MAX_BODY for every pixel type. */
  maxImageSide: number;
  /** Set when SAM2_MAX_IMAGE_SIDE was lowered; logged at start. */
  limitWarning?: string;
  embeddingCacheBytes: number;
  resultCacheBytes: number;
  resultTtlMs: number;
  apiToken: string | undefined;
  corsOrigins: string[];
  automatic: {
    gridPerSide: number;
    maxMasks: number;
    minPredictedIou: number;
    minStability: number;
    nmsIou: number;
    /** Grid points per decoder run (the decoder's batch dimension). */
    batchSize: number;
  };
  /** POST /api/segmentation/sam2/encode is served (speculative encoding of the slice in view). */
  speculativeEncoding: boolean;
  logLevel: Env['SAM2_LOG_LEVEL'];
}

/** Reads the configuration from the environment; throws one message naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings mean "unset", so `SAM2_X=` in a compose env file falls back to the default.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid configuration: ${problems}`);
  }
  const e = parsed.data;
  const cores = Math.max(1, os.availableParallelism());
  const maxBodyBytes = e.SAM2_MAX_BODY ?? bodyBytesForSide(e.SAM2_MAX_IMAGE_SIDE);
  const fittingSide = largestSideForBody(maxBodyBytes);
  const maxImageSide = Math.min(e.SAM2_MAX_IMAGE_SIDE, fittingSide);
  return {
    host: e.SAM2_HOST,
    port: e.SAM2_PORT,
    enabled: e.SAM2_ENABLED,
    modelDir: path.resolve(e.SAM2_MODEL_DIR),
    device: e.SAM2_DEVICE,
    workers: e.SAM2_WORKERS,
    threadsPerWorker: e.SAM2_THREADS > 0 ? e.SAM2_THREADS : Math.max(1, Math.floor(cores / e.SAM2_WORKERS)),
    maxQueue: e.SAM2_MAX_QUEUE,
    requestTimeoutMs: e.SAM2_REQUEST_TIMEOUT_MS,
    maxBodyBytes,
    maxImageSide,
    ...(maxImageSide < e.SAM2_MAX_IMAGE_SIDE
      ? {
          limitWarning:
            `SAM2_MAX_IMAGE_SIDE ${e.SAM2_MAX_IMAGE_SIDE} lowered to ${maxImageSide}: a float32 slice of ` +
            `${e.SAM2_MAX_IMAGE_SIDE}² needs a ${bodyBytesForSide(e.SAM2_MAX_IMAGE_SIDE)}-byte body, more than ` +
            `SAM2_MAX_BODY (${maxBodyBytes}); unset SAM2_MAX_BODY to derive it from the side`,
        }
      : {}),
    embeddingCacheBytes: e.SAM2_EMBEDDING_CACHE_MB * 1024 * 1024,
    resultCacheBytes: e.SAM2_RESULT_CACHE_MB * 1024 * 1024,
    resultTtlMs: e.SAM2_RESULT_TTL_S * 1000,
    apiToken: e.SAM2_API_TOKEN,
    corsOrigins: e.SAM2_CORS_ORIGINS.split(',')
      .map((o) => o.trim())
      .filter(Boolean),
    automatic: {
      gridPerSide: e.SAM2_AUTO_GRID,
      maxMasks: e.SAM2_AUTO_MAX_MASKS,
      minPredictedIou: e.SAM2_AUTO_MIN_IOU,
      minStability: e.SAM2_AUTO_MIN_STABILITY,
      nmsIou: e.SAM2_AUTO_NMS_IOU,
      batchSize: e.SAM2_AUTO_BATCH,
    },
    speculativeEncoding: e.SAM2_SPECULATIVE_ENCODING,
    logLevel: e.SAM2_LOG_LEVEL,
  };
}
