/**
 * The host's own Cornerstone instances. A runtime-loaded bundle must never carry its own copy:
 * segmentation state, tool groups and caches live in the host's modules.
 */
import type { CornerstoneLibraries, ExtensionManagerLike } from './types';

const UTILITY_COMMON = '@ohif/extension-cornerstone.utilityModule.common';

export function getCornerstoneLibraries(extensionManager: ExtensionManagerLike): CornerstoneLibraries {
  const entry = extensionManager.getModuleEntry(UTILITY_COMMON);
  const get = entry?.exports?.getCornerstoneLibraries as (() => CornerstoneLibraries) | undefined;
  if (typeof get !== 'function') {
    throw new Error(`SAM2: ${UTILITY_COMMON} not found; is @ohif/extension-cornerstone registered?`);
  }
  return get();
}
