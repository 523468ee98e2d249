/**
 * Segmentation contexts: what the user is segmenting. A context names the segment the mask goes into,
 * gives it a colour, and may fix the window the model sees (so a vertebra is always segmented with
 * bone contrast, whatever window the user is reading in). They mirror the two editors of the original
 * body-composition tool (L3 vertebra, skeletal muscle at L3), the two adipose compartments measured
 * at L3 (visceral, subcutaneous), plus a generic one. A tissue context carries a HU range
 * (tissue/huRange.ts): its SAM2 results and its measurements count only voxels in that range.
 */
import type { VoiLutFunction } from './api/types';
import type { HuRange, Tissue } from './tissue/huRange';
import { DEFAULT_HU_RANGES } from './tissue/huRange';

export interface WindowPreset {
  center: number;
  width: number;
  /** DICOM VOI LUT Function the window is drawn with; absent = LINEAR (presets are LINEAR). */
  voiLutFunction?: VoiLutFunction;
}

export interface Sam2Context {
  id: string;
  buttonId: string;
  /** Toolbar label. */
  label: string;
  /** Segment label written into the labelmap. */
  segmentLabel: string;
  /** RGBA, 0-255. */
  color: [number, number, number, number];
  /** Window sent to the service; undefined = the window the user currently sees. */
  window?: WindowPreset;
  icon: string;
  tooltip: string;
  /** The tissue whose HU range applies (tissue contexts only); see huRangeOf. */
  tissue?: Tissue;
}

export const BONE_WINDOW: WindowPreset = { center: 400, width: 1800 };
export const SOFT_TISSUE_WINDOW: WindowPreset = { center: 40, width: 400 };

export const CONTEXTS: readonly Sam2Context[] = [
  {
    id: 'l3-vertebra',
    buttonId: 'sam2-context-l3-vertebra',
    label: 'L3 vertebra',
    segmentLabel: 'L3 vertebra',
    color: [230, 210, 160, 255],
    window: BONE_WINDOW,
    icon: 'CT-Bones',
    tooltip: 'SAM2 context: L3 vertebra (bone window C400/W1800 sent to SAM2)',
  },
  {
    id: 'skeletal-muscle',
    buttonId: 'sam2-context-skeletal-muscle',
    label: 'Skeletal muscle (L3)',
    segmentLabel: 'Skeletal muscle (L3)',
    color: [220, 40, 40, 255],
    window: SOFT_TISSUE_WINDOW,
    icon: 'CT-Muscle',
    tooltip:
      'SAM2 context: skeletal muscle at L3 (soft-tissue window C40/W400 sent to SAM2; result kept within the muscle HU range)',
    tissue: 'skeletal-muscle',
  },
  {
    id: 'vat',
    buttonId: 'sam2-context-vat',
    label: 'Visceral fat (VAT)',
    segmentLabel: 'Visceral adipose tissue (VAT)',
    color: [255, 200, 40, 255],
    window: SOFT_TISSUE_WINDOW,
    icon: 'CT-Soft-Tissue',
    tooltip: 'SAM2 context: visceral adipose tissue (result kept within the VAT HU range)',
    tissue: 'vat',
  },
  {
    id: 'sat',
    buttonId: 'sam2-context-sat',
    label: 'Subcutaneous fat (SAT)',
    segmentLabel: 'Subcutaneous adipose tissue (SAT)',
    color: [60, 200, 110, 255],
    window: SOFT_TISSUE_WINDOW,
    icon: 'CT-Fat',
    tooltip: 'SAM2 context: subcutaneous adipose tissue (result kept within the SAT HU range)',
    tissue: 'sat',
  },
  {
    id: 'structure',
    buttonId: 'sam2-context-structure',
    label: 'Structure',
    segmentLabel: 'SAM2 structure',
    color: [60, 180, 255, 255],
    icon: 'tool-freehand-roi',
    tooltip: 'SAM2 context: any structure (the window you are viewing is sent to SAM2)',
  },
];

export const DEFAULT_CONTEXT_ID = 'structure';

/** The context with this id, or the generic one for an unknown id. */
export function getContext(id: string | undefined): Sam2Context {
  return (
    CONTEXTS.find((c) => c.id === id) ?? (CONTEXTS.find((c) => c.id === DEFAULT_CONTEXT_ID) as Sam2Context)
  );
}

/** The context a toolbar button selects, if it is one of ours. */
export function getContextByButtonId(buttonId: string | undefined): Sam2Context | undefined {
  return CONTEXTS.find((c) => c.buttonId === buttonId);
}

/**
 * The window sent with a request: the context's preset when it has one, otherwise what the user sees.
 */
export function windowForRequest(
  context: Sam2Context,
  viewed: WindowPreset | undefined,
): WindowPreset | undefined {
  return context.window ?? viewed;
}

/**
 * The HU range a context's results and measurements are restricted to: its tissue's range from
 * `ranges` (the resolved `window.config.sam2.huRanges`, defaults otherwise); undefined for a context
 * without a tissue (vertebra, structure).
 */
export function huRangeOf(
  context: Sam2Context,
  ranges: Readonly<Record<Tissue, HuRange>> = DEFAULT_HU_RANGES,
): HuRange | undefined {
  return context.tissue ? ranges[context.tissue] : undefined;
}

/** The context whose segment carries this label, if any. */
export function getContextBySegmentLabel(label: string | undefined): Sam2Context | undefined {
  return CONTEXTS.find((c) => c.segmentLabel === label);
}
