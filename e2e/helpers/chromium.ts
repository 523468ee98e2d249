import { type Browser, chromium } from 'playwright-core';
import { chromiumPath } from './paths';

/**
 * Debian's Chromium, headless. No GPU here: SwiftShader gives Cornerstone a WebGL context
 * (docs: shared/docs/ohif-3.13-integration.md). `npx playwright install` cannot work offline.
 */
export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-gl=swiftshader',
  '--enable-unsafe-swiftshader',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath, headless: true, args: chromiumArgs });
}
