/**
 * The evaluation loop: for each structure, its selected slices and each prompt style, simulate the
 * prompt from the reference, ask the service as the viewer would, pick the mask the viewer would write,
 * and score it against the reference.
 */
import type { Reference, ReferenceStructure } from './io/reference';
import { type SliceMetrics, sliceMetrics } from './metrics';
import { ProgressBar } from './progress';
import { type Box, type Point, type PromptStyle, boundingBox, interiorPoint, jitteredBox } from './prompts';
import { seededRandom } from '../lib/seededRandom';
import { type Rle, decodeRle } from './rle';
import { type ContextId, contextFor } from './contexts';
import type { MaskResult, SegmentationClient } from './service';
import { type SliceSelection, selectSlices } from './slices';
import { type Volume, pixelSpacing, sliceValues } from './volume';

export interface EvalOptions {
  structures?: string[];
  prompts: PromptStyle[];
  slices: SliceSelection;
  seed: number;
  maxJitterPx: number;
}

export interface SliceResult extends Partial<SliceMetrics> {
  structure: string;
  context: ContextId;
  prompt: PromptStyle;
  /** Index in the image volume (0 = first slice in display order). */
  slice: number;
  sliceLabel: string;
  box?: Box;
  point?: Point;
  serviceMs?: number;
  roundTripMs?: number;
  embeddingCached?: boolean;
  /** Why there is no score (the service refused, or answered with no mask). */
  error?: string;
  /** The predicted mask (kept for overlays; not written to the JSON). */
  rle?: Rle;
}

export interface PlannedStructure {
  structure: ReferenceStructure;
  slices: number[];
  prompts: PromptStyle[];
}

/** Which structures, slices and prompt styles will run (and so how long the progress bar is). */
export function plan(volume: Volume, reference: Reference, options: EvalOptions): PlannedStructure[] {
  const wanted = options.structures;
  if (wanted) {
    const missing = wanted.filter((name) => !reference.structures.some((s) => s.name === name));
    if (missing.length) {
      throw new Error(
        `--structures: ${missing.join(', ')} not in the reference (it has ${reference.structures.map((s) => s.name).join(', ')})`,
      );
    }
  }
  const chosen = reference.structures.filter((s) => !wanted || wanted.includes(s.name));
  return chosen.map((structure) => {
    const labelled: number[] = [];
    for (let k = 0; k < volume.slices; k++) {
      const mask = reference.mask(structure, k);
      if (mask?.some((v) => v === 1)) labelled.push(k);
    }
    const context = contextFor(structure.name, volume.window);
    const prompts = options.prompts.filter((p) => p !== 'context-one-click' || context.oneClick);
    return { structure, slices: selectSlices(labelled, options.slices), prompts };
  });
}

export async function evaluate(
  volume: Volume,
  reference: Reference,
  client: SegmentationClient,
  planned: PlannedStructure[],
  options: EvalOptions,
): Promise<SliceResult[]> {
  const progress = new ProgressBar(planned.reduce((n, p) => n + p.slices.length * p.prompts.length, 0));
  const spacing = pixelSpacing(volume);
  const results: SliceResult[] = [];
  try {
    for (const { structure, slices, prompts } of planned) {
      const context = contextFor(structure.name, volume.window);
      for (const k of slices) {
        const ref = reference.mask(structure, k) as Uint8Array;
        const tight = boundingBox(ref, volume.columns, volume.rows) as Box;
        // One stream per structure and slice: a slice's box does not depend on what else is evaluated.
        const random = seededRandom(options.seed * 1000003 + structure.value * 10007 + k);
        const box = jitteredBox(tight, volume.columns, volume.rows, random, options.maxJitterPx);
        const point = interiorPoint(ref, volume.columns, volume.rows, spacing) as Point;
        for (const prompt of prompts) {
          const base = {
            structure: structure.name,
            context: context.id,
            prompt,
            slice: k,
            sliceLabel: volume.sliceLabels[k],
          };
          const given = {
            ...(prompt === 'box' || prompt === 'box+point' ? { box } : {}),
            ...(prompt === 'point' || prompt === 'box+point' ? { point } : {}),
          };
          try {
            const answer = await client.segment({
              values: sliceValues(volume, k),
              columns: volume.columns,
              rows: volume.rows,
              window: context.window,
              photometric: volume.photometric,
              prompts:
                prompt === 'context-one-click'
                  ? undefined
                  : {
                      ...(given.box ? { box: given.box } : {}),
                      ...(given.point ? { points: [given.point] } : {}),
                    },
              key: `${k}|${context.window.center}/${context.window.width}`,
            });
            const chosen = chooseMask(answer.masks, answer.mode, volume.columns / 2, volume.rows / 2);
            const predicted = chosen ? decodeRle(chosen.rle) : new Uint8Array(ref.length);
            results.push({
              ...base,
              ...given,
              ...sliceMetrics(predicted, ref, volume.columns, volume.rows, spacing),
              serviceMs: answer.serviceMs,
              roundTripMs: answer.roundTripMs,
              embeddingCached: answer.embeddingCached,
              ...(chosen ? { rle: chosen.rle } : {}),
            });
          } catch (error) {
            results.push({
              ...base,
              ...given,
              error: error instanceof Error ? error.message : String(error),
            });
          }
          progress.tick(`${structure.name} ${prompt}`);
        }
      }
    }
  } finally {
    progress.end();
  }
  return results;
}

/**
 * The mask the viewer writes (extension/src/labelmap/maskChoice.ts): in prompt mode the first
 * non-empty one; in automatic mode the best-ranked mask covering the pixel at the viewport centre
 * (the image centre in the viewer's default fitted view), else the top-ranked.
 */
export function chooseMask(
  masks: MaskResult[],
  mode: 'prompt' | 'automatic',
  centreX: number,
  centreY: number,
): MaskResult | undefined {
  const nonEmpty = masks.filter((m) => m.area > 0);
  if (!nonEmpty.length) return undefined;
  if (mode === 'prompt') return nonEmpty[0];
  const covering = nonEmpty.find((m) => {
    const mask = decodeRle(m.rle);
    const [, width] = m.rle.size;
    return mask[Math.floor(centreY) * width + Math.floor(centreX)] === 1;
  });
  return covering ?? nonEmpty[0];
}
