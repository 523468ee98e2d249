import type { Sam2Upstream } from './http/sam2Proxy';
import { SAM2_API_PREFIX } from './urls';
import type { Logger } from './logger';

export type ServiceReadiness =
  | { status: 'ready' }
  | { status: 'degraded'; state: string; reason: string }
  | { status: 'unreachable'; error: string };

/** Asks the service's readiness probe once; never throws. */
export async function checkServiceReadiness(
  upstream: Sam2Upstream,
  timeoutMs = 5000,
): Promise<ServiceReadiness> {
  try {
    const answer = await upstream.pool.request({
      method: 'GET',
      path: `${upstream.basePath}${SAM2_API_PREFIX}/readyz`,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await answer.body.text();
    let body: { ready?: boolean; state?: string; reason?: string } = {};
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      // not JSON: reported below by status
    }
    if (answer.statusCode === 200 && body.ready === true) return { status: 'ready' };
    return {
      status: 'degraded',
      state: body.state ?? `HTTP ${answer.statusCode}`,
      reason: body.reason ?? text.slice(0, 200),
    };
  } catch (error) {
    const err = error as Error & { code?: string; cause?: { code?: string } };
    return { status: 'unreachable', error: err.code ?? err.cause?.code ?? err.message };
  }
}

/** Logs the start-up readiness so an operator sees at once whether segmentation will work. */
export function logServiceReadiness(logger: Logger, serviceUrl: string, readiness: ServiceReadiness): void {
  switch (readiness.status) {
    case 'ready':
      logger.info({ serviceUrl, sam2: 'ready' }, 'SAM2 service is ready');
      break;
    case 'degraded':
      logger.warn(
        { serviceUrl, sam2: 'degraded', state: readiness.state, reason: readiness.reason },
        'SAM2 service is up but not ready: the SAM2 button stays disabled until it is',
      );
      break;
    case 'unreachable':
      logger.warn(
        { serviceUrl, sam2: 'unreachable', error: readiness.error },
        'SAM2 service is unreachable: the viewer works, the SAM2 button stays disabled until the service is up',
      );
      break;
  }
}
