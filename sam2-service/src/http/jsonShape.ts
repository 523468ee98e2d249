/** How much structure a JSON text may have before it is parsed. */
export interface JsonShapeLimits {
  /** Deepest nesting of `[`/`{` allowed (the outermost object is depth 1). */
  maxDepth: number;
  /** Most containers plus `,`-separated values allowed outside strings. */
  maxValues: number;
}

/**
 * Structure limits of a segmentation body. Depth 4 is the deepest the request schema goes
 * (body → prompts → points → point); a valid request has at most a few hundred values (64 points × 4
 * plus the top-level fields), so 4096 leaves ample room while JSON.parse of that many is instant.
 */
export const segmentBodyShape: JsonShapeLimits = { maxDepth: 4, maxValues: 4096 };

/** Why a JSON text was refused: too deep or too many values. */
export interface JsonShapeViolation {
  limit: 'depth' | 'values';
  /** Byte offset where the limit was passed. */
  offset: number;
}

const quote = 0x22;
const backslash = 0x5c;
const comma = 0x2c;

/**
 * One pass over the bytes of a JSON text (UTF-8) that counts bracket depth and values outside strings,
 * and stops at the first limit passed. It builds no objects, so a hostile body (millions of nested or
 * tiny arrays) is refused in milliseconds instead of blocking the event loop in JSON.parse for seconds.
 * Strings are skipped with Buffer.indexOf, so a large base64 `image_data` costs a native memchr.
 * It does not validate JSON (JSON.parse does that afterwards); `"` and `\` never occur inside a UTF-8
 * multi-byte sequence, so scanning bytes is exact.
 */
export function checkJsonShape(bytes: Buffer, limits: JsonShapeLimits): JsonShapeViolation | undefined {
  let depth = 0;
  let values = 0;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (c === quote) {
      i = endOfString(bytes, i);
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > limits.maxDepth) return { limit: 'depth', offset: i };
      if (++values > limits.maxValues) return { limit: 'values', offset: i };
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    } else if (c === comma) {
      if (++values > limits.maxValues) return { limit: 'values', offset: i };
    }
  }
  return undefined;
}

/** Index of the `"` closing the string opened at `start` (or the last index if it is unterminated). */
function endOfString(bytes: Buffer, start: number): number {
  let at = start;
  for (;;) {
    at = bytes.indexOf(quote, at + 1);
    if (at < 0) return bytes.length - 1;
    let slashes = 0;
    while (bytes[at - 1 - slashes] === backslash) slashes++;
    if (slashes % 2 === 0) return at;
  }
}
