import path from 'node:path';

export const repoRoot = path.resolve(__dirname, '..', '..');
/** Screenshots land here; git-ignored, kept by CI as artifacts. */
export const artifactsDir = path.join(repoRoot, 'artifacts');
export const screenshotsDir = path.join(artifactsDir, 'screenshots');
/** The user guide's screenshots as the tests take them; `npm run docs:screenshots` copies them to docs/. */
export const docsScreenshotsArtifactsDir = path.join(artifactsDir, 'docs-screenshots');
/** The FIXTURE model the e2e SAM2 service runs on (written by globalSetup, git-ignored). */
export const e2eFixtureModelDir = path.join(repoRoot, 'e2e', '.fixture-models', 'samexporter');
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
