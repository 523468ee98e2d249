/**
 * Step 5, write: the mask into the context's segment on this slice, as one undo step. A refinement
 * rebuilds from the slice as it was before the interaction (so it replaces the earlier SAM2 result);
 * voxels of other segments are never touched. A segment SAM2 created is put under the segment guard
 * (OHIF's statistics write-back can drop it); a write that changed voxels notes the model for the
 * body-composition panel. The segment is made active (the brush edits it next) only when it is not,
 * because the host repaints the viewport for every such change. Returns the new interaction state for the next prompt.
 */
import type { SegmentResponse } from '../api/types';
import type { Sam2Context } from '../contexts';
import type { SliceInfo } from '../imaging/slice';
import type { WriteMode } from '../labelmap/decision';
import { computeSliceValues } from '../labelmap/decision';
import { markSam2Provenance } from '../labelmap/provenance';
import { activateSegment, requestSegmentationPass } from '../labelmap/repaint';
import { labelmapImageIdFor, readLabelmapSlice, voxelManagerOf } from '../labelmap/slice';
import { assertWritable, ensureTarget } from '../labelmap/target';
import { writeLabelmapSlice } from '../labelmap/write';
import type { PromptSession, PromptSet } from '../tools/promptSession';
import { continuesSession } from '../tools/promptSession';
import type { ProtectedSegment } from '../labelmap/segmentGuard';
import type { PromptReview } from './ask';
import type { RunEnv } from './types';

export interface WriteRequest {
  viewportId: string;
  slice: SliceInfo;
  context: Sam2Context;
  review: PromptReview;
  mode: WriteMode;
  prompts: PromptSet;
  mask: Uint8Array;
  model: SegmentResponse['model'];
}

/** Who hears about a write: the segment guard and the body-composition panel. */
export interface WriteListeners {
  segmentGuard: { protect(segment: ProtectedSegment): void };
  bodyComposition: {
    noteModel(segmentationId: string, segmentIndex: number, model: SegmentResponse['model']): void;
  };
}

export interface WriteResult {
  /** Voxels changed (0: the slice already held exactly this). */
  changed: number;
  /** Resolves when the viewport has painted the change (undefined when nothing changed). */
  painted?: Promise<void>;
  session: PromptSession;
}

export async function writeResult(
  env: RunEnv,
  w: WriteRequest,
  listeners: WriteListeners,
): Promise<WriteResult> {
  const { services, libs } = env;
  const target = await ensureTarget(services, env.commandsManager, libs, w.viewportId, w.context);
  assertWritable(target);
  const segmentationId = target.segmentation.segmentationId;
  if (target.created) {
    listeners.segmentGuard.protect({
      segmentationId,
      segmentIndex: target.segmentIndex,
      label: w.context.segmentLabel,
      color: w.context.color,
      replacedLabel: target.created.replacedLabel,
    });
  }
  const labelmapImageId = labelmapImageIdFor(libs, target.segmentation, w.slice.imageId);
  if (!labelmapImageId) throw new Error('No labelmap slice for this image');
  const vm = voxelManagerOf(libs, labelmapImageId);
  const now = readLabelmapSlice(vm, w.slice.width * w.slice.height);
  const session = w.review.session;
  const stillOurs = session && continuesSession(session, w.review.key, now);
  const baseline = stillOurs ? session.baseline : now;
  const values = computeSliceValues(baseline, w.mask, target.segmentIndex, w.mode);
  const { segmentationService } = services;
  // Segment state changes go before the data event, so they share its repaint (see repaint.ts).
  let painted: Promise<void> | undefined;
  const changed = writeLabelmapSlice(libs, segmentationId, vm, now, values, () => {
    const activated = activateSegment(segmentationService, segmentationId, target.segmentIndex);
    const marked = markSam2Provenance(
      libs,
      segmentationService,
      segmentationId,
      target.segmentIndex,
      w.model,
    );
    // Listening from here: no earlier pass can be taken for this write's paint.
    painted = segmentationPainted(
      libs.cornerstone.eventTarget,
      libs.cornerstoneTools.Enums.Events.SEGMENTATION_RENDERED,
      w.viewportId,
    );
    requestSegmentationPass(libs, w.viewportId, activated || marked);
  });
  if (changed) listeners.bodyComposition.noteModel(segmentationId, target.segmentIndex, w.model);
  else activateSegment(segmentationService, segmentationId, target.segmentIndex);
  return {
    changed,
    painted,
    session: {
      viewportId: w.viewportId,
      imageId: w.slice.imageId,
      segmentationId,
      segmentIndex: target.segmentIndex,
      contextId: w.context.id,
      points: w.prompts.points,
      box: w.prompts.box,
      mode: w.mode,
      baseline,
      lastWritten: values,
    },
  };
}

/**
 * Resolves when Cornerstone has painted the segmentation on `viewportId` (its SEGMENTATION_RENDERED event,
 * sent after the render that follows the labelmap update), or after `limitMs` when none comes (a hidden
 * tab renders nothing). A plain IMAGE_RENDERED is not enough: the first one after a write can be a render
 * that started before the labelmap was updated.
 */
export function segmentationPainted(
  target: EventTarget,
  eventName: string | undefined,
  viewportId: string,
  limitMs = 3000,
): Promise<void> {
  return new Promise((resolve) => {
    if (!eventName) return resolve();
    const done = () => {
      clearTimeout(timer);
      target.removeEventListener(eventName, onEvent);
      resolve();
    };
    const onEvent = (e: Event) => {
      if ((e as CustomEvent<{ viewportId?: string }>).detail?.viewportId === viewportId) done();
    };
    const timer = setTimeout(done, limitMs);
    target.addEventListener(eventName, onEvent);
  });
}
