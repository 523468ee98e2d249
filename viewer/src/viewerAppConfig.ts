import { existsSync } from 'node:fs';
import path from 'node:path';
import type { AppConfigOptions } from './appConfig';
import type { ViewerConfig } from './config';
import { BUNDLE_URL_PREFIX, SAM2_API_PREFIX } from './urls';

export const EXTENSION_BUNDLE = 'ohif-sam2-extension.js';
export const MODE_BUNDLE = 'ohif-sam2-mode.js';

export function bundleFiles(config: ViewerConfig): { extension: string; mode: string } {
  return {
    extension: path.join(config.extensionDistDir, EXTENSION_BUNDLE),
    mode: path.join(config.modeDistDir, MODE_BUNDLE),
  };
}

/**
 * The app-config.js inputs for this configuration. A bundle that is not built is left out rather than
 * listed: OHIF shows a blank page when one extension or mode import() fails.
 */
export function appConfigOptions(config: ViewerConfig, fileExists = existsSync): AppConfigOptions {
  const files = bundleFiles(config);
  return {
    dicomwebUrl: config.dicomwebUrl,
    extensionUrls: fileExists(files.extension) ? [`${BUNDLE_URL_PREFIX}${EXTENSION_BUNDLE}`] : [],
    modeUrls: fileExists(files.mode) ? [`${BUNDLE_URL_PREFIX}${MODE_BUNDLE}`] : [],
    sam2: {
      enabled: config.sam2Enabled,
      apiBase: SAM2_API_PREFIX,
      modalities: config.modalities,
      timeoutMs: config.clientTimeoutMs,
      speculativeEncoding: config.speculativeEncoding,
    },
  };
}
