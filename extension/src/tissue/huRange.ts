/**
 * The site's tissue HU ranges: app-config `window.config.sam2.huRanges` (docs/configuration.md) over
 * the standard defaults, which are shared with the evaluation (packages/ct-anatomy, huRange.ts:
 * skeletal muscle −29…+150, VAT −150…−50, SAT and IMAT −190…−30 HU). Sites with other protocols (e.g.
 * contrast phase) override them.
 */
import type { HuRange, Tissue } from '@ohif-sam2/ct-anatomy';
import { DEFAULT_HU_RANGES, TISSUES } from '@ohif-sam2/ct-anatomy';
export type { HuRange, Tissue } from '@ohif-sam2/ct-anatomy';
export { DEFAULT_HU_RANGES, TISSUES, inHuRange } from '@ohif-sam2/ct-anatomy';

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

/** "−29…150 HU" style text for panels and exports (ASCII minus for CSV safety). */
export function formatHuRange(range: HuRange): string {
  return `${range.min}..${range.max} HU`;
}
