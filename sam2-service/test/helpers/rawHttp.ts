import net from 'node:net';

/** What came back on one raw TCP connection. */
export interface RawExchange {
  /** Everything the server sent, as latin1 text (status lines, headers, bodies). */
  text: string;
  /** True if the server closed the connection before `waitMs` ran out. */
  closedByServer: boolean;
  /** Status codes of the responses in `text`, in order (100 Continue included). */
  statuses: number[];
}

export interface RawOptions {
  /** Give up (and report the connection as still open) after this long. */
  waitMs: number;
  /** Called with the socket once connected, after the first write; may write more (e.g. after a 100). */
  onData?: (socket: net.Socket, textSoFar: string) => void;
}

/**
 * Writes `request` bytes on a fresh connection to 127.0.0.1:`port` and collects the answer until the
 * server closes the connection or `waitMs` passes. A reset after the server has answered is normal for
 * a refused body and is reported as a close.
 */
export function rawExchange(
  port: number,
  request: Buffer | string,
  options: RawOptions,
): Promise<RawExchange> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    let done = false;
    const finish = (closedByServer: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ text, closedByServer, statuses: statusesOf(text) });
    };
    const timer = setTimeout(() => finish(false), options.waitMs);
    socket.on('data', (chunk) => {
      text += chunk.toString('latin1');
      options.onData?.(socket, text);
    });
    socket.on('end', () => finish(true));
    socket.on('close', () => finish(true));
    socket.on('error', () => finish(true));
    socket.on('connect', () => socket.write(request));
  });
}

function statusesOf(text: string): number[] {
  return [...text.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1]));
}

/** The headers of the first response in `text` whose status is `status`, keys lower-cased. */
export function headersOf(text: string, status: number): Record<string, string> {
  const start = text.indexOf(`HTTP/1.1 ${status} `);
  if (start < 0) return {};
  const end = text.indexOf('\r\n\r\n', start);
  const lines = text
    .slice(start, end < 0 ? undefined : end)
    .split('\r\n')
    .slice(1);
  return Object.fromEntries(
    lines.map((line) => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()];
    }),
  );
}

/** A request head (request line and headers) ending in the blank line. */
export function requestHead(method: string, path: string, headers: Record<string, string | number>): string {
  const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}`);
  return [`${method} ${path} HTTP/1.1`, 'Host: 127.0.0.1', ...lines, '', ''].join('\r\n');
}

/** `data` as HTTP/1.1 chunked transfer coding in chunks of `chunkBytes`, with the terminating chunk. */
export function chunked(data: Buffer, chunkBytes = 16384): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; i < data.length; i += chunkBytes) {
    const chunk = data.subarray(i, i + chunkBytes);
    parts.push(Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from('0\r\n\r\n'));
  return Buffer.concat(parts);
}
