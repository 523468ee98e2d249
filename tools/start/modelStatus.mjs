/* global fetch, AbortSignal -- Node 20 globals */
// What `npm start` says about the SAM2 model: one human sentence per readiness reason of the service
// (docs/api.md), a progress bar (bytes, rate, ETA) on a terminal while the first-start download runs.
import { setTimeout as sleep } from 'node:timers/promises';

const OFFLINE =
  'on a machine with internet access run "npm run model:fetch -- --dir <dir>", copy that folder here and ' +
  'set SAM2_MODEL_DIR=<dir> (docs/models.md, "Offline installation")';

/** One sentence per public reason code; what to do, never the code alone. */
export const REASON_SENTENCES = {
  model_downloading:
    'the model is downloading (first start); the SAM2 button enables itself when it is ready',
  model_download_failed: `the model could not be downloaded (no connection to the model hub?): run npm start again to resume, or ${OFFLINE}`,
  model_files_missing: `no model in SAM2_MODEL_DIR and SAM2_MODEL_AUTO_FETCH=false: run "npm run model:fetch", or ${OFFLINE}`,
  model_manifest_invalid: 'the model.json in SAM2_MODEL_DIR is damaged: run "npm run model:fetch" again',
  model_checksum_mismatch:
    'a model file failed its checksum and was refused: run npm start again to fetch it again, or "npm run model:fetch"',
  model_files_changed: 'a model file changed while the service ran: restart to load it',
  model_load_failed: 'the model could not be loaded: see the SAM2 service log lines above',
  worker_startup_crashes: 'the inference workers crash while starting: see the SAM2 service log lines above',
  disabled: 'SAM2 is disabled (SAM2_ENABLED=false)',
  loading: 'the model is loading',
  restarting_workers: 'the inference workers are restarting',
};

export function reasonSentence(reason) {
  return REASON_SENTENCES[reason] ?? 'the SAM2 model is not available: see the SAM2 service log lines above';
}

const mb = (bytes) => (bytes / 1e6).toFixed(1);

/** `[#######-------------]  35.2 %  54.9/155.9 MB  10.4 MB/s  ETA 10 s` */
export function progressBar(download, width = 24) {
  const pct = Math.max(0, Math.min(100, download.percent ?? 0));
  const filled = Math.round((pct / 100) * width);
  const eta = download.eta_s == null ? '' : `  ETA ${formatSeconds(download.eta_s)}`;
  return (
    `SAM2 model ${download.variant}  [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ` +
    `${pct.toFixed(1).padStart(5)} %  ${mb(download.received_bytes)}/${mb(download.total_bytes)} MB  ` +
    `${mb(download.bytes_per_second)} MB/s${eta}`
  );
}

function formatSeconds(s) {
  return s >= 120 ? `${Math.round(s / 60)} min` : `${s} s`;
}

/** GET {serviceUrl}/readyz; undefined when the service does not answer. */
export async function readReadiness(serviceUrl) {
  try {
    const res = await fetch(`${serviceUrl}/readyz`, { signal: AbortSignal.timeout(3000) });
    return await res.json();
  } catch {
    return undefined;
  }
}

/** GET {serviceUrl}/info's model identity (name, version, fixture); undefined when not available. */
export async function readModelIdentity(serviceUrl) {
  try {
    const res = await fetch(`${serviceUrl}/info`, { signal: AbortSignal.timeout(3000) });
    return (await res.json())?.model ?? undefined;
  } catch {
    return undefined;
  }
}

/** `sam2.1-hiera-tiny 1.0`, or `<name> (FIXTURE: a test model, not SAM2)` for a fixture. */
export function modelName(identity) {
  if (!identity?.name) return '';
  const name = [identity.name, identity.version].filter(Boolean).join(' ');
  return identity.fixture ? `${name} (FIXTURE: a test model, not SAM2)` : name;
}

/** The model line of the start banner; `identity` from readModelIdentity, when known. */
export function modelLine(readiness, identity) {
  if (!readiness) return 'SAM2 model: unknown (the service did not answer)';
  if (readiness.ready) return `SAM2 model: ready${identity?.name ? ` — ${modelName(identity)}` : ''}`;
  if (readiness.state === 'downloading') {
    const d = readiness.download;
    const size = d?.total_bytes ? ` (${mb(d.total_bytes)} MB)` : '';
    return `SAM2 model: downloading ${d?.variant ?? ''}${size} — ${reasonSentence('model_downloading')}`;
  }
  return `SAM2 model: none — ${reasonSentence(readiness.reason)}`;
}

/**
 * Follows the first-start download until it ends: a redrawn bar on a terminal (`status`), then one line
 * saying the model is ready or, in one sentence, why not and what to do (`say`). Plain progress lines
 * come from the service's own log when the output is not a terminal.
 */
export async function followModel(
  serviceUrl,
  { status, say, tty, intervalMs = 500, isStopped = () => false },
) {
  let sawDownload = false;
  for (;;) {
    if (isStopped()) return;
    const r = await readReadiness(serviceUrl);
    if (r?.state === 'downloading' && r.download) {
      sawDownload = true;
      if (tty) status(progressBar(r.download));
    } else if (r && r.state !== 'loading') {
      status(undefined);
      if (r.ready) {
        if (sawDownload) say('SAM2 model downloaded, verified and loaded: the SAM2 button is enabled.');
      } else if (sawDownload || r.reason !== 'disabled') {
        say(`SAM2 segmentation is off: ${reasonSentence(r.reason)}.`);
      }
      return;
    }
    await sleep(intervalMs);
  }
}
