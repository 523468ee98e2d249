#!/usr/bin/env node
// `npm run docs:screenshots`: refreshes the documentation's screenshots (docs/screenshots/*.png).
// Tests never write tracked files: the browser tests put the guide's screenshots into
// artifacts/docs-screenshots/ (docsScreenshot in e2e/helpers/screenshots.ts). This builds, runs the e2e
// tests that take such screenshots, then copies every image they took into docs/screenshots/.
// `--no-build` skips the build. Needs what the e2e tests need (Chromium, the CT data in ../shared/data;
// the full-stack test also needs Orthanc and nginx); a skipped test leaves its images as they were.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
const taken = path.join(root, 'artifacts', 'docs-screenshots');
const docsDir = path.join(root, 'docs', 'screenshots');
const testsDir = path.join(root, 'e2e', 'tests');

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

if (!process.argv.includes('--no-build')) run(npm, ['run', 'build']);

// The tests that take documentation screenshots are the ones that call docsScreenshot.
const tests = readdirSync(testsDir)
  .filter((f) => f.endsWith('.test.ts'))
  .filter((f) => readFileSync(path.join(testsDir, f), 'utf8').includes('docsScreenshot'))
  .map((f) => path.join('e2e', 'tests', f));
if (!tests.length) {
  console.error('No e2e test takes documentation screenshots (docsScreenshot).');
  process.exit(1);
}

rmSync(taken, { recursive: true, force: true }); // only this run's images are copied
run(npx, ['jest', '--selectProjects', 'e2e', '--runInBand', ...tests]);

const images = existsSync(taken) ? readdirSync(taken).filter((f) => f.endsWith('.png')) : [];
if (!images.length) {
  console.error(
    'The tests took no documentation screenshot (were they skipped?); docs/screenshots/ unchanged.',
  );
  process.exit(1);
}
mkdirSync(docsDir, { recursive: true });
for (const image of images) copyFileSync(path.join(taken, image), path.join(docsDir, image));
const stale = readdirSync(docsDir).filter((f) => f.endsWith('.png') && !images.includes(f));
console.log(`Copied ${images.length} screenshots into docs/screenshots/: ${images.join(', ')}`);
if (stale.length)
  console.log(`Not refreshed by this run (test skipped or image retired): ${stale.join(', ')}`);
