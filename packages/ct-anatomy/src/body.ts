/** The patient's body on an axial CT slice: the largest connected region denser than air. */
import type { Component } from './components';
import { connectedComponents } from './components';

/** Air is about −1000 HU and fat about −100 HU: −500 HU separates the body (and table) from air. */
export const BODY_MIN_HU = -500;

/**
 * The body outline's component (largest region ≥ BODY_MIN_HU), or undefined on an empty slice.
 * The patient table is thin and usually separate; the largest region is the trunk.
 */
export function findBody(hu: ArrayLike<number>, width: number, height: number): Component | undefined {
  const mask = new Uint8Array(width * height);
  for (let i = 0; i < mask.length; i++) mask[i] = hu[i] >= BODY_MIN_HU ? 1 : 0;
  const { components } = connectedComponents(mask, width, height);
  return components.reduce<Component | undefined>(
    (best, c) => (!best || c.area > best.area ? c : best),
    undefined,
  );
}
