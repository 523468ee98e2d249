/**
 * One segmentation of one slice through the client: sends the service's image_id when this slice was
 * already encoded with this window (no pixels uploaded), and the pixels again when the service
 * answers 404 IMAGE_NOT_FOUND (evicted, or a restarted instance).
 */
import { sam2Segment } from './client';
import type { Sam2ClientOptions } from './client';
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

export async function segmentSlice(
  input: SegmentSliceInput,
  cache: ImageIdCache,
  client: Sam2ClientOptions,
): Promise<SegmentResponse> {
  checkSliceSide(input.limits, input.image.columns, input.image.rows);
  const key = encodingKey(input.sliceImageId, input.window, input.photometric, input.invert);
  const send = (cachedImageId?: string) => {
    const request = buildSegmentRequest({ ...input, cachedImageId });
    checkBodySize(input.limits, request);
    return sam2Segment(request, client);
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
