/**
 * Segmentation contexts: what the user is segmenting. A context names the segment the mask goes into,
 * gives it a colour, and may fix the window the model sees (so a vertebra is always segmented with
 * bone contrast, whatever window the user is reading in). They mirror the two editors of the original
 * body-composition tool (L3 vertebra, skeletal muscle at L3), plus a generic one.
 */
import type { VoiLutFunction } from './api/types';

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
    tooltip: 'SAM2 context: skeletal muscle at L3 (soft-tissue window C40/W400 sent to SAM2)',
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
