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
import { restrictMaskToHuRange } from '@ohif-sam2/ct-anatomy';
import { type Rle, decodeRle, encodeRle, maskArea } from './rle';
import { type ContextId, contextFor, tissueRangeOf } from './contexts';
import { type OneClickRecord, oneClickPrompts, oneClickRuleOf, runOneClick, slicePlane } from './oneClick';
import type { MaskResult, SegmentationClient, SliceRequest } from './service';
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
  /** context-one-click: the rule's prompts (or why it gave none). */
  oneClick?: OneClickRecord;
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
  const plane = slicePlane(volume);
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
            const request = {
              values: sliceValues(volume, k),
              columns: volume.columns,
              rows: volume.rows,
              window: context.window,
              photometric: volume.photometric,
              key: `${k}|${context.window.center}/${context.window.width}`,
            };
            const rule = prompt === 'context-one-click' ? oneClickRuleOf(context.id) : undefined;
            const answer = rule
              ? await oneClickAnswer(oneClickPrompts(rule, request.values, plane), request, client)
              : await promptAnswer(prompt, given, request, client, volume.columns, volume.rows);
            // A tissue context keeps only the voxels in its HU range, whatever the prompt (as the viewer).
            const range = tissueRangeOf(context.id);
            const predicted = range ? restrictMaskToHuRange(answer.mask, request.values, range) : answer.mask;
            results.push({
              ...base,
              ...given,
              ...(answer.oneClick ? oneClickFields(answer.oneClick) : {}),
              ...sliceMetrics(predicted, ref, volume.columns, volume.rows, spacing),
              ...answer.timing,
              ...(maskArea(predicted) ? { rle: encodeRle(predicted, volume.columns, volume.rows) } : {}),
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

/** The report fields of a One-Click: its record, and the vertebra's box in the `box` column. */
function oneClickFields(record: OneClickRecord): Pick<SliceResult, 'oneClick' | 'box'> {
  const box = record.rule === 'vertebra-box' ? record.prompts[0]?.box : undefined;
  return { oneClick: record, ...(box ? { box } : {}) };
}

interface Answer {
  /** The mask the viewer writes before a tissue HU range (0/1, row-major). */
  mask: Uint8Array;
  /** Absent when no request was sent (a One-Click rule that found nothing). */
  timing: { serviceMs?: number; roundTripMs?: number; embeddingCached?: boolean };
  oneClick?: OneClickRecord;
}

/** A simulated box/point prompt, or automatic mode: one request, the mask the viewer would choose. */
async function promptAnswer(
  prompt: PromptStyle,
  given: { box?: Box; point?: Point },
  request: Omit<SliceRequest, 'prompts'>,
  client: SegmentationClient,
  columns: number,
  rows: number,
): Promise<Answer> {
  const answer = await client.segment({
    ...request,
    prompts:
      prompt === 'automatic' || prompt === 'context-one-click'
        ? undefined
        : { ...(given.box ? { box: given.box } : {}), ...(given.point ? { points: [given.point] } : {}) },
  });
  const chosen = chooseMask(answer.masks, answer.mode, columns / 2, rows / 2);
  return {
    mask: chosen ? decodeRle(chosen.rle) : new Uint8Array(columns * rows),
    timing: {
      serviceMs: answer.serviceMs,
      roundTripMs: answer.roundTripMs,
      embeddingCached: answer.embeddingCached,
    },
  };
}

/** The context's One-Click (oneClick.ts); no request when its rule found nothing (nothing written). */
async function oneClickAnswer(
  record: OneClickRecord,
  request: Omit<SliceRequest, 'prompts'>,
  client: SegmentationClient,
): Promise<Answer> {
  if (!record.prompts.length)
    return { mask: new Uint8Array(request.columns * request.rows), timing: {}, oneClick: record };
  const { mask, ...timing } = await runOneClick(record, request, (r) => client.segment(r));
  return { mask, timing, oneClick: record };
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
