/** A 128² int16 "CT" slice: a soft-tissue disc (60 HU) in air (-1000 HU), for tests that need no real data. */
export function discSlice(size = 128, seed = 0): { body: Record<string, unknown>; size: number } {
  const pixels = new Int16Array(size * size);
  const c = size / 2;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const inside = (x - c) ** 2 + (y - c) ** 2 < (size / 4) ** 2;
      pixels[y * size + x] = inside ? 60 + seed : -1000;
    }
  }
  return {
    size,
    body: {
      image_data: Buffer.from(pixels.buffer).toString('base64'),
      image_type: 'int16',
      width: size,
      height: size,
      window: { center: 40, width: 400 },
    },
  };
}
