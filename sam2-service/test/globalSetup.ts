import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { writeFixtureModel } from '../scripts/fixture/writeFixtureModel';
import { fixtureModelDir, fixtureRoot } from './helpers/fixtureModels';

/**
 * Writes the FIXTURE models the tests run on (real ONNX files with the real export signatures, made by
 * the project: real SAM2 weights cannot be downloaded here) and checks that the service is built.
 */
export default async function globalSetup(): Promise<void> {
  // Fresh directories: files of an older fixture layout must not linger beside the new ones.
  rmSync(fixtureRoot, { recursive: true, force: true });
  await writeFixtureModel({ family: 'samexporter', outDir: fixtureModelDir('samexporter') });
  await writeFixtureModel({ family: 'onnx-community', outDir: fixtureModelDir('onnx-community') });
  await writeFixtureModel({
    family: 'samexporter',
    outDir: fixtureModelDir('samexporter-origsize'),
    origImSize: true,
  });
  // A deliberately slow encoder (~1 s on this machine, ~1.4 ms a layer) for the 429 and 504 tests.
  await writeFixtureModel({
    family: 'samexporter',
    outDir: fixtureModelDir('samexporter-slow'),
    encoderLayers: 700,
  });
  const built = path.resolve(__dirname, '..', 'dist', 'src', 'index.js');
  if (!existsSync(built)) throw new Error(`${built} is missing: run npm run build first (npm test does)`);
}
