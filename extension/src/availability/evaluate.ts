/**
 * Whether the One-Click Segmentation button is shown, enabled, and why not. Pure: the toolbar
 * evaluator feeds it facts gathered from the viewer.
 */
import type { Sam2Config } from '../config';
import type { Availability } from './poller';
import { unavailableText } from './reasonText';

export interface ViewportFacts {
  hasViewport: boolean;
  /** The shown slice's pixels are in Cornerstone's cache. */
  imageLoaded: boolean;
  /** DICOM Modality of the displayed series. */
  modality?: string;
  /** The viewport's tool group has Sam2PromptTool (false for 3D views). */
  toolAvailable?: boolean;
}

export interface ButtonState {
  visible: boolean;
  disabled: boolean;
  disabledText?: string;
  isActive?: boolean;
}

export { unavailableText } from './reasonText';

export function evaluateOneClick(input: {
  config: Pick<Sam2Config, 'enabled' | 'modalities'>;
  availability: Availability;
  viewport: ViewportFacts;
  busy: boolean;
  toolActive: boolean;
}): ButtonState {
  const { config, availability, viewport, busy, toolActive } = input;
  if (!config.enabled) return { visible: false, disabled: true };
  const off = (disabledText: string): ButtonState => ({
    visible: true,
    disabled: true,
    disabledText,
    isActive: false,
  });
  if (availability.status !== 'ready') return off(unavailableText(availability));
  if (!viewport.hasViewport || !viewport.imageLoaded) return off('No image loaded');
  const modality = viewport.modality?.toUpperCase();
  if (!modality || !config.modalities.includes(modality)) {
    return off(`Modality ${modality ?? 'unknown'} not supported`);
  }
  if (viewport.toolAvailable === false) return off('Not available in this viewport');
  if (busy) return off('SAM2 is processing…');
  // disabledText is set explicitly: OHIF merges evaluations into the old props, so an omitted key would
  // keep the previous reason.
  return { visible: true, disabled: false, disabledText: undefined, isActive: toolActive };
}

/**
 * The split button shows its active item on its face, but OHIF paints an active button like an active
 * mouse tool; a selected context is a setting, not a tool, so it gets the quieter "toggled" look.
 */
export const SELECTED_CONTEXT_CLASS = 'bg-transparent text-highlight hover:!bg-muted';

export function evaluateContext(input: {
  config: Pick<Sam2Config, 'enabled'>;
  selected: boolean;
}): ButtonState & { className?: string } {
  if (!input.config.enabled) return { visible: false, disabled: true };
  return {
    visible: true,
    disabled: false,
    isActive: input.selected,
    className: input.selected ? SELECTED_CONTEXT_CLASS : '',
  };
}
