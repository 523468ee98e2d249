import path from 'node:path';

/** Where test/globalSetup.ts writes the FIXTURE models (git-ignored, regenerated per test run). */
export const fixtureRoot = path.resolve(__dirname, '..', '..', '.fixture-models');

export type FixtureName = 'samexporter' | 'onnx-community' | 'samexporter-slow' | 'samexporter-origsize';

export function fixtureModelDir(name: FixtureName): string {
  return path.join(fixtureRoot, name);
}
