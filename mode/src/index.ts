/**
 * Runtime entry: the mode bundle is served next to the extension bundle, so the extension's URL is
 * derived from this module's own URL unless app-config.js sets `window.config.sam2.extensionUrl`.
 */
import { EXTENSION_BUNDLE } from './ids';
import { createSam2Mode } from './mode';

export { createSam2Mode, extendSegmentationMode, addSam2ToMode } from './mode';
export * from './ids';

function extensionKey(): string {
  const configured = (globalThis as { config?: { sam2?: { extensionUrl?: unknown } } }).config?.sam2
    ?.extensionUrl;
  if (typeof configured === 'string' && configured) return configured;
  const url = new URL(EXTENSION_BUNDLE, import.meta.url);
  // Same origin: keep it a path, the form app-config.js uses for the same bundle.
  return typeof location !== 'undefined' && url.origin === location.origin ? url.pathname : url.href;
}

export default createSam2Mode({ extensionKey: extensionKey() });
