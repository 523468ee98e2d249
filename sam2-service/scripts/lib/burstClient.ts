/**
 * One "user" of the bench's burst, in a process of its own (child_process.fork): reads its prebuilt
 * request bodies from files, makes one request to /healthz (so the HTTP client is loaded), says `ready`,
 * and on `go` sends them all at once, then reports each answer's timing and exits. Separate processes
 * keep the bench's own event loop (130 uploads of ~700 KB from one process on 2 cores) out of the
 * figures.
 *
 * Protocol (process.send): parent → child `{type:'start', url, files}`, `{type:'go'}`;
 * child → parent `{type:'ready'}`, `{type:'done', answers: BurstAnswer[]}`.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { performance } from 'node:perf_hooks';

/** What one burst request got, as this client saw it. */
export interface BurstAnswer {
  /** HTTP status; 0 when the request failed (then `error` says how). */
  status: number;
  /** ms from starting the request to the response headers, and to the whole answer. */
  headersMs: number;
  ms: number;
  /** ms from starting the request until its whole body was handed to the socket. */
  uploadMs: number;
  /** ms from starting the request until its TCP connection was established. */
  connectMs: number;
  /** `dur` of the answer's `Server-Timing: app;dur=…` header: the service's own time, ms. */
  serviceMs?: number;
  retryAfter?: string;
  /** The request error's code (e.g. `ECONNRESET`): an answer this client never saw. */
  error?: string;
}

type FromParent = { type: 'start'; url: string; files: string[] } | { type: 'go' };

/** The `dur` of the first metric of a Server-Timing header (W3C Server Timing), in ms. */
export function serverTimingMs(header: string | string[] | null | undefined): number | undefined {
  const match = header ? /dur=([\d.]+)/.exec(String(header)) : null;
  return match ? Number(match[1]) : undefined;
}

/**
 * POSTs `body` on a connection of its own with node:http, which (like a browser's network stack, and
 * unlike Node's fetch, which reads nothing before its whole body is sent) takes the answer as soon as
 * it comes, while the body may still be uploading.
 */
function send(url: string, body: Buffer): Promise<BurstAnswer> {
  const start = performance.now();
  const since = () => performance.now() - start;
  return new Promise((resolve) => {
    let headersMs = 0;
    let uploadMs = Number.NaN;
    let connectMs = Number.NaN;
    const req = http.request(`${url}/api/segmentation/sam2`, {
      method: 'POST',
      agent: false,
      headers: { 'Content-Type': 'application/json', 'Content-Length': body.length },
    });
    req.once('finish', () => (uploadMs = since()));
    req.once('socket', (socket) => socket.once('connect', () => (connectMs = since())));
    req.once('response', (res) => {
      headersMs = since();
      res.resume();
      res.once('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headersMs,
          ms: since(),
          uploadMs,
          connectMs,
          serviceMs: serverTimingMs(res.headers['server-timing']),
          ...(res.headers['retry-after'] ? { retryAfter: String(res.headers['retry-after']) } : {}),
        }),
      );
    });
    req.once('error', (error: Error & { code?: string }) =>
      resolve({ status: 0, headersMs, ms: since(), uploadMs, connectMs, error: error.code ?? error.message }),
    );
    req.end(body);
  });
}

function main(): void {
  let bodies: Buffer[] = [];
  let url = '';
  process.on('message', (message: FromParent) => {
    if (message.type === 'start') {
      url = message.url;
      bodies = message.files.map((f) => readFileSync(f));
      // One request before the timed part: the HTTP client code is loaded and compiled.
      const ready = () => process.send!({ type: 'ready' });
      http
        .get(`${url}/healthz`, (res) => {
          res.resume();
          res.once('end', ready);
        })
        .once('error', ready); // the burst's own requests will record what is wrong
    } else {
      void Promise.all(bodies.map((b) => send(url, b))).then((answers) => {
        process.send!({ type: 'done', answers }, () => process.exit(0));
      });
    }
  });
}

if (require.main === module) main();
