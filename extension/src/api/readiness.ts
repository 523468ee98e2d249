/** GET /readyz: is the service able to segment right now (docs/api.md "Health, readiness")? */
export interface Readiness {
  ready: boolean;
  /** `ready`, `downloading`, `loading`, `unavailable`, `disabled`, or `unreachable` when there was no answer. */
  state: string;
  reason?: string;
  /** While `state` is `downloading`: the first-start model download's progress (0–100). */
  downloadPercent?: number;
}

export async function checkReadiness(
  url: string,
  { timeoutMs = 5000, fetchImpl }: { timeoutMs?: number; fetchImpl?: typeof fetch } = {},
): Promise<Readiness> {
  const doFetch = fetchImpl ?? globalThis.fetch.bind(globalThis);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const res = await doFetch(url, { signal: controller.signal, cache: 'no-store' });
    let body: Partial<Readiness> & {
      error?: { code?: string; message?: string };
      download?: { percent?: unknown };
    } = {};
    try {
      body = (await res.json()) as typeof body;
    } catch {
      // A proxy error page: no body to read.
    }
    if (typeof body.ready !== 'boolean') {
      // Not the service's answer: a proxy that cannot reach it (or a misrouted path answering HTML).
      return { ready: false, state: 'unreachable', reason: body.error?.message ?? `HTTP ${res.status}` };
    }
    if (body.ready) return { ready: true, state: body.state ?? 'ready' };
    return {
      ready: false,
      state: typeof body.state === 'string' ? body.state : 'unavailable',
      reason: typeof body.reason === 'string' ? body.reason : `HTTP ${res.status}`,
      ...(typeof body.download?.percent === 'number' ? { downloadPercent: body.download.percent } : {}),
    };
  } catch (e) {
    return { ready: false, state: 'unreachable', reason: (e as Error).message };
  } finally {
    clearTimeout(timer);
  }
}
