import path from 'node:path';

export const repoRoot = path.resolve(__dirname, '..', '..', '..');
/** Where this project's globalSetup writes the FIXTURE model (git-ignored). */
export const viewerFixtureModelDir = path.join(repoRoot, 'viewer', '.fixture-models', 'samexporter');
