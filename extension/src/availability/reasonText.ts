/**
 * The button's tooltip while the service cannot segment: one sentence a radiologist (or the person
 * they call) can act on, for every reason code /readyz reports (docs/api.md "Readiness reasons").
 * Codes are never shown raw: an unknown code gets the generic sentence of its state.
 */
import type { Availability } from './poller';

/** What to do when the model cannot be fetched or is broken: the offline install of docs/models.md. */
export const OFFLINE_INSTALL =
  'on a machine with internet access run "npm run model:fetch -- --dir <dir>", copy that whole folder ' +
  'to the server and point SAM2_MODEL_DIR at it (docs/models.md, "Offline installation")';

const REASON_TEXT: Record<string, string> = {
  loading: 'SAM2 service unavailable (model loading)',
  restarting_workers: 'SAM2 is restarting after an error and re-enables itself in a moment',
  disabled: 'SAM2 service unavailable (disabled on the server)',
  model_download_failed:
    `The SAM2 model could not be downloaded (no connection to the model hub?): restart the service to ` +
    `resume, or ${OFFLINE_INSTALL}`,
  model_files_missing: `No SAM2 model is installed on the server: run "npm run model:fetch" there, or ${OFFLINE_INSTALL}`,
  model_manifest_invalid: `The SAM2 model's model.json on the server is damaged: fetch the model again ("npm run model:fetch") and restart the service`,
  model_checksum_mismatch:
    'A SAM2 model file on the server failed its checksum and was refused: restart the service to fetch it again, ' +
    'or fetch it with "npm run model:fetch"',
  model_files_changed:
    'A SAM2 model file changed on the server while the service ran: restart the service to load it',
  model_load_failed:
    'The server could not load the SAM2 model: ask your administrator to check the SAM2 service log',
  worker_startup_crashes:
    'The SAM2 service crashes while starting its model: ask your administrator to check the SAM2 service log',
};

const STATE_TEXT: Record<string, string> = {
  loading: 'SAM2 service unavailable (model loading)',
  unavailable: 'SAM2 service unavailable (no model)',
  disabled: 'SAM2 service unavailable (disabled on the server)',
  unreachable: 'SAM2 service unavailable (cannot reach the service)',
  downloading: 'SAM2 model downloading…',
};

/** "SAM2 model downloading (NN %)", the percentage rounded down so 100 % is only shown when done. */
export function downloadingText(percent: number | undefined): string {
  if (percent === undefined || !Number.isFinite(percent)) return STATE_TEXT.downloading;
  return `SAM2 model downloading (${Math.min(99, Math.max(0, Math.floor(percent)))} %)`;
}

export function unavailableText(availability: Availability): string {
  if (availability.status === 'unknown') return 'Checking SAM2 service…';
  if (availability.state === 'downloading') return downloadingText(availability.downloadPercent);
  // `unreachable` carries a network error message as its reason, never shown.
  if (availability.state !== 'unreachable' && availability.reason && REASON_TEXT[availability.reason]) {
    return REASON_TEXT[availability.reason];
  }
  const byState = availability.state ? STATE_TEXT[availability.state] : undefined;
  return byState ?? 'SAM2 service unavailable';
}
