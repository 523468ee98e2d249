import { discHu, int16SliceBody } from '../../scripts/lib/syntheticSlice';

/** A 128² int16 "CT" slice: a soft-tissue disc (60 HU) in air (-1000 HU), for tests that need no real data. */
export function discSlice(size = 128, seed = 0): { body: Record<string, unknown>; size: number } {
  return { size, body: int16SliceBody(size, discHu(size, 60 + seed, -1000)) };
}
