/**
 * Step 3, request: the slice as the encoder must see it (pixels, rescale, the context's or the viewed
 * window, photometric, invert, identity) and the prompts, sent through the client; the slice's image_id
 * goes instead of the pixels when the service already encoded it (by an earlier click or speculatively).
 */
import type { Sam2ClientOptions } from '../api/client';
import type { ServiceLimits } from '../api/limits';
import { ImageIdCache } from '../api/request';
import { emptySegmentTimings, segmentSlice } from '../api/segmentSlice';
import type { EncodeSliceInput } from '../api/encodeSlice';
import type { Prompts, SegmentResponse } from '../api/types';
import type { Sam2Context } from '../contexts';
import { windowForRequest } from '../contexts';
import type { SliceInfo } from '../imaging/slice';
import type { ClickTimer } from './clickTimer';

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
