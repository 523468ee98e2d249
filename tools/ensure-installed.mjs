#!/usr/bin/env node
// Makes `npm start` / `npm test` work on a fresh clone: installs the locked dependencies when
// node_modules is missing (after a pull that changes dependencies, run `npm ci` yourself). onnxruntime-node's postinstall would
// download CUDA files (impossible offline, not needed for CPU), so it is told to skip.
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const marker = path.join(root, 'node_modules', '.package-lock.json');

if (!existsSync(marker)) {
  console.log('Installing dependencies (npm ci)…');
  execSync('npm ci --no-audit --no-fund', {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' },
  });
}
