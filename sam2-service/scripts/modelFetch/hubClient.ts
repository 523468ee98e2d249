/**
 * Minimal Hugging Face Hub client: file metadata of one repo revision, and download URLs.
 *
 * `GET {hub}/api/models/{repo}/revision/{rev}?blobs=true` returns
 * `{ sha, siblings: [{ rfilename, size, blobId, lfs?: { sha256, size, pointerSize } }] }`.
 * The LFS sha256 is the hash of the file content, so it is what downloads are verified against.
 */
import { z } from 'zod';

export type FetchFn = typeof fetch;

export interface HubFileInfo {
  /** Path inside the repo. */
  path: string;
  size: number;
  /** Content sha256 (hex), known for LFS/Xet-stored files. */
  sha256?: string;
  /** Git blob id (sha1 of `blob <size>\0<content>`), the only hash the hub gives for plain git files. */
  gitBlobId?: string;
}

export interface RepoMetadata {
  repo: string;
  revision: string;
  /** Commit the revision resolved to, when the hub says. */
  commit?: string;
  files: Map<string, HubFileInfo>;
}

export interface HubRequestOptions {
  hubUrl: string;
  token?: string;
  fetchImpl?: FetchFn;
  /** Extra attempts on network errors and 5xx answers. */
  retries?: number;
  retryDelayMs?: number;
  timeoutMs?: number;
}

/** A hub answer that retrying will not fix (404, 401, bad JSON, ...). */
export class HubError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'HubError';
  }
}

const hex64 = /^[0-9a-f]{64}$/i;

const siblingSchema = z.object({
  rfilename: z.string(),
  size: z.number().int().nonnegative().optional(),
  blobId: z.string().optional(),
  lfs: z.object({ sha256: z.string().regex(hex64), size: z.number().int().nonnegative() }).nullish(),
});

const modelInfoSchema = z.object({
  sha: z.string().optional(),
  siblings: z.array(siblingSchema),
});

export function normalizeHubUrl(hubUrl: string): string {
  return hubUrl.replace(/\/+$/, '');
}

/** Revisions may contain `/` (e.g. `refs/pr/1`); the hub wants them as one encoded segment. */
function encodeRevision(revision: string): string {
  return encodeURIComponent(revision);
}

function encodeRepoPath(p: string): string {
  return p.split('/').map(encodeURIComponent).join('/');
}

export function metadataUrl(hubUrl: string, repo: string, revision: string): string {
  return `${normalizeHubUrl(hubUrl)}/api/models/${repo}/revision/${encodeRevision(revision)}?blobs=true`;
}

export function resolveUrl(hubUrl: string, repo: string, revision: string, filePath: string): string {
  return `${normalizeHubUrl(hubUrl)}/${repo}/resolve/${encodeRevision(revision)}/${encodeRepoPath(filePath)}`;
}

export function authHeaders(token: string | undefined): Record<string, string> {
  return token ? { Authorization: `Bearer ${token}` } : {};
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  // undici wraps the socket error ("other side closed", ECONNRESET) in a bare "fetch failed"/"terminated".
  const cause = (err as { cause?: unknown }).cause;
  const causeText = cause instanceof Error ? cause.message : typeof cause === 'string' ? cause : '';
  return causeText && !err.message.includes(causeText) ? `${err.message} (${causeText})` : err.message;
}

/** Looks up size and hashes of every file in `repo` at `revision`. */
export async function fetchRepoMetadata(
  repo: string,
  revision: string,
  opts: HubRequestOptions,
): Promise<RepoMetadata> {
  const url = metadataUrl(opts.hubUrl, repo, revision);
  const fetchImpl = opts.fetchImpl ?? fetch;
  const retries = opts.retries ?? 2;
  let lastError: unknown;
  for (let attempt = 0; attempt <= retries; attempt++) {
    if (attempt > 0) await sleep((opts.retryDelayMs ?? 1000) * 2 ** (attempt - 1));
    let res: Response;
    try {
      res = await fetchImpl(url, {
        headers: { Accept: 'application/json', ...authHeaders(opts.token) },
        signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000),
      });
    } catch (err) {
      lastError = new Error(`cannot reach ${url}: ${describeError(err)}`);
      continue;
    }
    if (res.status >= 500) {
      await res.body?.cancel();
      lastError = new Error(`hub answered ${res.status} for ${url}`);
      continue;
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw new HubError(explainStatus(res.status, repo, revision, opts.token !== undefined), res.status);
    }
    let body: unknown;
    try {
      body = await res.json();
    } catch (err) {
      throw new HubError(`hub metadata for ${repo}@${revision} is not JSON: ${describeError(err)}`);
    }
    return parseModelInfo(repo, revision, body);
  }
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
}

function explainStatus(status: number, repo: string, revision: string, hasToken: boolean): string {
  const where = `${repo}@${revision}`;
  if (status === 401 || status === 403) {
    return hasToken
      ? `hub refused access to ${where} (${status}); check SAM2_HUB_TOKEN`
      : `hub refused access to ${where} (${status}); the repo may be gated or private, set SAM2_HUB_TOKEN`;
  }
  if (status === 404) return `repo or revision not found on the hub: ${where} (404)`;
  return `hub answered ${status} for ${where}`;
}

export function parseModelInfo(repo: string, revision: string, body: unknown): RepoMetadata {
  const parsed = modelInfoSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new HubError(
      `unexpected hub metadata for ${repo}@${revision}: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim(),
    );
  }
  const files = new Map<string, HubFileInfo>();
  for (const s of parsed.data.siblings) {
    const size = s.lfs?.size ?? s.size;
    if (size === undefined) continue; // listed without ?blobs=true details: nothing to verify against
    files.set(s.rfilename, {
      path: s.rfilename,
      size,
      sha256: s.lfs?.sha256.toLowerCase(),
      // For an LFS file the blob id hashes the pointer, not the content, so it is only kept for plain files.
      gitBlobId: s.lfs ? undefined : s.blobId,
    });
  }
  return { repo, revision, commit: parsed.data.sha, files };
}
