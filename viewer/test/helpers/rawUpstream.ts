import net from 'node:net';
import type { AddressInfo } from 'node:net';

/** One request head as it arrived on the wire. */
export interface RawRequest {
  connection: number;
  requestLine: string;
  headers: Record<string, string>;
}

/**
 * A SAM2 service stand-in on a plain TCP server that misbehaves like the service did before it closed
 * connections after body errors: a request with a body gets a `413` after `readLimit` body bytes, and the
 * rest of the body is never read (the socket is paused), so any later request on that connection is never
 * answered. Bodyless requests get `200 {"ready": true}`. `closeHeader` adds `Connection: close` to the 413
 * while still leaving the socket open (the proxy must not trust the peer to close it).
 */
export interface RawUpstream {
  url: string;
  requests: RawRequest[];
  connections: number;
  close(): Promise<void>;
}

export async function startRawUpstream(opts: {
  readLimit: number;
  closeHeader?: boolean;
  /** Answer the 413 this long after the limit (a parser that decompresses first answers late). */
  answerDelayMs?: number;
}): Promise<RawUpstream> {
  const state = { requests: [] as RawRequest[], connections: 0 };
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    const connection = ++state.connections;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffered = Buffer.alloc(0);
    let bodyBytes = -1; // -1: reading a request head
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (bodyBytes === -1) {
        const end = buffered.indexOf('\r\n\r\n');
        if (end === -1) return;
        const [requestLine, ...lines] = buffered.subarray(0, end).toString('latin1').split('\r\n');
        buffered = buffered.subarray(end + 4);
        const headers = Object.fromEntries(
          lines.map((l) => [
            l.slice(0, l.indexOf(':')).trim().toLowerCase(),
            l.slice(l.indexOf(':') + 1).trim(),
          ]),
        );
        state.requests.push({ connection, requestLine, headers });
        if (headers['content-length'] === undefined && headers['transfer-encoding'] === undefined) {
          const body = '{"ready":true,"state":"ready"}';
          socket.write(
            `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
          );
          continue;
        }
        bodyBytes = 0;
      }
      bodyBytes += buffered.length;
      buffered = Buffer.alloc(0);
      if (bodyBytes >= opts.readLimit) {
        const body = '{"error":{"code":"PAYLOAD_TOO_LARGE","message":"too large","details":{}}}';
        socket.pause(); // never reads the rest, never answers another request here
        socket.removeAllListeners('data');
        setTimeout(() => {
          socket.write(
            'HTTP/1.1 413 Payload Too Large\r\nContent-Type: application/json\r\n' +
              `Content-Length: ${body.length}\r\n${opts.closeHeader ? 'Connection: close\r\n' : ''}\r\n${body}`,
          );
        }, opts.answerDelayMs ?? 0);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: state.requests,
    get connections() {
      return state.connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * Sends one raw HTTP/1.1 request on a new connection and resolves with the status line and body of the
 * answer, or the text `no answer` after `timeoutMs`.
 */
export function rawRequest(url: string, head: string, body?: Buffer, timeoutMs = 10000): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect(Number(port), hostname);
    let answer = '';
    const done = (text: string) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(text);
    };
    const timer = setTimeout(() => done('no answer'), timeoutMs);
    socket.on('error', () => done(answer || 'connection error'));
    socket.on('data', (d: Buffer) => {
      answer += d.toString('latin1');
      const headEnd = answer.indexOf('\r\n\r\n');
      const length = /\r\ncontent-length: *(\d+)/i.exec(answer);
      if (headEnd !== -1 && length && answer.length >= headEnd + 4 + Number(length[1])) {
        done(`${answer.split('\r\n')[0]}\n${answer.slice(headEnd + 4)}`);
      }
    });
    socket.write(head);
    if (body) socket.write(body);
  });
}
