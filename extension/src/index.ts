/**
 * OHIF 3.13 extension: SAM2 One-Click Segmentation. Loaded at run time from a URL listed in
 * app-config.js (or built into an OHIF monorepo like any extension). Default export: the extension.
 */
import { getCommandsModule } from './commandsModule';
import { Sam2Controller } from './controller';
import type { CommandsManagerLike, ExtensionManagerLike, ServicesManagerLike } from './host/types';
import { EXTENSION_ID } from './id';
import { getPanelModule } from './getPanelModule';
import { getToolbarModule } from './toolbarModule';
import { getUtilityModule } from './utilityModule';

export * from './id';
export { CONTEXTS, getContext } from './contexts';
export { resolveConfig } from './config';
export type { Sam2Config } from './config';
export type { Sam2UtilityExports } from './utilityModule';

interface ExtensionParams {
  servicesManager: ServicesManagerLike;
  commandsManager: CommandsManagerLike;
  extensionManager: ExtensionManagerLike;
}

let controller: Sam2Controller | undefined;

function getController(params: ExtensionParams): Sam2Controller {
  controller ??= new Sam2Controller(params);
  return controller;
}

const extension = {
  id: EXTENSION_ID,

  preRegistration(params: ExtensionParams) {
    const c = getController(params);
    // A handle for debugging and for the browser tests (like OHIF's window.services).
    (globalThis as { sam2?: unknown }).sam2 = c;
  },

  onModeEnter(params: ExtensionParams) {
    getController(params).onModeEnter();
  },

  onModeExit(params: ExtensionParams) {
    getController(params).onModeExit();
  },

  getCommandsModule(params: ExtensionParams) {
    return getCommandsModule(getController(params));
  },

  getToolbarModule(params: ExtensionParams) {
    return getToolbarModule(getController(params));
  },

  getPanelModule(params: ExtensionParams) {
    return getPanelModule(getController(params), params);
  },

  getUtilityModule(params: ExtensionParams) {
    return getUtilityModule(getController(params));
  },
};

export default extension;
