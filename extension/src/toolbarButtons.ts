/**
 * Toolbar definitions, registered by the mode: the One-Click Segmentation button and a split button
 * (OHIF's `ohif.toolButtonList`, rendered by the host without any React from us) that picks the
 * context. The split button's primary face shows the selected context.
 */
import { CONTEXTS } from './contexts';
import type { ToolbarButtonDefinition } from './host/types';
import { BUTTON_IDS, COMMANDS, EVALUATORS } from './id';

export function getToolbarButtons(): ToolbarButtonDefinition[] {
  return [
    {
      id: BUTTON_IDS.oneClick,
      uiType: 'ohif.toolButton',
      props: {
        icon: 'ToolSegmentAnything',
        label: 'SAM2 One-Click Segmentation',
        tooltip:
          'Segment the shown slice with SAM2 (AI). Then click a structure to segment it, Shift+click to remove an area, drag to box it.',
        commands: [{ commandName: COMMANDS.oneClick }],
        evaluate: EVALUATORS.oneClick,
      },
    },
    {
      id: BUTTON_IDS.contextMenu,
      uiType: 'ohif.toolButtonList',
      props: { buttonSection: true },
    },
    ...CONTEXTS.map((context) => ({
      id: context.buttonId,
      uiType: 'ohif.toolButton',
      props: {
        icon: context.icon,
        label: `SAM2: ${context.label}`,
        tooltip: context.tooltip,
        commands: [{ commandName: COMMANDS.setContext, commandOptions: { contextId: context.id } }],
        evaluate: { name: EVALUATORS.context, contextId: context.id },
      },
    })),
  ];
}

/** Buttons appended to the mode's primary toolbar, in this order. */
export const PRIMARY_BUTTON_IDS: string[] = [BUTTON_IDS.contextMenu, BUTTON_IDS.oneClick];

/** The split button's own section: its items. */
export const BUTTON_SECTIONS: Record<string, string[]> = {
  [BUTTON_IDS.contextMenu]: CONTEXTS.map((c) => c.buttonId),
};
