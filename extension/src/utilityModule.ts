/**
 * What the mode needs from the extension at run time (the two ship as separate bundles, so the mode
 * reads these through OHIF's extension manager instead of importing them).
 */
import type { Sam2Controller } from './controller';
import type { ToolGroupServiceLike } from './host/types';
import { TOOL_NAME, UTILITY_MODULE_NAME } from './id';
import { BUTTON_SECTIONS, getToolbarButtons, PRIMARY_BUTTON_IDS } from './toolbarButtons';
import { registerPromptTool } from './tools/Sam2PromptTool';

/** Tool groups that show 2-D slices; a 3-D view has nothing to click on. */
const SKIPPED_TOOL_GROUPS = new Set(['volume3d']);

export interface Sam2UtilityExports {
  toolName: string;
  getToolbarButtons: typeof getToolbarButtons;
  primaryButtonIds: string[];
  buttonSections: Record<string, string[]>;
  /** Adds Sam2PromptTool (passive) to the mode's 2-D tool groups; returns their ids. */
  addPromptToolToToolGroups(
    toolGroupService: ToolGroupServiceLike & {
      addToolsToToolGroup(id: string, tools: { passive: Array<{ toolName: string }> }): void;
    },
  ): string[];
  /** Starts the readiness polling and resets the interaction (call from the mode's onModeEnter). */
  enterMode(): void;
  controller: Sam2Controller;
}

export function getUtilityModule(controller: Sam2Controller) {
  const exports: Sam2UtilityExports = {
    toolName: TOOL_NAME,
    getToolbarButtons,
    primaryButtonIds: PRIMARY_BUTTON_IDS,
    buttonSections: BUTTON_SECTIONS,
    addPromptToolToToolGroups(toolGroupService) {
      registerPromptTool(controller.libs().cornerstoneTools, controller);
      const ids = toolGroupService
        .getToolGroupIds()
        .filter(
          (id) => !SKIPPED_TOOL_GROUPS.has(id) && !toolGroupService.getToolGroup(id)?.hasTool(TOOL_NAME),
        );
      for (const id of ids) toolGroupService.addToolsToToolGroup(id, { passive: [{ toolName: TOOL_NAME }] });
      return ids;
    },
    enterMode() {
      controller.enterMode();
    },
    controller,
  };
  return [{ name: UTILITY_MODULE_NAME, exports }];
}
