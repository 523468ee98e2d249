/**
 * DOM of the body-composition panel: the shown slice's figures, the height field, CSV export and
 * "Store SR" (the slice's DICOM SR to the PACS).
 */
import { DOM_IDS } from '../id';
import type { ShownSlice } from './bodyComposition';

export interface PanelViewHandlers {
  onHeight(text: string): void;
  onExportCsv(): void;
  onStoreSr(): void;
}

function fixed(value: number | undefined, digits: number): string {
  return value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(digits);
}

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  text?: string,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

const CELL = 'text-align:right;white-space:nowrap;';

/** Builds the static parts once; `update` refills the figures. */
export function createPanelView(root: HTMLElement, handlers: PanelViewHandlers) {
  root.setAttribute('data-cy', DOM_IDS.bodyCompositionPanel);
  root.style.cssText = 'padding:8px;color:#e5e7eb;font-size:12px;line-height:1.4;overflow:auto;';
  const title = el('div', { style: 'font-weight:600;margin-bottom:4px;' }, 'Body composition (shown slice)');
  const slice = el('div', {
    'data-cy': DOM_IDS.bodyCompositionSlice,
    style: 'color:#9ca3af;margin-bottom:6px;',
  });
  // One block per segment (the panel is narrow: a wide table would be cut off).
  const body = el('div');
  const empty = el('div', { style: 'color:#9ca3af;margin-top:4px;' });

  const heightLabel = el('label', { style: 'display:block;margin-top:8px;' }, 'Height (m or cm) ');
  const height = el('input', {
    'data-cy': DOM_IDS.bodyCompositionHeight,
    type: 'text',
    inputmode: 'decimal',
    size: '6',
    style: 'background:#111827;color:#e5e7eb;border:1px solid #374151;padding:1px 4px;',
  });
  const heightNote = el('span', {
    'data-cy': DOM_IDS.bodyCompositionHeightSource,
    style: 'color:#9ca3af;margin-left:4px;',
  });
  heightLabel.append(height, heightNote);
  height.addEventListener('change', () => handlers.onHeight(height.value));

  const csv = el(
    'button',
    {
      'data-cy': DOM_IDS.bodyCompositionCsv,
      type: 'button',
      style:
        'margin-top:8px;padding:2px 8px;border:1px solid #374151;border-radius:4px;background:#1f2937;color:#e5e7eb;',
    },
    'Export CSV (all measured slices)',
  );
  csv.addEventListener('click', () => handlers.onExportCsv());
  const storeSr = el(
    'button',
    {
      'data-cy': DOM_IDS.bodyCompositionStoreSr,
      type: 'button',
      title: "Stores this slice's figures to the PACS as a DICOM SR (TID 1500) with the SEG it measured",
      style:
        'margin-top:8px;margin-left:4px;padding:2px 8px;border:1px solid #374151;border-radius:4px;background:#1f2937;color:#e5e7eb;',
    },
    'Store SR (shown slice)',
  );
  storeSr.addEventListener('click', () => handlers.onStoreSr());
  const status = el('div', {
    'data-cy': DOM_IDS.bodyCompositionStatus,
    role: 'status',
    style: 'margin-top:4px;color:#9ca3af;',
  });
  root.replaceChildren(title, slice, body, empty, heightLabel, csv, storeSr, status);

  let last = '';
  return {
    status(text: string) {
      status.textContent = text;
    },
    /** Disables "Store SR" while a store runs (one at a time). */
    storing(busy: boolean) {
      storeSr.disabled = busy;
    },
    update(shown: ShownSlice | undefined) {
      if (document.activeElement !== height) height.value = shown?.heightM ? shown.heightM.toFixed(2) : '';
      const key = JSON.stringify(shown ?? null);
      if (key === last) return;
      last = key;
      const m = shown?.measurements;
      slice.textContent = m
        ? `Instance ${m.instanceNumber ?? '?'} · position ${fixed(m.slicePositionMm, 1)} mm`
        : shown
          ? 'No segmentation on this viewport'
          : 'No image';
      body.replaceChildren(
        ...(m?.rows ?? []).map((r) => {
          const block = el('div', {
            'data-cy': DOM_IDS.bodyCompositionRow,
            'data-segment': r.segmentLabel,
            'data-area-cm2': String(r.areaCm2),
            'data-voxels': String(r.voxelCount),
            'data-mean-hu': String(r.meanHu),
            'data-sd-hu': String(r.sdHu),
            'data-smi': r.smi === undefined ? '' : String(r.smi),
            style: 'border-top:1px solid #374151;padding:4px 0;',
            title: r.huRange ? `Only voxels within ${r.huRange} counted` : 'All voxels counted',
          });
          const grid = el('div', { style: 'display:grid;grid-template-columns:auto auto;column-gap:8px;' });
          const cell = (name: string, value: string) =>
            grid.append(el('span', { style: 'color:#9ca3af;' }, name), el('span', { style: CELL }, value));
          cell('Area', `${fixed(r.areaCm2, 2)} cm²`);
          cell('Voxels', String(r.voxelCount));
          cell('Mean', `${fixed(r.meanHu, 1)} HU`);
          cell('SD', `${fixed(r.sdHu, 1)} HU`);
          if (r.huRange) cell('HU range', r.huRange.replace(' HU', ''));
          if (r.smi !== undefined) cell('SMI', `${fixed(r.smi, 2)} cm²/m²`);
          block.append(el('div', { style: 'font-weight:600;' }, r.segmentLabel), grid);
          return block;
        }),
      );
      empty.textContent = m && !m.rows.length ? 'No segment on this slice.' : '';
      heightNote.textContent =
        shown?.heightSource === 'PatientSize'
          ? 'from Patient Size'
          : shown?.heightSource === 'entered'
            ? 'entered for this study'
            : 'unknown: SMI needs a height';
    },
  };
}
