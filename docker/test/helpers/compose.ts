import { spawnSync } from 'node:child_process';
import { deployFiles, repoRoot } from './paths';
import { findPythonWithYaml, findTool } from './tools';

/** Parses YAML with PyYAML (installed with docker-compose), so the tests need no YAML package of their own. */
export function parseYaml(text: string): unknown {
  const python = findPythonWithYaml();
  if (!python) throw new Error('python3 with PyYAML is not installed (apt-get install -y python3-yaml)');
  const result = spawnSync(
    python,
    ['-c', 'import json, sys, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)'],
    { input: text, encoding: 'utf8' },
  );
  if (result.status !== 0) throw new Error(`YAML parse failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

export interface ComposeResult {
  ok: boolean;
  stdout: string;
  stderr: string;
}

/**
 * `docker-compose --env-file <envFile> -f <file>... config` in the repository root, with a clean
 * environment plus `env` (shell variables win over the env file, as in real use).
 */
export function runComposeConfig(
  files: string[],
  env: Record<string, string> = {},
  envFile: string = deployFiles.envExample,
): ComposeResult {
  const compose = findTool('docker-compose');
  if (!compose) throw new Error('docker-compose is not installed (apt-get install -y docker-compose)');
  const args = ['--env-file', envFile, ...files.flatMap((file) => ['-f', file]), 'config'];
  const result = spawnSync(compose, args, {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    encoding: 'utf8',
  });
  return { ok: result.status === 0, stdout: result.stdout, stderr: result.stderr };
}

/** The resolved compose configuration (throws with docker-compose's message when it is invalid). */
export function composeConfig(files: string[], env: Record<string, string> = {}, envFile?: string): any {
  const result = runComposeConfig(files, env, envFile);
  if (!result.ok) throw new Error(`docker-compose config failed:\n${result.stderr}`);
  return parseYaml(result.stdout);
}

/** "6g", "512m", "4294967296" → bytes (compose's memory notation). */
export function memoryBytes(value: string | number): number {
  const match = /^(\d+(?:\.\d+)?)\s*([bkmg])?b?$/i.exec(String(value).trim());
  if (!match) throw new Error(`not a memory size: ${value}`);
  const factor = { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[(match[2] ?? 'b').toLowerCase() as 'b'];
  return Number(match[1]) * factor;
}
