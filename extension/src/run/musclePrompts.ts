/**
 * Step 3 for a One-Click in the Skeletal muscle (L3) context: the muscle groups found on the slice
 * (anatomy/musclePrompt.ts), each sent as its own prompt (box + one point; the service takes one box
 * per request) on the slice's one encoding: the first request uploads the pixels (or sends the cached
 * image_id), the others send the image_id, so the encoder runs once and the decoder once per group.
 * The union of the groups' masks, each clipped to its box, is what is written (then restricted to the
 * muscle HU range by the choose step).
 */
import { addClippedToBox } from '@ohif-sam2/ct-anatomy';
import type { Sam2ClientOptions } from '../api/client';
import type { EncodeSliceInput } from '../api/encodeSlice';
import type { ImageIdCache } from '../api/request';
import type { SegmentResponse } from '../api/types';
import type { MusclePromptGroup } from '../anatomy/musclePrompt';
import { musclePrompts } from '../anatomy/musclePrompt';
import type { Sam2Context } from '../contexts';
import type { ViewportLike } from '../host/types';
import { viewportPlaneOf } from '../imaging/coords';
import { modalityValues } from '../imaging/hu';
import type { SliceInfo } from '../imaging/slice';
import type { PromptInput } from '../tools/promptSession';
import { showInfo } from '../ui/notifications';
import type { ChosenMask } from './choose';
import { chooseResult } from './choose';
import type { ClickTimer } from './clickTimer';
import { requestMasks } from './request';
import type { RunEnv, StepResult } from './types';
import { next, stop } from './types';

/** The context whose One-Click aims at the muscle groups. */
export const MUSCLE_CONTEXT_ID = 'skeletal-muscle';

/**
 * The muscle groups a One-Click in the muscle context prompts; undefined for every other prompt.
 * When none is found the run ends with the reason shown and nothing written.
 */
export function derivedMuscleGroups(
  env: RunEnv,
  viewport: ViewportLike,
  slice: SliceInfo,
  context: Sam2Context,
  input: PromptInput,
): StepResult<MusclePromptGroup[] | undefined> {
  if (input.kind !== 'auto' || context.id !== MUSCLE_CONTEXT_ID) return next(undefined);
  const found = musclePrompts(
    modalityValues(slice.image, slice.scaling),
    viewportPlaneOf(env.libs, viewport, slice.imageId, slice),
    env.config.huRanges,
  );
  if ('refused' in found) {
    showInfo(env.services, 'SAM2: no muscle found', found.refused);
    return stop({ status: 'empty', error: found.refused });
  }
  return next(found.groups);
}

export interface MuscleUnion {
  /** The last answer (model, mode and cache facts for the report). */
  response: SegmentResponse;
  /** The union of the groups' masks; undefined when every group's mask was empty. */
  chosen: ChosenMask | undefined;
  /** The groups whose prompt gave a mask. */
  groups: string[];
}

/** One request per group, in turn (one encode, then decodes by image_id), and the union of the masks. */
export async function requestMuscleUnion(
  groups: MusclePromptGroup[],
  input: EncodeSliceInput,
  size: { width: number; height: number },
  cache: ImageIdCache,
  client: Sam2ClientOptions,
  timer: ClickTimer,
): Promise<MuscleUnion> {
  const union = new Uint8Array(size.width * size.height);
  const answered: string[] = [];
  const scores: number[] = [];
  let response: SegmentResponse | undefined;
  for (const group of groups) {
    response = await requestMasks(
      input,
      { box: group.box, points: [{ x: group.point.x, y: group.point.y, label: 1 }] },
      cache,
      client,
      timer,
    );
    const chosen = chooseResult(response, size);
    if (!chosen || !addClippedToBox(union, chosen.mask, group.box, size.width)) continue;
    answered.push(group.name);
    scores.push(chosen.score);
  }
  if (!response) throw new Error('No muscle group to prompt');
  const score = scores.length ? scores.reduce((s, v) => s + v, 0) / scores.length : 0;
  return { response, chosen: answered.length ? { mask: union, score } : undefined, groups: answered };
}
