/**
 * Step 2, ask: is this prompt a refinement of the interaction on screen, and may the result touch what
 * the slice already holds? Hand-drawn (or older) voxels of the segment are never overwritten without
 * the user's answer to Replace / Add / Cancel.
 */
import type { Sam2Context } from '../contexts';
import type { SliceInfo } from '../imaging/slice';
import type { WriteMode } from '../labelmap/decision';
import { decideWrite, modeForAnswer, sliceHasSegment } from '../labelmap/decision';
import { labelmapImageIdFor, readLabelmapSlice, voxelManagerOf } from '../labelmap/slice';
import { findTarget } from '../labelmap/target';
import type { PromptInput, PromptSession, SessionKey } from '../tools/promptSession';
import { continuesSession } from '../tools/promptSession';
import { askReplaceOrAdd } from '../ui/confirmDialog';
import { showInfo } from '../ui/notifications';
import type { RunEnv, StepResult } from './types';
import { next, stop } from './types';

export interface PromptReview {
  /** Where the result goes, as the session compares it. */
  key: Partial<SessionKey> & { contextId: string };
  /** The interaction this prompt continues, if it does. */
  session?: PromptSession;
  /** The segment already has voxels on the slice and this is no refinement: ask first. */
  mustAsk: boolean;
}

/** Labelmap values of the slice for the context's segment, when both exist; undefined otherwise. */
function currentLabelmap(env: RunEnv, viewportId: string, slice: SliceInfo, context: Sam2Context) {
  const existing = findTarget(env.services, viewportId, context);
  if (!existing) return { existing };
  const id = labelmapImageIdFor(env.libs, existing.segmentation, slice.imageId);
  try {
    return {
      existing,
      before: id ? readLabelmapSlice(voxelManagerOf(env.libs, id), slice.width * slice.height) : undefined,
    };
  } catch {
    // Labelmap slice not in the cache: treated as unknown (the write reports the problem).
    return { existing };
  }
}

/** Whether the prompt continues `session` and whether the user must be asked before writing. */
export function reviewPrompt(
  env: RunEnv,
  viewportId: string,
  slice: SliceInfo,
  context: Sam2Context,
  session: PromptSession | undefined,
  input: PromptInput,
): StepResult<PromptReview> {
  const { existing, before } = currentLabelmap(env, viewportId, slice, context);
  const key = {
    viewportId,
    imageId: slice.imageId,
    segmentationId: existing?.segmentation.segmentationId,
    segmentIndex: existing?.segmentIndex,
    contextId: context.id,
  };
  const continued = continuesSession(session, key, before) ? session : undefined;
  if (input.kind === 'point' && input.negative && !continued) {
    showInfo(
      env.services,
      'SAM2',
      'Shift+click removes an area from a SAM2 result. Click on the structure (or press One-Click Segmentation) first.',
    );
    return stop({ status: 'skipped', error: 'negative without result' });
  }
  const hasExisting = !!before && !!existing && sliceHasSegment(before, existing.segmentIndex);
  const mustAsk =
    !continued && decideWrite({ hasExistingVoxels: hasExisting, isRefinement: false }) === 'ask';
  return next({ key, session: continued, mustAsk });
}

/** The write mode: the session's, plain `write`, or the user's answer (undefined: Cancel). */
export async function askWriteMode(
  env: RunEnv,
  viewportId: string,
  context: Sam2Context,
  review: PromptReview,
): Promise<WriteMode | undefined> {
  if (review.session) return review.session.mode;
  if (!review.mustAsk) return 'write';
  return modeForAnswer(await askReplaceOrAdd(env.services, viewportId, context.segmentLabel));
}
