/**
 * How the request body limit and the largest image side relate, so that /info never advertises a side
 * whose slices the body limit refuses. A slice travels as base64 in JSON: 4 characters per 3 bytes
 * (RFC 4648 §4, padded), plus the rest of the JSON (keys, window, prompts, identity).
 */

/** Bytes per pixel of the largest wire type (float32; int16/uint16 are 2, uint8 is 1). */
export const largestBytesPerPixel = 4;

/** Room for everything in the body besides the base64 text: 64 prompt points, UIDs, keys (≈ 5 KiB). */
export const jsonOverheadBytes = 16 * 1024;

/** Length of the base64 text of `bytes` raw bytes. */
export function base64Length(bytes: number): number {
  return 4 * Math.ceil(bytes / 3);
}

/** Body bytes a `side × side` slice of the largest pixel type needs. */
export function bodyBytesForSide(side: number, bytesPerPixel = largestBytesPerPixel): number {
  return base64Length(side * side * bytesPerPixel) + jsonOverheadBytes;
}

/** The largest side whose slices of every pixel type fit in `bodyBytes` (0 when none does). */
export function largestSideForBody(bodyBytes: number): number {
  let side = Math.floor(
    Math.sqrt((Math.max(0, bodyBytes - jsonOverheadBytes) * 0.75) / largestBytesPerPixel),
  );
  while (side > 0 && bodyBytesForSide(side) > bodyBytes) side--;
  while (bodyBytesForSide(side + 1) <= bodyBytes) side++;
  return side;
}
