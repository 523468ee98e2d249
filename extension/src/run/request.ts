/**
 * Step 3, request: the prompts (in the vertebra context a One-Click's box is found from the CT itself),
 * the slice as the encoder must see it (pixels, rescale, the context's or the viewed window,
 * photometric, invert, identity), sent through the client; the slice's image_id goes instead of the
 * pixels when the service already encoded it (by an earlier click or speculatively).
 */
import type { Sam2ClientOptions } from '../api/client';
import type { ServiceLimits } from '../api/limits';
import { ImageIdCache } from '../api/request';
import { emptySegmentTimings, segmentSlice } from '../api/segmentSlice';
import type { EncodeSliceInput } from '../api/encodeSlice';
import type { Prompts, SegmentResponse } from '../api/types';
import type { Sam2Context } from '../contexts';
import { windowForRequest } from '../contexts';
import { vertebraPrompt } from '../anatomy/vertebraPrompt';
import type { ViewportLike } from '../host/types';
import { viewportPlaneOf } from '../imaging/coords';
import { modalityValues } from '../imaging/hu';
import type { SliceInfo } from '../imaging/slice';
import type { PromptInput, PromptSession, PromptSet } from '../tools/promptSession';
import { nextPrompts } from '../tools/promptSession';
import { showInfo } from '../ui/notifications';
import type { ClickTimer } from './clickTimer';
import type { RunEnv, StepResult } from './types';
import { next, stop } from './types';

/**
 * The box a One-Click in the 'l3-vertebra' context aims at: the vertebra found on the slice's HU
 * (anatomy/vertebraPrompt.ts). Undefined for every other prompt (the user's own point or box). When
 * no vertebra is found the run ends with the reason shown and nothing written.
 */
export function derivedBox(
  env: RunEnv,
  viewport: ViewportLike,
  slice: SliceInfo,
  context: Sam2Context,
  input: PromptInput,
): StepResult<PromptSet['box']> {
  if (input.kind !== 'auto' || context.id !== 'l3-vertebra') return next(undefined);
  const found = vertebraPrompt(
    modalityValues(slice.image, slice.scaling),
    viewportPlaneOf(env.libs, viewport, slice.imageId, slice),
  );
  if ('refused' in found) {
    showInfo(env.services, 'SAM2: no vertebra found', found.refused);
    return stop({ status: 'empty', error: found.refused });
  }
  return next(found);
}

/** The prompts to send: the derived box alone, or the interaction's prompts plus this one. */
export function promptsFor(
  box: PromptSet['box'],
  session: PromptSession | undefined,
  input: PromptInput,
): PromptSet {
  return box ? { points: [], box } : nextPrompts(session, input);
}

/**
 * The image part of a request for this slice in this context. A click and a speculative encode both
 * build it here, so they agree on the client cache key and on the pixels the service hashes.
 */
export function sliceRequestInput(
  slice: SliceInfo,
  context: Sam2Context,
  limits: ServiceLimits | undefined,
): EncodeSliceInput {
  return {
    limits,
    sliceImageId: slice.imageId,
    image: slice.image,
    rescaleFallback: slice.rescaleFallback,
    window: windowForRequest(context, slice.viewedWindow),
    photometric: slice.photometric,
    invert: slice.invert,
    identity: slice.identity,
  };
}

export async function requestMasks(
  input: EncodeSliceInput,
  prompts: Prompts | undefined,
  cache: ImageIdCache,
  client: Sam2ClientOptions,
  timer: ClickTimer,
): Promise<SegmentResponse> {
  const timings = emptySegmentTimings();
  const started = performance.now();
  try {
    const response = await segmentSlice({ ...input, prompts }, cache, client, timings);
    const serviceMs = Math.max(0, Math.min(response.processing_time_ms, timings.roundTripMs));
    timer.add('service', 'serviceMs', serviceMs);
    timer.add('upload', 'uploadMs', timings.roundTripMs - serviceMs);
    return response;
  } finally {
    timer.add('serialise', 'serialiseMs', timings.buildMs + timings.serialiseMs, started);
    timer.add('parse', 'parseMs', timings.parseMs);
    timer.timings.uploadedPixels = timings.uploadedPixels;
  }
}
