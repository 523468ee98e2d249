import { type LogitPlanes, maskIou, stabilityScore } from '../mask/maskOps';
import type { DecoderResult } from '../model/adapters/modelAdapter';
import type { Point } from '../model/types';
import type { AutomaticOptions } from './protocol';

/*
 * SAM's automatic mask generation on one embedding: one positive point per grid point; of its three
 * candidates the best by predicted IoU, kept if predicted IoU and stability pass; then greedy NMS by
 * mask IoU (best first) and the top `maxMasks`.
 */

export interface Candidate {
  /** The chosen mask's logits only (count = 1). */
  logits: LogitPlanes;
  score: number;
  stability: number;
  /** Low-resolution 0/1 mask, for NMS. */
  binary: Uint8Array;
}

/** Reduces one decoder result to its best mask, or null when it fails the quality filters. */
export function toCandidate(result: DecoderResult, options: AutomaticOptions): Candidate | null {
  const best = argmax(result.scores);
  const score = result.scores[best];
  if (score < options.minPredictedIou) return null;
  const stability = stabilityScore(result.logits, best);
  if (stability < options.minStability) return null;
  const { height, width } = result.logits;
  const plane = result.logits.data.slice(best * height * width, (best + 1) * height * width);
  const binary = new Uint8Array(plane.length);
  let area = 0;
  for (let i = 0; i < plane.length; i++) {
    binary[i] = plane[i] > 0 ? 1 : 0;
    area += binary[i];
  }
  if (area === 0) return null;
  return { logits: { data: plane, count: 1, height, width }, score, stability, binary };
}

/** Greedy non-maximum suppression by mask IoU, ranked by score × stability, cut to `maxMasks`. */
export function suppressDuplicates(candidates: Candidate[], options: AutomaticOptions): Candidate[] {
  const ranked = [...candidates].sort((a, b) => b.score * b.stability - a.score * a.stability);
  const kept: Candidate[] = [];
  for (const candidate of ranked) {
    if (kept.length >= options.maxMasks) break;
    if (kept.every((k) => maskIou(k.binary, candidate.binary) < options.nmsIou)) kept.push(candidate);
  }
  return kept;
}

export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

/**
 * Grid of prompt points over the body: cell centres of a `perSide`² grid whose pixel is inside the body
 * mask, in slice pixel coordinates.
 */
export function bodyGridPoints(body: Uint8Array, width: number, height: number, perSide: number): Point[] {
  const points: Point[] = [];
  for (let gy = 0; gy < perSide; gy++) {
    for (let gx = 0; gx < perSide; gx++) {
      const x = ((gx + 0.5) * width) / perSide;
      const y = ((gy + 0.5) * height) / perSide;
      if (body[Math.floor(y) * width + Math.floor(x)]) points.push({ x, y, label: 1 });
    }
  }
  return points;
}
