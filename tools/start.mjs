#!/usr/bin/env node
// `npm start`: builds every workspace, then runs the SAM2 service and the viewer server together and prints
// the viewer's URL. Ctrl-C (or SIGTERM) stops both; if one of them dies, the other is stopped too.
// `node tools/start.mjs --no-build` skips the build. Both processes read their settings from the
// environment (docs/configuration.md, docs/viewer.md). Their logs go to stdout, readable on a terminal and
// JSON otherwise or with LOG_FORMAT=json (start/console.mjs), after a banner saying what runs where, which
// model (or why none) and the URL to open; a first-start model download shows a progress bar
// (start/modelStatus.mjs).
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { setTimeout } from 'node:timers';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createConsole } from './start/console.mjs';
import { followModel, modelLine, readModelIdentity, readReadiness } from './start/modelStatus.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

const out = createConsole();

if (!process.argv.includes('--no-build')) {
  out.log('Building the SAM2 service, extension, mode and viewer server…');
  const build = spawnSync(npm, ['run', 'build'], { cwd: root, encoding: 'utf8' });
  if (build.status !== 0) {
    process.stdout.write(`${build.stdout ?? ''}${build.stderr ?? ''}`);
    process.exit(build.status ?? 1);
  }
}

// Log lines wait until the banner is printed, so the first lines say what runs where.
const held = [];
let holding = true;
function emit(line) {
  // On a terminal the bar shows the download; the service's plain progress lines are for logs.
  if (out.pretty && line.includes('"msg":"model download ')) return;
  if (holding) held.push(line);
  else out.log(line);
}
function release() {
  holding = false;
  for (const line of held.splice(0)) out.log(line);
}

// glibc malloc settings for the service (read at process start, so set here for the child); an explicit
// value in our own environment wins. Same values as the image: sam2-service/src/allocatorEnv.ts.
const { allocatorEnv } = await import(
  pathToFileURL(path.join(root, 'sam2-service/dist/src/allocatorEnv.js')).href
);
const serviceAllocatorEnv = Object.fromEntries(
  Object.entries(allocatorEnv).map(([name, value]) => [name, process.env[name] ?? value]),
);

const children = new Set();
let stopping = false;

/** Stops every child still running, then exits with `code`. */
function stopAll(code) {
  if (stopping) return;
  stopping = true;
  for (const child of children) child.kill('SIGTERM');
  const force = setTimeout(() => {
    for (const child of children) child.kill('SIGKILL');
  }, 10000);
  force.unref();
  const waitAll = () => (children.size === 0 ? process.exit(code) : setTimeout(waitAll, 50));
  waitAll();
}

/**
 * Runs `node <script>`, copying its log lines to our stdout; resolves with the first parsed JSON line for
 * which `isReady` is true.
 */
function run(name, script, { cwd, env, isReady }) {
  const child = spawn(process.execPath, [path.join(root, script)], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.add(child);
  return new Promise((resolve, reject) => {
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      emit(line);
      try {
        const parsed = JSON.parse(line);
        if (isReady(parsed)) resolve(parsed);
      } catch {
        // not a JSON log line
      }
    });
    child.on('exit', (code, signal) => {
      children.delete(child);
      release();
      reject(new Error(`${name} exited before it was ready`));
      if (!stopping) {
        console.error(`${name} stopped (${signal ?? `exit code ${code}`}); stopping the rest.`);
        stopAll(code || 1);
      }
    });
  });
}

process.on('SIGINT', () => stopAll(0));
process.on('SIGTERM', () => stopAll(0));

const isListening = (prefix) => (line) => typeof line.msg === 'string' && line.msg.startsWith(prefix);

try {
  // The service first: the viewer checks its readiness at start-up. Its cwd keeps its relative default
  // model directory (sam2-service/models/...).
  const service = await run('SAM2 service', 'sam2-service/dist/src/index.js', {
    cwd: path.join(root, 'sam2-service'),
    env: serviceAllocatorEnv,
    isReady: isListening('SAM2 service listening'),
  });
  const serviceHost = ['0.0.0.0', '::', undefined].includes(service.host) ? '127.0.0.1' : service.host;
  const viewer = await run('Viewer server', 'viewer/dist/src/index.js', {
    cwd: root,
    env: { SAM2_SERVICE_URL: process.env.SAM2_SERVICE_URL || `http://${serviceHost}:${service.port}` },
    isReady: isListening('OHIF viewer listening'),
  });
  const host = ['0.0.0.0', '::', undefined].includes(viewer.host) ? '127.0.0.1' : viewer.host;
  const serviceUrl = `http://${serviceHost}:${service.port}`;
  out.log(`\nOHIF viewer with SAM2: http://${host}:${viewer.port}/local   (open this; Ctrl-C stops both)`);
  out.log(`  SAM2 service: ${serviceUrl}   viewer server: http://${host}:${viewer.port}`);
  out.log(`  ${modelLine(await readReadiness(serviceUrl), await readModelIdentity(serviceUrl))}\n`);
  release();
  void followModel(serviceUrl, {
    status: (text) => out.status(text),
    say: (text) => out.log(text),
    tty: out.pretty,
    isStopped: () => stopping,
  });
} catch (error) {
  release();
  if (!stopping) {
    console.error(error.message);
    stopAll(1);
  }
}
