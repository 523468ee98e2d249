/**
 * Writes the report: report.json (everything), summary.csv (one row per structure and prompt style),
 * slices.csv (one row per evaluated slice and prompt) and report.html (the table and overlays of the
 * worst and median slice of each structure and prompt style, self-contained).
 */
import { DEFAULT_HU_RANGES } from '@ohif-sam2/ct-anatomy';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Reference } from '../io/reference';
import { contextFor } from '../contexts';
import { decodeRle } from '../rle';
import type { SliceResult } from '../run';
import type { Summary } from '../summary';
import { type Volume, sliceValues } from '../volume';
import { toCsv } from './csv';
import { renderHtml, type Overlay } from './html';
import { overlayPng } from './overlay';

export interface ReportHeader {
  title: string;
  generatedAt: string;
  fixture: boolean;
  model: Record<string, unknown>;
  service: Record<string, unknown>;
  inputs: Record<string, unknown>;
  options: Record<string, unknown>;
  definitions: Record<string, string>;
}

const MUSCLE_RANGE = DEFAULT_HU_RANGES['skeletal-muscle'];

export const DEFINITIONS: Record<string, string> = {
  dice: '2|P∩R| / (|P|+|R|) on the slice (P prediction, R reference); an empty prediction scores 0.',
  iou: '|P∩R| / |P∪R| (Jaccard).',
  hd95_mm:
    'max(P95 of distances from the prediction boundary to the reference boundary, P95 of the reverse), in mm with the pixel spacing; boundary = mask minus its 4-connected erosion; P95 by linear interpolation (MONAI compute_hausdorff_distance, percentile=95). Empty prediction: not defined (left out of the HD95 figures).',
  area_error:
    'predicted − reference area, cm² (pixel count × column spacing × row spacing) and % of the reference.',
  service_ms:
    "The service's processing_time_ms per request; round_trip_ms adds HTTP and JSON on this machine.",
  box: 'Reference bounding box, each side moved by a uniform integer in [−J, J] px, J = min(max jitter, 10 % of the box side).',
  point: 'One positive click at the inside pixel farthest from the reference edge.',
  'context-one-click':
    "The viewer's One-Click in the structure's context, with the shared rules (packages/ct-anatomy): L3 vertebra = one box around the vertebra found on the slice from its HU; skeletal muscle = one box + point request per muscle group found on the slice (one image_id), the union of the masks each clipped to its box. A rule that finds nothing writes nothing (scored as an empty prediction).",
  automatic:
    'No prompt (automatic mode) with the context window; the mask covering the image centre is taken, as the viewer does.',
  tissue_range: `Skeletal muscle context: every prediction is restricted to ${MUSCLE_RANGE.min}…${MUSCLE_RANGE.max} HU (the standard skeletal muscle range) before scoring, as the viewer writes it.`,
};

const SLICE_COLUMNS = [
  'structure',
  'context',
  'prompt',
  'slice',
  'sliceLabel',
  'dice',
  'iou',
  'hd95Mm',
  'referenceAreaCm2',
  'predictedAreaCm2',
  'areaErrorCm2',
  'areaErrorPct',
  'serviceMs',
  'roundTripMs',
  'embeddingCached',
  'box',
  'point',
  'oneClick',
  'error',
];

export function writeReport(
  outDir: string,
  header: ReportHeader,
  summary: Summary[],
  results: SliceResult[],
  volume: Volume,
  reference: Reference,
): string[] {
  mkdirSync(outDir, { recursive: true });
  const slices = results.map((r) => {
    const { rle, ...rest } = r;
    void rle;
    return rest;
  });
  const files = {
    json: path.join(outDir, 'report.json'),
    summary: path.join(outDir, 'summary.csv'),
    slices: path.join(outDir, 'slices.csv'),
    html: path.join(outDir, 'report.html'),
  };
  writeFileSync(files.json, `${JSON.stringify({ ...header, summary, slices }, null, 2)}\n`);
  writeFileSync(
    files.summary,
    toCsv(summary as unknown as Record<string, unknown>[], Object.keys(summary[0] ?? {})),
  );
  writeFileSync(
    files.slices,
    toCsv(
      slices.map((s) => ({
        ...s,
        point: s.point ? `${s.point.x} ${s.point.y}` : undefined,
        oneClick: s.oneClick
          ? `${s.oneClick.rule}: ${s.oneClick.refused ?? s.oneClick.prompts.map((p) => p.name).join(' ')}`
          : undefined,
      })),
      SLICE_COLUMNS,
    ),
  );
  writeFileSync(files.html, renderHtml(header, summary, overlays(results, volume, reference)));
  return Object.values(files);
}

/** The worst and the median-Dice slice of every structure and prompt style. */
function overlays(results: SliceResult[], volume: Volume, reference: Reference): Overlay[] {
  const out: Overlay[] = [];
  const groups = new Map<string, SliceResult[]>();
  for (const r of results) {
    if (r.dice === undefined) continue;
    const key = `${r.structure}\u0000${r.prompt}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  for (const group of groups.values()) {
    const sorted = [...group].sort((a, b) => (a.dice as number) - (b.dice as number));
    const picks: [string, SliceResult][] = [['worst', sorted[0]]];
    const median = sorted[Math.floor((sorted.length - 1) / 2)];
    if (median !== sorted[0]) picks.push(['median', median]);
    for (const [which, r] of picks) {
      const structure = reference.structures.find((s) => s.name === r.structure);
      const ref = structure ? reference.mask(structure, r.slice) : undefined;
      if (!ref) continue;
      const predicted = r.rle ? decodeRle(r.rle) : new Uint8Array(ref.length);
      const window = contextFor(r.structure, volume.window).window;
      const png = overlayPng(
        sliceValues(volume, r.slice),
        volume.columns,
        volume.rows,
        window,
        ref,
        predicted,
      );
      out.push({ which, result: r, pngBase64: png.toString('base64') });
    }
  }
  return out;
}
