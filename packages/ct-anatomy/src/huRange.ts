/**
 * Tissue attenuation ranges (Hounsfield units) used for body-composition analysis on CT.
 *
 * Defaults are the thresholds used throughout L3 body-composition practice:
 * - skeletal muscle −29…+150 HU (Mitsiopoulos N et al., J Appl Physiol 1998;85:115–122),
 * - visceral adipose tissue −150…−50 HU (Miller KD et al., Am J Clin Nutr 1991 / Mourtzakis M et al.,
 *   Appl Physiol Nutr Metab 2008;33:997–1006),
 * - subcutaneous and intermuscular adipose tissue −190…−30 HU (Mitsiopoulos 1998; Mourtzakis 2008).
 * The viewer lets sites override them (`window.config.sam2.huRanges`, docs/configuration.md).
 */

/** A closed HU interval [min, max]; a voxel is in range when min ≤ HU ≤ max. */
export interface HuRange {
  min: number;
  max: number;
}

/** Tissues with a standard HU range. */
export type Tissue = 'skeletal-muscle' | 'vat' | 'sat';

export const TISSUES: readonly Tissue[] = ['skeletal-muscle', 'vat', 'sat'];

export const DEFAULT_HU_RANGES: Readonly<Record<Tissue, HuRange>> = {
  'skeletal-muscle': { min: -29, max: 150 },
  vat: { min: -150, max: -50 },
  sat: { min: -190, max: -30 },
};

/** Whether a HU value lies in the range (both ends included). */
export function inHuRange(hu: number, range: HuRange): boolean {
  return hu >= range.min && hu <= range.max;
}
