import type { InferenceSession, Tensor } from 'onnxruntime-node';
import type { LogitPlanes } from '../../mask/maskOps';
import type { ModelFamily, Point, Prompts } from '../types';

export type Feeds = Record<string, Tensor>;

/** What an adapter needs to know about a loaded session. */
export type SessionInfo = Pick<InferenceSession, 'inputNames' | 'outputNames' | 'inputMetadata'>;

export interface DecoderResult {
  /** Three mask candidates (logits) for one prompt set. */
  logits: LogitPlanes;
  /** Predicted IoU of each candidate. */
  scores: Float32Array;
}

/**
 * Everything that differs between SAM2 ONNX export families: tensor names, prompt encoding, output
 * layout. The rest of the service is family-agnostic.
 */
export interface ModelAdapter {
  readonly family: ModelFamily;
  /** Name of the encoder's image input. */
  readonly encoderInput: string;
  /** Encoder outputs, in the order they are cached and fed to the decoder. */
  readonly embeddingNames: readonly string[];
  /** Decoder feeds for one prompt set; prompts are in 1024² model coordinates. */
  decoderFeeds(embeddings: Feeds, prompts: Prompts, slice: { height: number; width: number }): Feeds;
  readDecoderOutputs(outputs: InferenceSession.OnnxValueMapType): DecoderResult;
  /**
   * Decoder feeds for a batch of single-point prompts (automatic mode's grid), one prompt set per
   * point, in the decoder's prompt-batch dimension (samexporter: N of [N,P,2]; onnx-community:
   * point_batch of [1,point_batch,P,2]); points are positive clicks in 1024² model coordinates.
   */
  pointBatchFeeds(embeddings: Feeds, points: Point[], slice: { height: number; width: number }): Feeds;
  /** One result per prompt set of a pointBatchFeeds run, in order. */
  readDecoderBatch(outputs: InferenceSession.OnnxValueMapType, count: number): DecoderResult[];
}

/** Reads `count` prompt sets from a [..., count, 3, H, W] mask output and its [..., count, 3] scores. */
export function readMaskBatch(masks: Tensor, scores: Tensor, count: number): DecoderResult[] {
  const dims = masks.dims;
  const height = dims[dims.length - 2];
  const width = dims[dims.length - 1];
  const candidates = dims[dims.length - 3];
  const plane = candidates * height * width;
  const data = masks.data as Float32Array;
  const scoreData = scores.data as Float32Array;
  return Array.from({ length: count }, (_, i) => ({
    logits: { data: data.subarray(i * plane, (i + 1) * plane), count: candidates, height, width },
    scores: scoreData.slice(i * candidates, (i + 1) * candidates),
  }));
}

/** Reads a [..., 3, H, W] mask output and its [..., 3] scores for batch item 0. */
export function readMaskOutputs(masks: Tensor, scores: Tensor): DecoderResult {
  const dims = masks.dims;
  const height = dims[dims.length - 2];
  const width = dims[dims.length - 1];
  const count = dims[dims.length - 3];
  const plane = count * height * width;
  const data = (masks.data as Float32Array).subarray(0, plane);
  return {
    logits: { data, count, height, width },
    scores: (scores.data as Float32Array).slice(0, count),
  };
}

/** Throws an error that names what is missing, so a wrong export is diagnosed at start-up. */
export function requireNames(kind: string, have: readonly string[], need: readonly string[]): void {
  const missing = need.filter((n) => !have.includes(n));
  if (missing.length > 0) {
    throw new Error(`${kind} lacks ${missing.join(', ')} (has ${have.join(', ')})`);
  }
}
