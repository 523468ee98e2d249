import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { spawnWithLogs } from './loggedProcess';

/** The built service entry point (this file runs from scripts/lib or dist/scripts/lib). */
const entry = path.resolve(
  __dirname,
  __dirname.includes(`${path.sep}dist${path.sep}`) ? '../..' : '../../dist',
  'src',
  'index.js',
);

/** A real sam2-service process (the built dist/), on an ephemeral port, with its JSON log captured. */
export interface ServiceProcess {
  url: string;
  port: number;
  /** Every stdout/stderr line so far (JSON log lines). */
  logs: string[];
  child: ChildProcess;
  stop(): Promise<void>;
  /** Resolves once GET /readyz answers 200; otherwise, after `timeoutMs`, ends the process and rejects. */
  waitReady(timeoutMs?: number): Promise<void>;
}

/**
 * Starts the service with a clean environment plus `env` (SAM2_MODEL_DIR is required; the first-start
 * download is off unless `env` turns it on), in `options.cwd`
 * (default: this process's working directory).
 */
export async function startServiceProcess(
  env: Record<string, string>,
  options: { cwd?: string } = {},
): Promise<ServiceProcess> {
  const { child, logs } = spawnWithLogs(
    entry,
    {
      SAM2_HOST: '127.0.0.1',
      SAM2_PORT: '0',
      SAM2_LOG_LEVEL: 'info',
      SAM2_WORKERS: '1',
      SAM2_THREADS: '1',
      // Tests never reach the real hub; the first-start download tests turn it on with a fake hub.
      SAM2_MODEL_AUTO_FETCH: 'false',
      ...env,
    },
    options,
  );

  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`service did not start:\n${logs.join('\n')}`)), 20000);
    const check = setInterval(() => {
      for (const line of logs) {
        const match = /listening on http:\/\/[^:]+:(\d+)/.exec(line);
        if (match) {
          clearInterval(check);
          clearTimeout(timer);
          resolve(Number(match[1]));
          return;
        }
      }
    }, 20);
    child.once('exit', (code) => {
      clearInterval(check);
      clearTimeout(timer);
      reject(new Error(`service exited with ${code}:\n${logs.join('\n')}`));
    });
  }).catch((err: unknown) => {
    // A service that did not come up must not stay behind (or keep its pipes open) after the caller gives up.
    kill(child);
    throw err;
  });
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    port,
    logs,
    child,
    async waitReady(timeoutMs = 30000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const res = await fetch(`${url}/readyz`).catch(() => undefined);
        if (res?.status === 200) return;
        await new Promise((r) => setTimeout(r, 50));
      }
      const error = new Error(`service not ready after ${timeoutMs} ms:\n${logs.join('\n')}`);
      kill(child);
      throw error;
    },
    stop() {
      return new Promise((resolve) => {
        if (exited(child)) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      });
    },
  };
}

/** Whether the process has ended (by exit code, or by a signal: then exitCode stays null). */
function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** Ends the process at once and stops capturing its output. */
function kill(child: ChildProcess): void {
  if (!exited(child)) child.kill('SIGKILL');
  child.stdout?.destroy();
  child.stderr?.destroy();
}

/** POSTs JSON to the segmentation endpoint and returns status, headers and parsed body. */
export async function postSegment(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- callers inspect arbitrary JSON
): Promise<{ status: number; headers: Headers; body: any }> {
  const res = await fetch(`${url}/api/segmentation/sam2`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // keep the text
  }
  return { status: res.status, headers: res.headers, body: parsed };
}
