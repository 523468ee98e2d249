import { type ChildProcess, spawn } from 'node:child_process';

/** A Node process started with exactly `env` (plus PATH), its stdout and stderr collected as lines. */
export interface LoggedProcess {
  child: ChildProcess;
  /** Every complete stdout/stderr line so far (the services log one JSON object a line). */
  logs: string[];
}

export function spawnWithLogs(
  entry: string,
  env: Record<string, string>,
  options: { cwd?: string } = {},
): LoggedProcess {
  const child = spawn(process.execPath, [entry], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  let buffered = '';
  const onData = (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    logs.push(...lines.filter(Boolean));
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  return { child, logs };
}
