/**
 * Step 6, report: what the user is told about a run (success with confidence and time, nothing found,
 * or the error with Retry when it can help), and which state a failure must reset.
 */
import { Sam2Error } from '../api/errors';
import type { SegmentResponse } from '../api/types';
import { UnsupportedImageError } from '../imaging/pixels';
import { LockedSegmentError } from '../labelmap/target';
import type { ErrorDescription } from '../ui/messages';
import { describeError, describeSuccess } from '../ui/messages';
import { showError, showInfo, showSuccess } from '../ui/notifications';
import type { RunEnv } from './types';

export function reportSuccess(
  env: RunEnv,
  response: SegmentResponse,
  score: number,
  elapsedMs: number,
  segmentLabel: string,
  voxelsChanged: number,
): void {
  showSuccess(env.services, describeSuccess(response, score, elapsedMs, segmentLabel, voxelsChanged));
}

export function reportEmpty(env: RunEnv, mode: SegmentResponse['mode']): void {
  showInfo(
    env.services,
    'SAM2 found nothing',
    mode === 'automatic'
      ? 'No structure found automatically. Click on the structure, or drag a box around it.'
      : 'The prompt gave an empty mask. Try another point or a box.',
  );
}

/** A muscle One-Click whose every group prompt gave an empty mask. */
export function reportNoMuscle(env: RunEnv): void {
  showInfo(
    env.services,
    'SAM2 found nothing',
    'The muscle prompts gave empty masks. Nothing was written. Click on a muscle, or drag a box around it.',
  );
}

/** What a failure means for the controller's state. */
export interface FailureFollowUp {
  /** The user cancelled: say so, no error. */
  cancelled: boolean;
  /** The service may be gone: ask for readiness now. */
  recheckAvailability: boolean;
  /** The service refused a size the cached limits allowed: read them again. */
  forgetLimits: boolean;
}

export function failureFollowUp(error: unknown): FailureFollowUp {
  const e = error instanceof Sam2Error ? error : undefined;
  return {
    cancelled: e?.kind === 'aborted',
    recheckAvailability: e?.kind === 'network' || e?.kind === 'unavailable',
    forgetLimits: e?.status === 413 || e?.status === 400,
  };
}

/** The message for a failure; errors of the viewer's own checks are not retryable. */
export function failureDescription(error: unknown, timeoutMs: number): ErrorDescription {
  if (error instanceof LockedSegmentError || error instanceof UnsupportedImageError) {
    return { title: 'SAM2', message: error.message, retryable: false };
  }
  return describeError(error, { timeoutMs });
}

export function reportFailure(env: RunEnv, error: unknown, retry: () => void): void {
  if (failureFollowUp(error).cancelled) {
    showInfo(env.services, 'SAM2 cancelled', 'Nothing was written.');
    return;
  }
  showError(env.services, failureDescription(error, env.config.timeoutMs), retry);
  console.warn('[SAM2]', error);
}
