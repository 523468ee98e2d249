import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A stand-in for the SAM2 service that can hang, to test what a real service cannot do on demand. */
export interface FakeUpstream {
  url: string;
  connections: number;
  /** Requests whose client (the proxy) went away before an answer was sent. */
  abandoned: number;
  requests: { method: string; url: string; headers: http.IncomingHttpHeaders; body: string }[];
  close(): Promise<void>;
}

export async function startFakeUpstream(behaviour: 'hang' | 'ok'): Promise<FakeUpstream> {
  const state = { connections: 0, abandoned: 0, requests: [] as FakeUpstream['requests'] };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      state.requests.push({
        method: req.method!,
        url: req.url!,
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      });
      if (behaviour === 'ok') {
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify({ ready: true, state: 'ready' }));
      }
    });
    res.on('close', () => {
      if (!res.writableFinished) state.abandoned++;
    });
  });
  server.on('connection', () => state.connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get connections() {
      return state.connections;
    },
    get abandoned() {
      return state.abandoned;
    },
    requests: state.requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
