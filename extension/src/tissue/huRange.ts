/**
 * Tissue attenuation ranges (Hounsfield units) used for body-composition analysis on CT.
 *
 * Defaults are the thresholds used throughout L3 body-composition practice:
 * - skeletal muscle −29…+150 HU (Mitsiopoulos N et al., J Appl Physiol 1998;85:115–122),
 * - visceral adipose tissue −150…−50 HU (Miller KD et al., Am J Clin Nutr 1991 / Mourtzakis M et al.,
 *   Appl Physiol Nutr Metab 2008;33:997–1006),
 * - subcutaneous and intermuscular adipose tissue −190…−30 HU (Mitsiopoulos 1998; Mourtzakis 2008).
 * Sites with other protocols (e.g. contrast phase) override them in app-config.js
 * (`window.config.sam2.huRanges`, docs/configuration.md).
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

function isHuRange(value: unknown): value is HuRange {
  if (!value || typeof value !== 'object') return false;
  const { min, max } = value as Record<string, unknown>;
  return (
    typeof min === 'number' &&
    typeof max === 'number' &&
    Number.isFinite(min) &&
    Number.isFinite(max) &&
    min <= max
  );
}

/**
 * The HU ranges from an untrusted `huRanges` config object (`{ "skeletal-muscle": { min, max }, ... }`):
 * each valid entry overrides its default; a missing or invalid entry (non-numeric, min > max) keeps the
 * default and is reported in `invalid` so the caller can warn.
 */
export function resolveHuRanges(raw: unknown): { ranges: Record<Tissue, HuRange>; invalid: string[] } {
  const ranges = { ...DEFAULT_HU_RANGES } as Record<Tissue, HuRange>;
  const invalid: string[] = [];
  if (!raw || typeof raw !== 'object') return { ranges, invalid };
  for (const tissue of TISSUES) {
    const value = (raw as Record<string, unknown>)[tissue];
    if (value === undefined) continue;
    if (isHuRange(value)) ranges[tissue] = { min: value.min, max: value.max };
    else invalid.push(tissue);
  }
  return { ranges, invalid };
}

/** Whether a HU value lies in the range (both ends included). */
export function inHuRange(hu: number, range: HuRange): boolean {
  return hu >= range.min && hu <= range.max;
}

/** "−29…150 HU" style text for panels and exports (ASCII minus for CSV safety). */
export function formatHuRange(range: HuRange): string {
  return `${range.min}..${range.max} HU`;
}
