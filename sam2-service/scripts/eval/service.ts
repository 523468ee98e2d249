/**
 * The SAM2 service the evaluation talks to: a running one (--service URL) or the service's own built
 * code started as a child process on a free port (--model-dir), exactly as `npm start` runs it.
 * Requests are the viewer's: the slice's modality values with the context's window, the photometric
 * interpretation, and the prompts; further prompts on the same slice and window reuse its image_id.
 */
import { performance } from 'node:perf_hooks';
import { type ServiceProcess, startServiceProcess } from '../lib/serviceProcess';
import type { WindowSetting } from './contexts';
import type { Box, Point } from './prompts';
import type { Rle } from './rle';

export interface ModelInfo {
  name: string | null;
  family: string | null;
  variant: string | null;
  version: string | null;
  licence: string | null;
  fixture: boolean;
}

export interface MaskResult {
  rle: Rle;
  score: number;
  area: number;
}

export interface SegmentAnswer {
  masks: MaskResult[];
  mode: 'prompt' | 'automatic';
  imageId: string;
  /** The service's own processing time (response `processing_time_ms`). */
  serviceMs: number;
  /** Request sent → answer parsed, on this client. */
  roundTripMs: number;
  embeddingCached: boolean;
}

export interface SliceRequest {
  /** Modality values (HU), row-major. */
  values: Float32Array;
  columns: number;
  rows: number;
  window: WindowSetting;
  photometric: 'MONOCHROME1' | 'MONOCHROME2';
  prompts?: { box?: Box; points?: Point[] };
  /** Key of these pixels + window, for image_id reuse. */
  key: string;
}

export class SegmentationClient {
  private readonly imageIds = new Map<string, string>();

  constructor(
    readonly url: string,
    private readonly token?: string,
  ) {}

  async model(): Promise<{ model: ModelInfo; serviceVersion: string }> {
    const res = await fetch(`${this.url}/info`).catch((error: Error & { cause?: unknown }) => {
      const cause = error.cause as { code?: string; errors?: { code?: string }[] } | undefined;
      const code = cause?.code ?? cause?.errors?.[0]?.code ?? 'no connection';
      throw new Error(`cannot reach the SAM2 service at ${this.url} (${code}): is it running there?`);
    });
    if (!res.ok) throw new Error(`GET ${this.url}/info answered ${res.status}: is this the SAM2 service?`);
    const info = (await res.json().catch(() => undefined)) as
      { model: ModelInfo | null; version: string; state: string } | undefined;
    if (!info || typeof info !== 'object' || !('model' in info))
      throw new Error(`${this.url} is not a SAM2 service (GET /info did not answer its JSON)`);
    if (!info.model) throw new Error(`the service has no model loaded (state ${info.state})`);
    return { model: info.model, serviceVersion: info.version };
  }

  async segment(request: SliceRequest): Promise<SegmentAnswer> {
    const cached = this.imageIds.get(request.key);
    const body = {
      ...(cached ? { image_id: cached } : pixelFields(request)),
      ...(request.prompts ? { prompts: request.prompts } : {}),
    };
    const started = performance.now();
    const res = await fetch(`${this.url}/api/segmentation/sam2`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        ...(this.token ? { Authorization: `Bearer ${this.token}` } : {}),
      },
      body: JSON.stringify(body),
    });
    const json = (await res.json().catch(() => undefined)) as Record<string, unknown> | undefined;
    const roundTripMs = performance.now() - started;
    if (res.status === 404 && cached) {
      // The service forgot the slice (restart, eviction): send the pixels again.
      this.imageIds.delete(request.key);
      return this.segment(request);
    }
    if (res.status !== 200 || !json) {
      const error = (json?.error ?? {}) as { code?: string; message?: string };
      throw new Error(
        `the service answered ${res.status} ${error.code ?? ''}: ${error.message ?? ''}`.trim(),
      );
    }
    this.imageIds.set(request.key, String(json.image_id));
    return {
      masks: json.masks as MaskResult[],
      mode: json.mode as SegmentAnswer['mode'],
      imageId: String(json.image_id),
      serviceMs: Number(json.processing_time_ms),
      roundTripMs,
      embeddingCached: Boolean(json.embedding_cached),
    };
  }
}

/** Modality values as float32 (no rescale needed: the service takes float32 pixels as modality values). */
function pixelFields(request: SliceRequest) {
  const bytes = Buffer.from(request.values.buffer, request.values.byteOffset, request.values.byteLength);
  return {
    image_data: bytes.toString('base64'),
    image_type: 'float32',
    width: request.columns,
    height: request.rows,
    window: { center: request.window.center, width: request.window.width, voi_lut_function: 'LINEAR' },
    photometric: request.photometric,
  };
}

/** Starts the built service on `modelDir` (one worker), waits until it is ready. */
export async function startService(modelDir: string): Promise<ServiceProcess> {
  // No download here: the eval scores the model that is in the folder, or says it is not there.
  const service = await startServiceProcess({ SAM2_MODEL_DIR: modelDir, SAM2_MODEL_AUTO_FETCH: 'false' });
  try {
    await waitReadyOrFailed(service.url, 120000);
  } catch (error) {
    await service.stop();
    throw error;
  }
  return service;
}

/** Reasons of /readyz (docs/api.md) that waiting does not cure. */
const TERMINAL_REASONS = new Set([
  'model_files_missing',
  'model_checksum_mismatch',
  'model_load_failed',
  'model_files_changed',
  'model_download_failed',
]);

/** Polls /readyz until 200; fails at once with the service's reason when it cannot become ready. */
async function waitReadyOrFailed(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let reason = 'no answer';
  while (Date.now() < deadline) {
    const res = await fetch(`${url}/readyz`).catch(() => undefined);
    if (res?.status === 200) return;
    const body = (await res?.json().catch(() => undefined)) as { reason?: string } | undefined;
    reason = body?.reason ?? reason;
    if (TERMINAL_REASONS.has(reason))
      throw new Error(`the service cannot load the model: ${reason} (docs/troubleshooting.md)`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the service was not ready after ${timeoutMs} ms (${reason})`);
}
