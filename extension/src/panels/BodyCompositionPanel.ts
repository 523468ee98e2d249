/**
 * The body-composition panel component: mounts the DOM view through a stable callback ref and keeps
 * it live (segmentation edits — SAM2 results, brush, eraser, undo — and slice changes).
 */
import type { CornerstoneLibraries, ServicesLike } from '../host/types';
import { parseHeightInput } from '../measurements/smi';
import type { StoreDeps } from '../sr/storeReport';
import { StoreError, storeSliceReport } from '../sr/storeReport';
import type { BodyComposition } from './bodyComposition';
import { hostDiv } from './hostElement';
import { createPanelView } from './panelView';

/** Re-measure at least this often: scrolling does not raise an event we can hear without a viewport. */
const POLL_MS = 500;

function downloadText(text: string, fileName: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** What "Store SR" needs besides the model: the host's commands and active data source. */
export type StoreHost = Pick<StoreDeps, 'commandsManager' | 'dataSource' | 'dataSourceNamespace'>;

function mount(
  root: HTMLDivElement,
  model: BodyComposition,
  libs: () => CornerstoneLibraries,
  services: () => ServicesLike,
  host: StoreHost,
): () => void {
  const toast = (type: 'success' | 'error', message: string) =>
    services().uiNotificationService.show({ title: 'DICOM SR', message, type, duration: 6000 });
  const view = createPanelView(root, {
    onHeight(text) {
      const studyUid = model.shownSlice()?.studyInstanceUid;
      if (!studyUid) return;
      const height = text.trim() ? parseHeightInput(text) : undefined;
      if (text.trim() && height === undefined) {
        view.status('Height not understood: type metres (1.72) or centimetres (172).');
        return;
      }
      model.setHeight(studyUid, height);
      view.status('');
      refresh();
    },
    onExportCsv() {
      view.status('Measuring all slices…');
      model
        .seriesCsv()
        .then((csv) => {
          const rows = csv.split('\r\n').length - 2;
          if (rows <= 0) {
            view.status('Nothing to export: no segment voxels in this series.');
            return;
          }
          downloadText(csv, 'body-composition.csv');
          view.status(`Exported ${rows} row${rows === 1 ? '' : 's'}.`);
        })
        .catch((e: unknown) => view.status(`Export failed: ${(e as Error).message}`));
    },
    onStoreSr() {
      view.storing(true);
      view.status('Storing SEG and SR…');
      const shown = model.shownSlice();
      // The outcome speaks of this slice: it is cleared when another slice is shown.
      statusSlice = shown?.imageId;
      storeSliceReport({ ...host, services: services(), libs: libs() }, shown)
        .then((stored) => {
          const text = `Stored to the PACS: SR with ${stored.groups} segment${stored.groups === 1 ? '' : 's'} and the SEG it references.`;
          view.status(text);
          toast('success', text);
        })
        .catch((e: unknown) => {
          // Data source errors (HTTP status, network) are shown, never logged with the dataset.
          const reason =
            e instanceof StoreError
              ? e.message
              : `the PACS refused or could not be reached (${(e as Error)?.message ?? e}).`;
          const text = `SR not stored: ${reason}`;
          view.status(text);
          toast('error', text);
        })
        .finally(() => view.storing(false));
    },
  });
  let statusSlice: string | undefined;
  const refresh = () => {
    try {
      const shown = model.shownSlice();
      if (statusSlice !== undefined && shown?.imageId !== statusSlice) {
        statusSlice = undefined;
        view.status('');
      }
      view.update(shown);
    } catch (e) {
      console.warn('[SAM2] body composition', e);
    }
  };
  let scheduled = false;
  const soon = () => {
    if (scheduled) return;
    scheduled = true;
    setTimeout(() => {
      scheduled = false;
      refresh();
    }, 50);
  };
  const { cornerstone, cornerstoneTools } = libs();
  const events = [
    cornerstoneTools.Enums.Events.SEGMENTATION_DATA_MODIFIED,
    cornerstoneTools.Enums.Events.SEGMENTATION_MODIFIED,
    cornerstoneTools.Enums.Events.SEGMENTATION_REMOVED,
  ].filter((e): e is string => !!e);
  for (const e of events) cornerstone.eventTarget.addEventListener(e, soon);
  const subscriptions = [
    services().viewportGridService.subscribe(
      services().viewportGridService.EVENTS.ACTIVE_VIEWPORT_ID_CHANGED,
      soon,
    ),
  ];
  const timer = setInterval(refresh, POLL_MS);
  refresh();
  return () => {
    clearInterval(timer);
    for (const e of events) cornerstone.eventTarget.removeEventListener(e, soon);
    subscriptions.forEach((s) => s.unsubscribe());
  };
}

/** The component OHIF renders in the right-hand panel; `ref` is stable so React mounts it once. */
export function createBodyCompositionPanel(
  model: BodyComposition,
  libs: () => CornerstoneLibraries,
  services: () => ServicesLike,
  host: StoreHost,
) {
  let unmount: (() => void) | undefined;
  const ref = (element: HTMLDivElement | null) => {
    unmount?.();
    unmount = element ? mount(element, model, libs, services, host) : undefined;
  };
  return function Sam2BodyCompositionPanel() {
    return hostDiv(ref, { style: { height: '100%', overflow: 'auto' } });
  };
}
