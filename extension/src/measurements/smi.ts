/**
 * Skeletal muscle index: SMI = SMA / height² (cm²/m²), skeletal muscle area at L3 normalised for
 * stature (Mourtzakis M et al., Appl Physiol Nutr Metab 2008;33:997–1006; Prado CM et al., Lancet
 * Oncol 2008;9:629–635).
 */

/** Plausible adult and paediatric heights, m; anything outside is treated as a typing error. */
export const HEIGHT_LIMITS_M = { min: 0.3, max: 2.75 } as const;

/** SMI in cm²/m², or undefined when the height is unknown or implausible. */
export function skeletalMuscleIndex(smaCm2: number, heightM: number | undefined): number | undefined {
  if (heightM === undefined || !isPlausibleHeight(heightM) || !Number.isFinite(smaCm2)) return undefined;
  return smaCm2 / (heightM * heightM);
}

export function isPlausibleHeight(heightM: number): boolean {
  return Number.isFinite(heightM) && heightM >= HEIGHT_LIMITS_M.min && heightM <= HEIGHT_LIMITS_M.max;
}

/**
 * Patient Size (0010,1020) is in metres (DS). Returns it when plausible, otherwise undefined.
 */
export function heightFromPatientSize(value: unknown): number | undefined {
  const n = typeof value === 'string' ? Number(value.trim()) : value;
  return typeof n === 'number' && isPlausibleHeight(n) ? n : undefined;
}

/**
 * A height typed by the user: metres ("1.72", "1,72") or centimetres ("172"); undefined when it is
 * not a plausible height.
 */
export function parseHeightInput(text: string): number | undefined {
  const n = Number(text.trim().replace(',', '.'));
  if (!text.trim() || !Number.isFinite(n)) return undefined;
  const metres = n > 3 ? n / 100 : n;
  return isPlausibleHeight(metres) ? metres : undefined;
}
