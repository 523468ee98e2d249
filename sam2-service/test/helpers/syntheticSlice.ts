import { discHu, int16SliceBody } from '../../scripts/lib/syntheticSlice';

/** A 128² int16 "CT" slice: a soft-tissue disc (60 HU) in air (-1000 HU), for tests that need no real data. */
export function discSlice(size = 128, seed = 0): { body: Record<string, unknown>; size: number } {
  return { size, body: int16SliceBody(size, discHu(size, 60 + seed, -1000)) };
}

/**
 * Grid points of automatic mode on discSlice(128): cell centres of a 12 × 12 grid that fall inside the
 * soft-tissue disc (radius 32 around (64, 64); outside is air at −1000 HU), counted here from the
 * slice's geometry, not with the service's code.
 */
export function discGridPoints(perSide = 12, size = 128): number {
  let count = 0;
  for (let gy = 0; gy < perSide; gy++) {
    for (let gx = 0; gx < perSide; gx++) {
      const x = Math.floor(((gx + 0.5) * size) / perSide);
      const y = Math.floor(((gy + 0.5) * size) / perSide);
      if ((x - size / 2) ** 2 + (y - size / 2) ** 2 < (size / 4) ** 2) count++;
    }
  }
  return count;
}
