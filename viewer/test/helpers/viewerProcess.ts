import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { spawnWithLogs } from '../../../sam2-service/scripts/lib/loggedProcess';

/** The built viewer server entry point. */
const entry = path.resolve(__dirname, '..', '..', 'dist', 'src', 'index.js');

/** A real viewer server process (the built dist/), on an ephemeral port, with its JSON log captured. */
export interface ViewerProcess {
  url: string;
  port: number;
  /** Every stdout/stderr line so far (JSON log lines). */
  logs: string[];
  child: ChildProcess;
  /** Resolves with the first log line (parsed) for which `match` is true. */
  waitForLog(
    match: (line: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

function parse(line: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** Starts the viewer with a clean environment plus `env`; resolves once it listens. */
export async function startViewerProcess(env: Record<string, string> = {}): Promise<ViewerProcess> {
  const { child, logs } = spawnWithLogs(entry, { VIEWER_HOST: '127.0.0.1', VIEWER_PORT: '0', ...env });

  const waitForLog = (match: (line: Record<string, unknown>) => boolean, timeoutMs = 60000) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => {
        clearInterval(check);
        reject(new Error(`log line not seen within ${timeoutMs} ms:\n${logs.join('\n')}`));
      }, timeoutMs);
      const check = setInterval(() => {
        for (const line of logs) {
          const parsed = parse(line);
          if (parsed && match(parsed)) {
            clearInterval(check);
            clearTimeout(timer);
            resolve(parsed);
            return;
          }
        }
        if (child.exitCode !== null) {
          clearInterval(check);
          clearTimeout(timer);
          reject(new Error(`viewer exited with ${child.exitCode}:\n${logs.join('\n')}`));
        }
      }, 20);
    });

  let listening: Record<string, unknown>;
  try {
    listening = await waitForLog(
      (l) => typeof l.msg === 'string' && l.msg.startsWith('OHIF viewer listening'),
    );
  } catch (error) {
    // Never leave a half-started server behind.
    child.kill('SIGKILL');
    throw error;
  }
  const port = Number(listening.port);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    logs,
    child,
    waitForLog,
    stop() {
      return new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      });
    },
  };
}
