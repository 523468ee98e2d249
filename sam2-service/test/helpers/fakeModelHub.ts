/**
 * A real local HTTP server that imitates the parts of the Hugging Face Hub that model:fetch uses:
 *
 *   GET /api/models/{owner}/{name}/revision/{rev}?blobs=true   file metadata (siblings[].lfs.sha256)
 *   GET /{owner}/{name}/resolve/{rev}/{path}                    file bytes, with HTTP Range support
 *
 * Each repo has commits; `main` points at the newest and can move (pushCommit, moveMainAfterNextMetadata),
 * as a branch on the real hub moves when the owner pushes.
 * Switches make it misbehave the way real networks and servers do: ignore Range, cut the connection
 * mid-body, serve corrupted bytes, answer with an error status, redirect to a "CDN" path.
 * Every request is recorded for assertions.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  kind: 'api' | 'resolve' | 'cdn' | 'other';
  /** Decoded repo path for resolve/cdn requests. */
  file?: string;
  url: string;
  range?: string;
  authorization?: string;
  status: number;
}

interface HubFile {
  data: Buffer;
  lfs: boolean;
}

interface HubRepo {
  /** Commit `main` points at. */
  commit: string;
  /** Files of `main`. */
  files: Map<string, HubFile>;
  commits: Map<string, Map<string, HubFile>>;
}

/** Deterministic filler so a failing test can be rerun byte for byte. */
export function pseudoRandomBytes(size: number, seed: number): Buffer {
  const buf = Buffer.alloc(size);
  let x = seed >>> 0 || 0x9e3779b9;
  for (let i = 0; i + 4 <= size; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    buf.writeUInt32LE(x >>> 0, i);
  }
  for (let i = size - (size % 4); i < size; i++) buf[i] = i & 0xff;
  return buf;
}

export const sha256Hex = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

function gitBlobId(data: Buffer): string {
  return createHash('sha1').update(`blob ${data.length}\0`).update(data).digest('hex');
}

function lfsPointer(data: Buffer): Buffer {
  return Buffer.from(
    `version https://git-lfs.github.com/spec/v1\noid sha256:${sha256Hex(data)}\nsize ${data.length}\n`,
  );
}

function toFiles(files: Record<string, Buffer>, plainGit: string[] = []): Map<string, HubFile> {
  return new Map(Object.entries(files).map(([p, data]) => [p, { data, lfs: !plainGit.includes(p) }]));
}

function flipMiddleByte(bytes: Buffer): Buffer {
  const data = Buffer.from(bytes);
  data[Math.floor(data.length / 2)] ^= 0xff;
  return data;
}

export class FakeModelHub {
  /** Base URL, e.g. http://127.0.0.1:43123 */
  url = '';
  readonly requests: RecordedRequest[] = [];
  /** Answer Range requests with a full 200, like servers without range support. */
  ignoreRange = false;
  /** Send resolve requests through a 302 to /cdn/..., as the real hub does for LFS files. */
  redirectToCdn = false;
  /** When set, file requests without `Authorization: Bearer <token>` get 401. */
  requiredToken: string | undefined;
  /** When set, file bodies are sent at about this many bytes per second (a slow link). */
  throttleBytesPerSecond: number | undefined;

  private readonly repos = new Map<string, HubRepo>();
  private pendingPush: { repo: string; files: Record<string, Buffer>; commit: string } | undefined;
  private readonly corrupt = new Set<string>();
  private cut: { afterBytes: number; remaining: number; stall: boolean; file?: string } | undefined;
  private failure: { status: number; remaining: number } | undefined;
  private readonly server: http.Server;

  private constructor() {
    this.server = http.createServer((req, res) => this.handle(req, res));
  }

  static async start(): Promise<FakeModelHub> {
    const hub = new FakeModelHub();
    await new Promise<void>((resolve) => hub.server.listen(0, '127.0.0.1', resolve));
    const { port } = hub.server.address() as AddressInfo;
    hub.url = `http://127.0.0.1:${port}`;
    return hub;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Publishes `files` (repo path → bytes) as `repo` at revision `main` and at `commit`. */
  addRepo(
    repo: string,
    files: Record<string, Buffer>,
    opts: { commit?: string; plainGit?: string[] } = {},
  ): void {
    const commit = opts.commit ?? createHash('sha1').update(repo).digest('hex');
    const map = toFiles(files, opts.plainGit);
    this.repos.set(repo, { commit, files: map, commits: new Map([[commit, map]]) });
  }

  /** A new commit on `main`: `main` serves `files` from now on; older commits stay reachable by sha. */
  pushCommit(repo: string, files: Record<string, Buffer>, commit: string): void {
    const found = this.repos.get(repo);
    if (!found) throw new Error(`no ${repo} on the fake hub`);
    const map = toFiles(files);
    found.commits.set(commit, map);
    found.commit = commit;
    found.files = map;
  }

  /** Push `files` as `commit` right after the next metadata answer: the branch moves under a download. */
  moveMainAfterNextMetadata(repo: string, files: Record<string, Buffer>, commit: string): void {
    this.pendingPush = { repo, files, commit };
  }

  /** Bytes of `filePath` on `main`, or at `commit`. */
  fileBytes(repo: string, filePath: string, commit?: string): Buffer {
    const found = this.repos.get(repo);
    const f = (commit ? found?.commits.get(commit) : found?.files)?.get(filePath);
    if (!f) throw new Error(`no ${repo}/${filePath} on the fake hub`);
    return f.data;
  }

  /** Serve `filePath` with one byte flipped from now on (metadata keeps the good hash). */
  corruptFile(repo: string, filePath: string): void {
    this.corrupt.add(`${repo}/${filePath}`);
  }

  /** The bytes served for a corrupted file. */
  corruptedBytes(repo: string, filePath: string): Buffer {
    return flipMiddleByte(this.fileBytes(repo, filePath));
  }

  /** Close the socket after `bytes` body bytes of the next `times` file responses (of `file` only, if given). */
  cutConnectionAfter(bytes: number, times = 1, file?: string): void {
    this.cut = { afterBytes: bytes, remaining: times, stall: false, file };
  }

  /** Send `bytes` body bytes of the next `times` file responses, then go silent with the socket open. */
  stallAfter(bytes: number, times = 1): void {
    this.cut = { afterBytes: bytes, remaining: times, stall: true };
  }

  /** Answer the next `times` file requests with `status`. */
  failNext(status: number, times = 1): void {
    this.failure = { status, remaining: times };
  }

  /** Recorded file requests (the ones that carry bytes: direct resolve or the CDN leg). */
  fileRequests(file?: string): RecordedRequest[] {
    const carrying = this.redirectToCdn ? 'cdn' : 'resolve';
    return this.requests.filter((r) => r.kind === carrying && (file === undefined || r.file === file));
  }

  private record(req: http.IncomingMessage, kind: RecordedRequest['kind'], file?: string): RecordedRequest {
    const entry: RecordedRequest = {
      method: req.method ?? 'GET',
      kind,
      file,
      url: req.url ?? '',
      range: req.headers.range,
      authorization: req.headers.authorization,
      status: 0,
    };
    this.requests.push(entry);
    return entry;
  }

  private send(res: http.ServerResponse, entry: RecordedRequest, status: number, body: string): void {
    entry.status = status;
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(body);
  }

  private findRepo(parts: string[]): { name: string; repo: HubRepo } | undefined {
    const name = `${parts[0]}/${parts[1]}`;
    const repo = this.repos.get(name);
    return repo ? { name, repo } : undefined;
  }

  /** Files of a revision: `main` or any commit sha. */
  private filesAt(repo: HubRepo, rev: string): Map<string, HubFile> | undefined {
    return rev === 'main' ? repo.files : repo.commits.get(rev);
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', this.url);
    const parts = url.pathname.split('/').slice(1);

    if (parts[0] === 'api' && parts[1] === 'models' && parts[4] === 'revision') {
      const entry = this.record(req, 'api');
      const found = this.findRepo(parts.slice(2));
      const rev = decodeURIComponent(parts.slice(5).join('/'));
      if (!found) return this.send(res, entry, 404, '{"error":"Repository not found"}');
      const files = this.filesAt(found.repo, rev);
      if (!files) return this.send(res, entry, 404, '{"error":"Invalid rev id"}');
      const commit = rev === 'main' ? found.repo.commit : rev;
      const withBlobs = url.searchParams.get('blobs') === 'true';
      const siblings = [...files].map(([rfilename, f]) => {
        if (!withBlobs) return { rfilename };
        const pointer = lfsPointer(f.data);
        return {
          rfilename,
          size: f.data.length,
          blobId: f.lfs ? gitBlobId(pointer) : gitBlobId(f.data),
          ...(f.lfs
            ? { lfs: { sha256: sha256Hex(f.data), size: f.data.length, pointerSize: pointer.length } }
            : {}),
        };
      });
      this.send(res, entry, 200, JSON.stringify({ id: found.name, sha: commit, siblings }));
      const push = this.pendingPush;
      if (push && push.repo === found.name) {
        this.pendingPush = undefined;
        this.pushCommit(push.repo, push.files, push.commit);
      }
      return;
    }

    if (parts[2] === 'resolve' && parts.length >= 5) {
      const file = parts.slice(4).map(decodeURIComponent).join('/');
      const entry = this.record(req, 'resolve', file);
      const found = this.findRepo(parts);
      const rev = decodeURIComponent(parts[3]);
      const files = found && this.filesAt(found.repo, rev);
      if (!found || !files || !files.has(file)) {
        return this.send(res, entry, 404, '{"error":"Entry not found"}');
      }
      if (!this.authorized(req)) return this.send(res, entry, 401, '{"error":"Unauthorized"}');
      if (this.redirectToCdn) {
        entry.status = 302;
        const commit = rev === 'main' ? found.repo.commit : rev;
        res.writeHead(302, {
          Location: `/cdn/${found.name}/${encodeURIComponent(file)}?commit=${commit}&expires=never`,
        });
        return void res.end();
      }
      return this.serveBytes(req, res, entry, found.name, file, files.get(file)!.data);
    }

    if (parts[0] === 'cdn' && parts.length === 4) {
      const file = decodeURIComponent(parts[3]);
      const entry = this.record(req, 'cdn', file);
      const found = this.findRepo(parts.slice(1));
      const files = found && this.filesAt(found.repo, url.searchParams.get('commit') ?? 'main');
      if (!found || !files?.has(file)) return this.send(res, entry, 404, '{"error":"Not found"}');
      return this.serveBytes(req, res, entry, found.name, file, files.get(file)!.data);
    }

    this.send(res, this.record(req, 'other'), 404, '{"error":"Not found"}');
  }

  private authorized(req: http.IncomingMessage): boolean {
    return this.requiredToken === undefined || req.headers.authorization === `Bearer ${this.requiredToken}`;
  }

  private serveBytes(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    entry: RecordedRequest,
    repo: string,
    file: string,
    bytes: Buffer,
  ): void {
    if (this.failure && this.failure.remaining > 0) {
      this.failure.remaining--;
      return this.send(res, entry, this.failure.status, '{"error":"injected failure"}');
    }
    const data = this.corrupt.has(`${repo}/${file}`) ? flipMiddleByte(bytes) : bytes;
    const total = data.length;
    let start = 0;
    let end = total - 1;
    let status = 200;
    const headers: http.OutgoingHttpHeaders = {
      'Accept-Ranges': 'bytes',
      'Content-Type': 'application/octet-stream',
      ETag: `"${sha256Hex(data)}"`,
    };
    const range = req.headers.range;
    if (range && !this.ignoreRange) {
      const m = /^bytes=(\d+)-(\d*)$/.exec(range);
      if (!m || Number(m[1]) >= total) {
        entry.status = 416;
        res.writeHead(416, { 'Content-Range': `bytes */${total}` });
        return void res.end();
      }
      start = Number(m[1]);
      end = m[2] ? Math.min(Number(m[2]), total - 1) : total - 1;
      status = 206;
      headers['Content-Range'] = `bytes ${start}-${end}/${total}`;
    }
    const body = data.subarray(start, end + 1);
    headers['Content-Length'] = body.length;
    entry.status = status;
    res.writeHead(status, headers);
    if (req.method === 'HEAD') return void res.end();
    const cutThis = this.cut && (this.cut.file === undefined || this.cut.file === file);
    if (this.cut && cutThis && this.cut.remaining > 0 && this.cut.afterBytes < body.length) {
      this.cut.remaining--;
      // Promise the full length and deliver part of it; then drop the socket (a mid-stream reset)
      // or keep it open and silent (a stalled transfer; close() ends it).
      const stall = this.cut.stall;
      res.write(body.subarray(0, this.cut.afterBytes), () => {
        if (!stall) res.destroy();
      });
      return;
    }
    if (this.throttleBytesPerSecond) return this.sendSlowly(res, body);
    res.end(body);
  }

  /** Writes `body` in 10 slices a second at the current throttle (tests may change it mid-transfer). */
  private sendSlowly(res: http.ServerResponse, body: Buffer): void {
    let offset = 0;
    const timer = setInterval(() => {
      if (res.destroyed) return clearInterval(timer);
      const rate = this.throttleBytesPerSecond ?? body.length * 10;
      const end = Math.min(offset + Math.max(1, Math.floor(rate / 10)), body.length);
      res.write(body.subarray(offset, end));
      offset = end;
      if (offset >= body.length) {
        clearInterval(timer);
        res.end();
      }
    }, 100);
    res.on('close', () => clearInterval(timer));
  }
}
