/** Standard padded base64 of a typed array's bytes (little-endian on every platform OHIF runs on). */
export function typedArrayToBase64(pixels: ArrayBufferView): string {
  const bytes = new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.byteLength);
  let binary = '';
  // Chunks keep String.fromCharCode's argument list far below engine limits.
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}
