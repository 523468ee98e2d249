import { existsSync } from 'node:fs';
import { chromiumPath } from './paths';
import { sharedDataDir, totalSegExample } from './testData';

/** Why the browser tests cannot run here, or undefined when they can. */
export function missingPrerequisite(): string | undefined {
  if (!existsSync(totalSegExample.dir)) {
    return `real CT data not found at ${sharedDataDir} (set SHARED_DATA_DIR)`;
  }
  if (!existsSync(chromiumPath)) {
    return `Chromium not found at ${chromiumPath} (apt-get install -y chromium, or set CHROMIUM_PATH)`;
  }
  return undefined;
}
