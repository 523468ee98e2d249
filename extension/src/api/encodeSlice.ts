/**
 * Speculative encoding of one slice: the pixels and display of the slice the user looks at go to
 * POST …/sam2/encode, and the answer's image_id is remembered under the same key a click on that slice
 * uses (sliceEncodingKey), so the click sends only the image_id and the service finds the embedding in
 * its cache (docs/api.md "Speculative encoding").
 */
import { sam2Encode } from './client';
import type { EncodeResponse, Sam2ClientOptions } from './client';
import { checkBodySize, checkSliceSide } from './limits';
import { buildSegmentRequest, ImageIdCache } from './request';
import type { SegmentSliceInput } from './segmentSlice';
import { sliceEncodingKey } from './segmentSlice';

export type EncodeSliceInput = Omit<SegmentSliceInput, 'prompts'>;

/**
 * Resolves with the service's answer, or undefined when the client already knows this slice's image_id
 * (nothing is sent). Rejects with a Sam2Error (too large, busy, aborted, ...).
 */
export async function encodeSlice(
  input: EncodeSliceInput,
  cache: ImageIdCache,
  client: Sam2ClientOptions,
): Promise<EncodeResponse | undefined> {
  const key = sliceEncodingKey(input);
  if (cache.has(key)) return undefined;
  checkSliceSide(input.limits, input.image.columns, input.image.rows);
  const request = buildSegmentRequest(input);
  checkBodySize(input.limits, request);
  const response = await sam2Encode(request, client);
  cache.set(key, response.image_id);
  return response;
}
