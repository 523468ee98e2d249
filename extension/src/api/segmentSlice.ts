/**
 * One segmentation of one slice through the client: sends the service's image_id when this slice was
 * already encoded with this display (no pixels uploaded), and the pixels again when the service
 * answers 404 IMAGE_NOT_FOUND (evicted, or a restarted instance).
 */
import { sam2Segment } from './client';
import type { CallTimings, Sam2ClientOptions } from './client';
import { Sam2Error } from './errors';
import type { ServiceLimits } from './limits';
import { checkBodySize, checkSliceSide } from './limits';
import { buildSegmentRequest, encodingKey, ImageIdCache } from './request';
import type { RequestInput } from './request';
import type { SegmentResponse } from './types';

export interface SegmentSliceInput extends Omit<RequestInput, 'cachedImageId'> {
  /** Cornerstone image id of the slice (the client-side half of the encoding key). */
  sliceImageId: string;
  /** The service's size limits when known: a slice over them is refused before anything is sent. */
  limits?: ServiceLimits;
}

/** Where the time of one segmentation call went (ms; each field adds up over a resend). */
export interface SegmentTimings extends CallTimings {
  /** Building the body: pixels to base64 and the size check. */
  buildMs: number;
  /** Whether the body carried pixels (false: only the image_id went up). */
  uploadedPixels: boolean;
}

export function emptySegmentTimings(): SegmentTimings {
  return { buildMs: 0, serialiseMs: 0, roundTripMs: 0, parseMs: 0, uploadedPixels: false };
}

/** The client-side cache key of the slice as the encoder would see it (see encodingKey). */
export function sliceEncodingKey(input: SegmentSliceInput): string {
  return encodingKey(input.sliceImageId, input.window, input.photometric, input.invert);
}

export async function segmentSlice(
  input: SegmentSliceInput,
  cache: ImageIdCache,
  client: Sam2ClientOptions,
  timings: SegmentTimings = emptySegmentTimings(),
): Promise<SegmentResponse> {
  checkSliceSide(input.limits, input.image.columns, input.image.rows);
  const key = sliceEncodingKey(input);
  const send = (cachedImageId?: string) => {
    const started = performance.now();
    const request = buildSegmentRequest({ ...input, cachedImageId });
    checkBodySize(input.limits, request);
    timings.buildMs += performance.now() - started;
    timings.uploadedPixels = !cachedImageId;
    return sam2Segment(request, client, timings);
  };
  const cachedImageId = cache.get(key);
  let response: SegmentResponse;
  try {
    response = await send(cachedImageId);
  } catch (e) {
    if (!cachedImageId || !(e instanceof Sam2Error) || e.kind !== 'image-not-found') throw e;
    cache.delete(key);
    response = await send(undefined);
  }
  cache.set(key, response.image_id);
  return response;
}
