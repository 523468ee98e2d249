/** User-facing texts for results and failures. Pure, so every wording is unit-tested. */
import { Sam2Error } from '../api/errors';
import type { SegmentResponse } from '../api/types';

export interface ErrorDescription {
  title: string;
  message: string;
  /** Whether pressing Retry (the same request again) can help. */
  retryable: boolean;
}

function seconds(ms: number): string {
  return `${Math.round(ms / 1000)} s`;
}

export function describeError(error: unknown, { timeoutMs }: { timeoutMs: number }): ErrorDescription {
  if (!(error instanceof Sam2Error)) {
    return {
      title: 'SAM2 segmentation failed',
      message: (error as Error)?.message || 'Unexpected error',
      retryable: false,
    };
  }
  const ref = error.requestId ? ` (request ${error.requestId})` : '';
  switch (error.kind) {
    case 'timeout':
      return {
        title: 'SAM2 timed out',
        message: `No result within ${seconds(timeoutMs)}. The service may be busy; try again.`,
        retryable: true,
      };
    case 'network':
      return {
        title: 'SAM2 service unreachable',
        message:
          'The SAM2 service cannot be reached. Check that it is running; the button re-enables when it is back.',
        retryable: true,
      };
    case 'unavailable':
      return {
        title: 'SAM2 service unavailable',
        message:
          error.code === 'MODEL_UNAVAILABLE'
            ? 'The SAM2 model is not loaded (starting, missing or disabled). The button re-enables when it is ready.'
            : `${error.message}. Try again in a moment.`,
        retryable: true,
      };
    case 'busy': {
      const wait =
        error.retryAfterS !== undefined ? `in ${Math.ceil(error.retryAfterS)} s` : 'in a few seconds';
      return {
        title: 'SAM2 is busy',
        message: `All SAM2 workers are busy. Retry ${wait}.`,
        retryable: true,
      };
    }
    case 'unauthorized':
      return {
        title: 'Not authorised for SAM2',
        message: 'The SAM2 service refused the request (401). The viewer needs the right API token.',
        retryable: false,
      };
    case 'invalid':
      return {
        title: 'SAM2 cannot use this image',
        message: `${error.message}${ref}`,
        retryable: false,
      };
    case 'too-large':
      return {
        title: 'Slice too large for SAM2',
        message: `${
          error.status
            ? `The SAM2 service refused this slice as too large${ref}.`
            : `${error.message} Nothing was sent.`
        } An administrator can raise SAM2_MAX_IMAGE_SIDE (the body limit follows it).`,
        retryable: false,
      };
    case 'image-not-found':
      return {
        title: 'SAM2 lost this slice',
        message: 'The service no longer holds this slice; try again to resend it.',
        retryable: true,
      };
    case 'aborted':
      return { title: 'SAM2 cancelled', message: 'Nothing was written.', retryable: false };
    default:
      return {
        title: 'SAM2 segmentation failed',
        message: `${error.message}${ref}`,
        retryable: true,
      };
  }
}

/** "1 voxel", "1,649 voxels". */
function voxelCount(n: number): string {
  return `${n.toLocaleString('en-US')} voxel${n === 1 ? '' : 's'}`;
}

/**
 * The result toast. It reports what the write did to the labelmap (`changedVoxels`: voxels whose value
 * changed on the slice), never the mask's area: a mask the slice already held changes nothing, and
 * the toast says so instead of suggesting something was written.
 * "93% confidence · 0.8 s (service 0.4 s) · cached embedding · 1,649 voxels changed".
 */
export function describeSuccess(
  response: Pick<SegmentResponse, 'processing_time_ms' | 'cached' | 'embedding_cached' | 'mode'>,
  score: number,
  elapsedMs: number,
  segmentLabel: string,
  changedVoxels: number,
): { title: string; message: string } {
  const cache = response.cached
    ? 'cached result'
    : response.embedding_cached
      ? 'cached embedding'
      : 'not cached';
  const pct = Math.round(Math.max(0, Math.min(1, score)) * 100);
  const secs = (elapsedMs / 1000).toFixed(1);
  const service = (response.processing_time_ms / 1000).toFixed(1);
  const written =
    changedVoxels > 0
      ? `${voxelCount(changedVoxels)} changed`
      : 'no voxel changed (the segment already holds this mask)';
  return {
    title: changedVoxels > 0 ? `Segmented with SAM2: ${segmentLabel}` : `SAM2: ${segmentLabel} unchanged`,
    message: `${pct}% confidence · ${secs} s (service ${service} s) · ${cache} · ${written}${
      response.mode === 'automatic' ? ' · automatic' : ''
    }`,
  };
}
