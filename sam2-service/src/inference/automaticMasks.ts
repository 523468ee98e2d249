import { type EncodedMask, logitsToRle } from '../mask/logitsToRle';
import { type LogitPlanes, stabilityScore } from '../mask/maskOps';
import { rleIou } from '../mask/rle';
import type { DecoderResult } from '../model/adapters/modelAdapter';
import type { Point } from '../model/types';
import type { AutomaticOptions } from './protocol';

/*
 * SAM's automatic mask generation on one embedding: one positive point per grid point; of its three
 * candidates the best by predicted IoU, kept if predicted IoU and stability pass; then, at the slice's
 * own size (what is returned), empty masks are dropped and greedy NMS by mask IoU (best first) keeps the
 * top `maxMasks`. Filtering the decoder's 256² masks instead lets masks that differ there come out empty
 * or identical once resampled to a small slice.
 */

export interface Candidate {
  /** The chosen mask's logits only (count = 1). */
  logits: LogitPlanes;
  score: number;
  stability: number;
}

export interface SelectedMask extends EncodedMask {
  score: number;
  stability: number;
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
  // No positive logit: empty at any size (bilinear values lie between their neighbours). Cheap early out.
  if (!plane.some((v) => v > 0)) return null;
  return { logits: { data: plane, count: 1, height, width }, score, stability };
}

/**
 * Greedy non-maximum suppression at the returned size: candidates ranked by score × stability, each
 * resampled to outHeight × outWidth (logitsToRle), dropped when empty or when its IoU with a kept mask
 * is ≥ `nmsIou`, until `maxMasks` are kept. Candidates are resampled lazily, in rank order.
 */
export function selectMasks(
  candidates: Candidate[],
  outHeight: number,
  outWidth: number,
  options: AutomaticOptions,
): SelectedMask[] {
  const ranked = [...candidates].sort((a, b) => b.score * b.stability - a.score * a.stability);
  const kept: SelectedMask[] = [];
  for (const candidate of ranked) {
    if (kept.length >= options.maxMasks) break;
    const mask = logitsToRle(candidate.logits, 0, outHeight, outWidth);
    if (mask.area === 0) continue;
    if (kept.every((k) => rleIou(k.rle, mask.rle) < options.nmsIou)) {
      kept.push({ ...mask, score: candidate.score, stability: candidate.stability });
    }
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
