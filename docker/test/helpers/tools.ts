import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

const extraDirs = ['/usr/local/sbin', '/usr/sbin', '/sbin'];

/** Absolute path of an executable on PATH (or in the sbin directories, where nginx and Orthanc live). */
export function findTool(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean), ...extraDirs];
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** A file that must exist (e.g. a plugin); undefined when it does not. */
export function findFile(file: string): string | undefined {
  try {
    accessSync(file, constants.R_OK);
    return file;
  } catch {
    return undefined;
  }
}

/** python3 when it can `import yaml` (PyYAML parses docker-compose's YAML output for the tests). */
export function findPythonWithYaml(): string | undefined {
  const python = findTool('python3');
  if (!python) return undefined;
  return spawnSync(python, ['-c', 'import yaml'], { stdio: 'ignore' }).status === 0 ? python : undefined;
}

/** Tools the deployment tests use, with the Debian package that provides each. */
export const deployTools = {
  'docker-compose': { find: () => findTool('docker-compose'), apt: 'docker-compose' },
  python3yaml: { find: findPythonWithYaml, apt: 'python3-yaml (a dependency of docker-compose)' },
  nginx: { find: () => findTool('nginx'), apt: 'nginx' },
  envsubst: { find: () => findTool('envsubst'), apt: 'gettext-base' },
  Orthanc: { find: () => findTool('Orthanc'), apt: 'orthanc' },
  dicomweb: {
    find: () => findFile('/usr/share/orthanc/plugins/libOrthancDicomWeb.so'),
    apt: 'orthanc-dicomweb',
  },
  promtool: { find: () => findTool('promtool'), apt: 'prometheus' },
} as const;

export type DeployTool = keyof typeof deployTools;

/** The tools of `names` that are missing, as "name (apt-get install -y package)". */
export function missingTools(names: DeployTool[]): string[] {
  return names
    .filter((n) => !deployTools[n].find())
    .map((n) => `${n} (apt-get install -y ${deployTools[n].apt})`);
}

/**
 * `describe` when every tool is installed; otherwise `describe.skip`, with one warning line naming what is
 * missing and how to install it.
 */
export function describeWithTools(title: string, names: DeployTool[], fn: () => void): void {
  const missing = missingTools(names);
  if (missing.length === 0) {
    describe(title, fn);
    return;
  }
  console.warn(`SKIPPED "${title}": missing ${missing.join(', ')}`);
  describe.skip(title, fn);
}
