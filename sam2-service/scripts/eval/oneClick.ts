/**
 * The context One-Click, as the viewer runs it (extension/src/run/request.ts derivedBox,
 * extension/src/run/musclePrompts.ts), with the same rules from packages/ct-anatomy:
 *
 * - L3 vertebra: one box around the vertebra found on the slice (vertebraBoxPrompt);
 * - Skeletal muscle (L3): one request per muscle group found on the slice (box + one point each;
 *   muscleGroupPrompts) on the slice's one image_id, and the union of the answers, each clipped to
 *   its group's box (addClippedToBox); the caller then restricts it to the muscle HU range.
 *
 * When the rule finds nothing the viewer writes nothing: that is scored as an empty prediction. The
 * slice is given in the evaluation's own geometry (the volume's voxel axes): the shared rule maps it
 * onto its convention (rows anterior → posterior, columns patient right → left) from the plane, as it
 * does for the slice the viewer shows.
 */
import type { PromptBox, RuleRefusal, SlicePlane } from '@ohif-sam2/ct-anatomy';
import {
  DEFAULT_HU_RANGES,
  addClippedToBox,
  muscleGroupPrompts,
  vertebraBoxPrompt,
} from '@ohif-sam2/ct-anatomy';
import type { ContextId } from './contexts';
import { decodeRle } from './rle';
import type { MaskResult, SegmentAnswer, SliceRequest } from './service';
import type { Point } from './prompts';
import { type Volume, pixelSpacing } from './volume';

/** The rule a context's One-Click aims with. */
export type OneClickRule = 'vertebra-box' | 'muscle-groups';

/** One prompt request of a One-Click: the group it aims at (the vertebra, or a muscle group). */
export interface OneClickPrompt {
  name: string;
  box: PromptBox;
  point?: Point;
}

/** What the One-Click sent (for the report): the rule, and its prompts or why it gave none. */
export interface OneClickRecord {
  rule: OneClickRule;
  prompts: OneClickPrompt[];
  refused?: RuleRefusal;
}

/** Slice plane of the volume: its row and column directions and spacings, from the voxel → LPS matrix. */
export function slicePlane(volume: Pick<Volume, 'ijkToLps' | 'rows' | 'columns'>): SlicePlane {
  const m = volume.ijkToLps;
  const spacing = pixelSpacing(volume);
  return {
    rows: volume.rows,
    columns: volume.columns,
    rowSpacing: spacing.row,
    columnSpacing: spacing.column,
    rowCosines: [0, 1, 2].map((a) => m[a][0] / spacing.column),
    columnCosines: [0, 1, 2].map((a) => m[a][1] / spacing.row),
  };
}

/** The context's One-Click rule, or undefined for a context without one (Structure: automatic mode). */
export function oneClickRuleOf(context: ContextId): OneClickRule | undefined {
  if (context === 'l3-vertebra') return 'vertebra-box';
  if (context === 'skeletal-muscle') return 'muscle-groups';
  return undefined;
}

/** The prompts the rule finds on the slice (`values`: HU, row-major rows × columns of `plane`). */
export function oneClickPrompts(
  rule: OneClickRule,
  values: ArrayLike<number>,
  plane: SlicePlane,
): OneClickRecord {
  if (rule === 'vertebra-box') {
    const found = vertebraBoxPrompt(values, plane);
    return 'refused' in found
      ? { rule, prompts: [], refused: found.refused }
      : { rule, prompts: [{ name: 'vertebra', box: found.box }] };
  }
  // The viewer passes the site's configured ranges; the evaluation uses the standard defaults.
  const found = muscleGroupPrompts(values, plane, DEFAULT_HU_RANGES);
  return 'refused' in found
    ? { rule, prompts: [], refused: found.refused }
    : {
        rule,
        prompts: found.groups.map((g) => ({
          name: g.name,
          box: g.box,
          point: { x: g.point.x, y: g.point.y, label: 1 },
        })),
      };
}

export interface OneClickAnswer {
  /** The mask the viewer writes before the tissue HU range (0/1, row-major); all 0 when nothing. */
  mask: Uint8Array;
  /** Summed over the requests. */
  serviceMs: number;
  roundTripMs: number;
  /** Whether the first request found the slice already encoded. */
  embeddingCached: boolean;
}

/**
 * Sends the One-Click's requests in turn (`send` = the service client; the slice's image_id is reused
 * after the first) and combines the answers as the viewer does: each answer's first non-empty mask
 * (prompt mode); for the muscle groups each clipped to its prompt's box and ORed into one mask.
 */
export async function runOneClick(
  record: OneClickRecord,
  request: Omit<SliceRequest, 'prompts'>,
  send: (request: SliceRequest) => Promise<SegmentAnswer>,
): Promise<OneClickAnswer> {
  const mask = new Uint8Array(request.columns * request.rows);
  const answer: OneClickAnswer = { mask, serviceMs: 0, roundTripMs: 0, embeddingCached: false };
  for (const [n, prompt] of record.prompts.entries()) {
    const got = await send({
      ...request,
      prompts: { box: prompt.box, ...(prompt.point ? { points: [prompt.point] } : {}) },
    });
    answer.serviceMs += got.serviceMs;
    answer.roundTripMs += got.roundTripMs;
    if (n === 0) answer.embeddingCached = got.embeddingCached;
    const first = got.masks.find((m: MaskResult) => m.area > 0);
    if (!first) continue;
    const decoded = decodeRle(first.rle);
    // The vertebra's mask is written as answered; a muscle group's only inside its own box.
    if (record.rule === 'muscle-groups') addClippedToBox(mask, decoded, prompt.box, request.columns);
    else for (let i = 0; i < mask.length; i++) if (decoded[i]) mask[i] = 1;
  }
  return answer;
}
