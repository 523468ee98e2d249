/**
 * The SIGTERM-with-work-in-progress scenario that both servers (the service and the viewer server, each
 * stopping through @ohif-sam2/http-shutdown) must pass, run against a real process over raw TCP.
 */
import type { ChildProcess } from 'node:child_process';
import net from 'node:net';
import { settleWithin } from './settleWithin';

/** A running server process: where it listens, its captured log lines, the process itself. */
export interface ServerUnderTest {
  url: string;
  logs: string[];
  child: ChildProcess;
}

export interface ShutdownScenario {
  /** A GET path answered at once (its connection then stays idle, kept alive). */
  idlePath: string;
  /** A GET path whose request head is only half sent (a stalled client). */
  stalledPath: string;
  /** A segmentation request body (JSON) that is half sent when SIGTERM arrives. */
  segmentationBody: Buffer;
}

/** A raw connection that collects what the server sends and notes when it is closed. */
function connect(url: string) {
  const { port } = new URL(url);
  const socket = net.connect(Number(port), '127.0.0.1');
  const state = { received: '', closed: false };
  socket.on('data', (d: Buffer) => (state.received += d.toString('latin1')));
  socket.on('close', () => (state.closed = true));
  socket.on('error', () => undefined);
  const connected = new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return { socket, state, connected };
}

async function until(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  return check();
}

/**
 * Sends SIGTERM to `server` while one connection is idle, one stalls mid-request and one segmentation is
 * in flight; expects the one in flight answered (200, `Connection: close`), the idle one closed at once,
 * the stalled one closed at the shutdown deadline (logged), and the process to exit with 0.
 */
export async function expectGracefulShutdown(
  server: ServerUnderTest,
  scenario: ShutdownScenario,
): Promise<void> {
  // An idle keep-alive connection (one answered request).
  const idle = connect(server.url);
  await idle.connected;
  idle.socket.write(`GET ${scenario.idlePath} HTTP/1.1\r\nHost: sam2\r\n\r\n`);
  expect(await until(() => idle.state.received.includes('\r\n\r\n'), 10000)).toBe(true);

  // A slow client: half a request head, then nothing.
  const stalled = connect(server.url);
  await stalled.connected;
  stalled.socket.write(`GET ${scenario.stalledPath} HTTP/1.1\r\nHost: sam2\r\n`);

  // A segmentation in flight: its body is only half sent when SIGTERM arrives.
  const body = scenario.segmentationBody;
  const inFlight = connect(server.url);
  await inFlight.connected;
  inFlight.socket.write(
    'POST /api/segmentation/sam2 HTTP/1.1\r\nHost: sam2\r\nContent-Type: application/json\r\n' +
      `Content-Length: ${body.length}\r\n\r\n`,
  );
  inFlight.socket.write(body.subarray(0, body.length >> 1));
  await new Promise((r) => setTimeout(r, 200));

  const exited = new Promise<number | null>((resolve) => server.child.once('exit', (code) => resolve(code)));
  server.child.kill('SIGTERM');
  expect(await until(() => server.logs.some((l) => l.includes('shutting down')), 10000)).toBe(true);

  expect(await until(() => idle.state.closed, 5000)).toBe(true);
  inFlight.socket.write(body.subarray(body.length >> 1));
  expect(await until(() => inFlight.state.received.includes('"masks"'), 15000)).toBe(true);
  expect(inFlight.state.received).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
  expect(inFlight.state.received).toMatch(/\r\nConnection: close\r\n/i);

  // Generous bound: without the deadline the stalled client kept the process for a minute or more.
  expect(await settleWithin(exited, 20000)).toBe(0);
  expect(stalled.state.closed).toBe(true);
  expect(server.logs.join('\n')).toMatch(/closed connections still open at the shutdown deadline/);
}
