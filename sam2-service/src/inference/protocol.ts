import type { Rle } from '../mask/rle';
import type { VerifiedFile } from '../model/modelFiles';
import type { ModelFamily, Point, Prompts } from '../model/types';

/** Messages between the main thread and an inference worker. */

export interface WorkerInit {
  encoderPath: string;
  decoderPath: string;
  /** Every model file with the sha256 verified at start: a worker refuses to run other bytes. */
  files: VerifiedFile[];
  device: 'cpu' | 'cuda';
  threads: number;
}

/** What each worker gets: the shared init plus its own cancel flag (Int32Array over a SharedArrayBuffer). */
export interface WorkerData extends WorkerInit {
  /** The pool stores 1 when every waiter of the running decode has gone; the worker stops between runs. */
  cancel: Int32Array;
}

export interface WorkerReady {
  type: 'ready';
  family: ModelFamily;
  /** The device actually used (CUDA falls back to CPU). */
  device: 'cpu' | 'cuda';
  /** Generic, public (e.g. in /health). */
  deviceWarning?: string;
  /** ONNX Runtime's reason, for the log only. */
  deviceWarningDetail?: string;
  warmupMs: number;
  /** Warm-up encoder run and one decoder run, ms: the scheduler's first cost estimates. */
  encodeMs?: number;
  decodeMs?: number;
}

export interface WorkerLoadFailed {
  type: 'load-failed';
  /** Public reason: the files changed since start, or ORT could not load them. */
  code: 'model_files_changed' | 'model_load_failed';
  /** Details for the log (paths, ORT's message); never in a public body. */
  message: string;
}

/** An encoder output in shared memory: the main thread caches it, any worker can read it. */
export interface SharedEmbedding {
  name: string;
  dims: number[];
  buffer: SharedArrayBuffer;
}

export interface AutomaticOptions {
  maxMasks: number;
  minPredictedIou: number;
  minStability: number;
  nmsIou: number;
}

export type DecodeRequest =
  | { mode: 'prompt'; prompts: Prompts; multimask: boolean }
  | {
      mode: 'automatic';
      points: Point[];
      options: AutomaticOptions;
      /** Grid points per decoder run (the decoder's batch dimension). */
      batchSize: number;
    };

export interface EncodeTask {
  kind: 'encode';
  key: string;
  /** Display grey levels at slice size (transferred). */
  gray: Uint8Array;
  width: number;
  height: number;
}

export interface DecodeTask {
  kind: 'decode';
  key: string;
  embeddings: SharedEmbedding[];
  width: number;
  height: number;
  request: DecodeRequest;
}

export type Task = EncodeTask | DecodeTask;

export interface EncodeResult {
  embeddings: SharedEmbedding[];
  encodeMs: number;
}

export interface MaskResult {
  rle: Rle;
  score: number;
  bbox: [number, number, number, number] | null;
  area: number;
  stability?: number;
}

export interface DecodeResult {
  masks: MaskResult[];
  decodeMs: number;
  decoderRuns: number;
}

export type TaskResult<T extends Task> = T extends EncodeTask ? EncodeResult : DecodeResult;

export type ToWorker = { id: number; task: Task };
export type FromWorker =
  | WorkerReady
  | WorkerLoadFailed
  | { type: 'result'; id: number; result: EncodeResult | DecodeResult }
  | {
      type: 'error';
      id: number;
      message: string;
      /** stopped because every waiter left */ cancelled?: boolean;
      /** Decoder runs the cancelled decode made before it stopped. */
      decoderRuns?: number;
    };
