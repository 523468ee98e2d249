/**
 * SIGTERM with work in progress: the real built viewer server (in front of the real service) answers the
 * proxied request in flight, closes idle keep-alive connections at once, does not wait for a client that
 * stalls mid-request beyond VIEWER_SHUTDOWN_TIMEOUT_MS, and exits.
 */
import net from 'node:net';
import { discSliceBody, startSam2Service } from './helpers/sam2Service';
import { startViewerProcess } from './helpers/viewerProcess';

const deadlineMs = 3000;

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

describe('shutdown on SIGTERM', () => {
  it('answers the request in flight with Connection: close, drops idle and stalled clients, exits in time', async () => {
    const sam2 = await startSam2Service();
    const service = await startViewerProcess({
      SAM2_SERVICE_URL: sam2.url,
      VIEWER_SHUTDOWN_TIMEOUT_MS: String(deadlineMs),
      VIEWER_CACHE_DIR: process.env.VIEWER_CACHE_DIR ?? '',
    });
    try {
      // An idle keep-alive connection (one answered request).
      const idle = connect(service.url);
      await idle.connected;
      idle.socket.write('GET /app-config.js HTTP/1.1\r\nHost: sam2\r\n\r\n');
      expect(await until(() => idle.state.received.includes('\r\n\r\n'), 10000)).toBe(true);

      // A slow client: half a request head, then nothing.
      const stalled = connect(service.url);
      await stalled.connected;
      stalled.socket.write('GET /local HTTP/1.1\r\nHost: sam2\r\n');

      // A segmentation in flight: its body is only half sent when SIGTERM arrives.
      const body = Buffer.from(JSON.stringify(discSliceBody()));
      const inFlight = connect(service.url);
      await inFlight.connected;
      inFlight.socket.write(
        'POST /api/segmentation/sam2 HTTP/1.1\r\nHost: sam2\r\nContent-Type: application/json\r\n' +
          `Content-Length: ${body.length}\r\n\r\n`,
      );
      inFlight.socket.write(body.subarray(0, body.length >> 1));
      await new Promise((r) => setTimeout(r, 200));

      const exited = new Promise<number | null>((resolve) =>
        service.child.once('exit', (code) => resolve(code)),
      );
      service.child.kill('SIGTERM');
      expect(await until(() => service.logs.some((l) => l.includes('shutting down')), 10000)).toBe(true);

      expect(await until(() => idle.state.closed, 5000)).toBe(true);
      inFlight.socket.write(body.subarray(body.length >> 1));
      expect(await until(() => inFlight.state.received.includes('"masks"'), 15000)).toBe(true);
      expect(inFlight.state.received).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
      expect(inFlight.state.received).toMatch(/\r\nConnection: close\r\n/i);

      // Generous bound: without the deadline the stalled client kept the process for a minute or more.
      let timer: NodeJS.Timeout | undefined;
      const code = await Promise.race([
        exited,
        new Promise((r) => (timer = setTimeout(() => r('still running'), 20000))),
      ]);
      clearTimeout(timer);
      expect(code).toBe(0);
      expect(stalled.state.closed).toBe(true);
      expect(service.logs.join('\n')).toMatch(/closed connections still open at the shutdown deadline/);
    } finally {
      await service.stop();
      await sam2.stop();
    }
  });
});
