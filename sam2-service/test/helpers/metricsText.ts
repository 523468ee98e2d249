/** Reads one sample of a Prometheus text exposition (0 when the series is absent). */
export async function metricValue(
  url: string,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const labelText = /\{([^}]*)\}/.exec(line)?.[1] ?? '';
    if (wanted.every((w) => labelText.split(',').includes(w))) return Number(line.split(' ').pop());
  }
  return 0;
}

/** What postJson returns; `body` is whatever JSON came back. */
export interface JsonAnswer {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- callers inspect arbitrary JSON
  body: any;
  /** Time from sending to the full answer. */
  ms: number;
}

/** POSTs JSON to `path` of the service and returns status, headers and parsed body. */
export async function postJson(
  url: string,
  path: string,
  body: unknown,
  init: { signal?: AbortSignal } = {},
): Promise<JsonAnswer> {
  const started = performance.now();
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
    signal: init.signal,
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // keep the text
  }
  return { status: res.status, headers: res.headers, body: parsed, ms: performance.now() - started };
}
