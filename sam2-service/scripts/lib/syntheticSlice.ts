/**
 * Synthetic int16 "CT" slices as the service's API takes them (POST /api/segmentation/sam2 fields
 * image_data, image_type, width, height, window), for tests and benchmarks that need no real data.
 */

/** The image fields of a request for a `side` × `side` slice whose HU value at (x, y) is `hu(x, y)`. */
export function int16SliceBody(side: number, hu: (x: number, y: number) => number): Record<string, unknown> {
  const pixels = new Int16Array(side * side);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) pixels[y * side + x] = hu(x, y);
  }
  return {
    image_data: Buffer.from(pixels.buffer).toString('base64'),
    image_type: 'int16',
    width: side,
    height: side,
    window: { center: 40, width: 400 },
  };
}

/** HU `inside` within the centred disc of radius side / 4, `outside` elsewhere (a soft-tissue disc in air). */
export function discHu(side: number, inside: number, outside: number): (x: number, y: number) => number {
  const c = side / 2;
  return (x, y) => ((x - c) ** 2 + (y - c) ** 2 < (side / 4) ** 2 ? inside : outside);
}

/** One positive click at the slice's centre. */
export function centreClick(side: number): { points: { x: number; y: number; label: 1 }[] } {
  return { points: [{ x: side / 2, y: side / 2, label: 1 }] };
}
