/**
 * "Processing…" overlay drawn over one viewport with plain DOM (the host's React is not reachable
 * from a runtime-loaded bundle). It covers the viewport so no new prompt starts while one is
 * running, and its Cancel button aborts the request.
 */
import { DOM_IDS } from '../id';

const STYLE_ID = 'sam2-overlay-style';

function ensureStyle(doc: Document): void {
  if (doc.getElementById(STYLE_ID)) return;
  const style = doc.createElement('style');
  style.id = STYLE_ID;
  style.textContent = `
@keyframes sam2-spin { to { transform: rotate(360deg); } }
.sam2-overlay { position: absolute; inset: 0; z-index: 20; display: flex; align-items: center;
  justify-content: center; background: rgba(0, 0, 0, 0.35); pointer-events: auto; }
.sam2-overlay__panel { display: flex; align-items: center; gap: 12px; padding: 10px 14px; border-radius: 8px;
  background: rgba(9, 12, 41, 0.92); color: #fff; font: 14px/1.3 system-ui, sans-serif;
  box-shadow: 0 2px 12px rgba(0,0,0,.5); }
.sam2-overlay__spinner { width: 22px; height: 22px; border-radius: 50%; border: 3px solid rgba(255,255,255,.25);
  border-top-color: #5acce6; animation: sam2-spin 0.9s linear infinite; flex: none; }
.sam2-overlay__elapsed { opacity: .7; font-variant-numeric: tabular-nums; }
.sam2-overlay__cancel { margin-left: 4px; padding: 4px 10px; border-radius: 6px; border: 1px solid #5acce6;
  background: transparent; color: #5acce6; cursor: pointer; font: inherit; }
.sam2-overlay__cancel:hover { background: #5acce6; color: #090c29; }
.sam2-box-preview { position: absolute; z-index: 19; border: 2px dashed #ffd400; pointer-events: none; }`;
  doc.head.appendChild(style);
}

export interface OverlayHandle {
  close(): void;
}

export function showProcessingOverlay(
  element: HTMLElement,
  { timeoutMs, onCancel }: { timeoutMs: number; onCancel: () => void },
): OverlayHandle {
  const doc = element.ownerDocument;
  ensureStyle(doc);
  if (getComputedStyle(element).position === 'static') element.style.position = 'relative';

  const root = doc.createElement('div');
  root.className = 'sam2-overlay';
  root.dataset.cy = DOM_IDS.overlay;
  root.setAttribute('role', 'status');
  // Keep clicks on the overlay away from the viewport's tools.
  for (const type of ['mousedown', 'mouseup', 'click', 'wheel', 'pointerdown']) {
    root.addEventListener(type, (e) => e.stopPropagation());
  }

  const panel = doc.createElement('div');
  panel.className = 'sam2-overlay__panel';
  const spinner = doc.createElement('div');
  spinner.className = 'sam2-overlay__spinner';
  const text = doc.createElement('span');
  text.textContent = `Processing… up to ${Math.round(timeoutMs / 1000)}s`;
  const elapsed = doc.createElement('span');
  elapsed.className = 'sam2-overlay__elapsed';
  const cancel = doc.createElement('button');
  cancel.type = 'button';
  cancel.className = 'sam2-overlay__cancel';
  cancel.dataset.cy = DOM_IDS.overlayCancel;
  cancel.textContent = 'Cancel';
  cancel.addEventListener('click', () => onCancel());
  panel.append(spinner, text, elapsed, cancel);
  root.append(panel);
  element.append(root);

  const started = Date.now();
  const tick = setInterval(() => {
    elapsed.textContent = `${Math.floor((Date.now() - started) / 1000)} s`;
  }, 500);
  // Escape cancels too, wherever the focus is.
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'Escape') onCancel();
  };
  doc.addEventListener('keydown', onKey);

  return {
    close() {
      clearInterval(tick);
      doc.removeEventListener('keydown', onKey);
      root.remove();
    },
  };
}

/** The dashed rectangle shown while a box is dragged (canvas pixel coordinates). */
export function showBoxPreview(element: HTMLElement): {
  update(a: [number, number], b: [number, number]): void;
  remove(): void;
} {
  const doc = element.ownerDocument;
  ensureStyle(doc);
  if (getComputedStyle(element).position === 'static') element.style.position = 'relative';
  const box = doc.createElement('div');
  box.className = 'sam2-box-preview';
  box.dataset.cy = DOM_IDS.boxPreview;
  element.append(box);
  return {
    update([x0, y0], [x1, y1]) {
      box.style.left = `${Math.min(x0, x1)}px`;
      box.style.top = `${Math.min(y0, y1)}px`;
      box.style.width = `${Math.abs(x1 - x0)}px`;
      box.style.height = `${Math.abs(y1 - y0)}px`;
    },
    remove() {
      box.remove();
    },
  };
}
