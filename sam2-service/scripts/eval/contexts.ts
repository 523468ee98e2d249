/**
 * Which viewer context a structure is segmented in, and the window the viewer then sends. The windows
 * and context ids mirror extension/src/contexts.ts (a unit test keeps them equal): the L3 vertebra
 * context sends the bone window, the skeletal-muscle context the soft-tissue window, and the generic
 * "Structure" context sends the window the user is viewing, which for an unchanged view is the
 * series' own Window Center/Width (the soft-tissue window when it has none).
 */
import type { HuRange } from '@ohif-sam2/ct-anatomy';
import { DEFAULT_HU_RANGES } from '@ohif-sam2/ct-anatomy';

export interface WindowSetting {
  center: number;
  width: number;
}

export const BONE_WINDOW: WindowSetting = { center: 400, width: 1800 };
export const SOFT_TISSUE_WINDOW: WindowSetting = { center: 40, width: 400 };

export type ContextId = 'l3-vertebra' | 'skeletal-muscle' | 'structure';

export interface StructureContext {
  id: ContextId;
  window: WindowSetting;
  /** Where the window comes from, for the report. */
  windowSource: 'context preset' | 'series window' | 'soft-tissue default';
  /** The context's own One-Click applies (it exists for this structure). */
  oneClick: boolean;
}

/** Reference names (TotalSegmentator and generic) of skeletal muscle at the L3 level. */
const MUSCLE =
  /^(skeletal_muscle|autochthon_(left|right)|iliopsoas_(left|right)|psoas(_major)?(_left|_right)?|muscle.*)$/i;
const L3 = /^(vertebrae_L3|L3(_vertebra)?|vertebra_L3)$/i;

export function contextFor(structure: string, seriesWindow: WindowSetting | undefined): StructureContext {
  if (L3.test(structure)) {
    return { id: 'l3-vertebra', window: BONE_WINDOW, windowSource: 'context preset', oneClick: true };
  }
  if (MUSCLE.test(structure)) {
    return {
      id: 'skeletal-muscle',
      window: SOFT_TISSUE_WINDOW,
      windowSource: 'context preset',
      oneClick: true,
    };
  }
  return seriesWindow
    ? { id: 'structure', window: seriesWindow, windowSource: 'series window', oneClick: false }
    : { id: 'structure', window: SOFT_TISSUE_WINDOW, windowSource: 'soft-tissue default', oneClick: false };
}

/**
 * The HU range a context's results are restricted to, as the viewer does for a tissue context
 * (extension/src/contexts.ts huRangeOf): skeletal muscle's standard range (packages/ct-anatomy; the
 * viewer uses the site's configured one); undefined for the vertebra and Structure contexts.
 */
export function tissueRangeOf(context: ContextId): HuRange | undefined {
  return context === 'skeletal-muscle' ? DEFAULT_HU_RANGES['skeletal-muscle'] : undefined;
}
