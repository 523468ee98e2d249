/** Commands (all prefixed sam2) the toolbar buttons, hotkeys or tests can run. */
import { getContextByButtonId } from './contexts';
import type { Sam2Controller } from './controller';
import { COMMANDS } from './id';

export function getCommandsModule(controller: Sam2Controller) {
  const actions = {
    [COMMANDS.oneClick]: () => controller.oneClick(),
    [COMMANDS.activatePromptTool]: () => controller.activatePromptTool(),
    [COMMANDS.setContext]: ({ contextId, itemId }: { contextId?: string; itemId?: string } = {}) =>
      controller.setContext(contextId ?? getContextByButtonId(itemId)?.id ?? ''),
    [COMMANDS.cancel]: () => controller.cancel(),
    [COMMANDS.startOver]: () => controller.startOver(),
    [COMMANDS.checkAvailability]: () => controller.checkAvailabilityNow(),
  };
  const definitions = Object.fromEntries(
    Object.entries(actions).map(([name, commandFn]) => [name, { commandFn }]),
  );
  return { actions, definitions, defaultContext: 'SAM2' };
}
