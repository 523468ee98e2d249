/** The self-contained HTML page of the report (inline CSS, overlays as data: URIs). */
import type { SliceResult } from '../run';
import type { Summary } from '../summary';
import type { ReportHeader } from './write';

export interface Overlay {
  which: string;
  result: SliceResult;
  pngBase64: string;
}

const escape = (text: unknown) =>
  String(text ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );
const num = (v: number | null | undefined, digits = 3) =>
  typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : '–';

export function renderHtml(header: ReportHeader, summary: Summary[], overlays: Overlay[]): string {
  const rows = summary
    .map(
      (
        s,
      ) => `<tr><td>${escape(s.structure)}</td><td>${escape(s.context)}</td><td>${escape(s.prompt)}</td><td>${s.slices}</td>
<td>${num(s.diceMean)} ± ${num(s.diceSd)}</td><td>${num(s.diceMedian)}</td><td>${num(s.iouMean)}</td><td>${num(s.hd95MedianMm, 1)}</td>
<td>${num(s.areaErrorMeanCm2, 2)}</td><td>${num(s.areaErrorMeanPct, 1)}</td><td>${s.emptyPredictions}</td><td>${s.failed}</td><td>${num(s.serviceMsMean, 0)}</td></tr>`,
    )
    .join('\n');
  const figures = overlays
    .map(
      (
        o,
      ) => `<figure><img alt="${escape(`${o.result.structure} ${o.result.prompt} ${o.which}`)}" src="data:image/png;base64,${o.pngBase64}">
<figcaption>${escape(o.result.structure)} · ${escape(o.result.prompt)} · ${escape(o.which)} · ${escape(o.result.sliceLabel)} · Dice ${num(o.result.dice)} · HD95 ${num(o.result.hd95Mm, 1)} mm</figcaption></figure>`,
    )
    .join('\n');
  const model = Object.entries(header.model)
    .map(([k, v]) => `<dt>${escape(k)}</dt><dd>${escape(typeof v === 'object' ? JSON.stringify(v) : v)}</dd>`)
    .join('');
  const definitions = Object.entries(header.definitions)
    .map(([k, v]) => `<dt>${escape(k)}</dt><dd>${escape(v)}</dd>`)
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(header.title)}</title>
<style>body{font:14px system-ui,sans-serif;margin:2em;max-width:75em}table{border-collapse:collapse}td,th{border:1px solid #bbb;padding:.25em .5em;text-align:right}td:nth-child(-n+3),th{text-align:left}
.fixture{background:#b00020;color:#fff;padding:.5em 1em}figure{display:inline-block;margin:.5em;vertical-align:top}figcaption{font-size:12px;max-width:256px}dt{font-weight:600}dd{margin:0 0 .3em 1em}</style></head>
<body><h1>${escape(header.title)}</h1>
${header.fixture ? '<p class="fixture">FIXTURE model: a test stand-in, not SAM2. These numbers say nothing about segmentation quality.</p>' : ''}
<p>Generated ${escape(header.generatedAt)}. Legend: reference outline green, prediction magenta, both yellow.</p>
<h2>Model</h2><dl>${model}</dl>
<h2>Results per structure and prompt style</h2>
<table><thead><tr><th>Structure</th><th>Context</th><th>Prompt</th><th>Slices</th><th>Dice mean ± SD</th><th>Dice median</th><th>IoU mean</th><th>HD95 median (mm)</th><th>Area error mean (cm²)</th><th>Area error mean (%)</th><th>Empty</th><th>Failed</th><th>Service ms</th></tr></thead>
<tbody>${rows}</tbody></table>
<h2>Worst and median slices</h2>${figures || '<p>No slices evaluated.</p>'}
<h2>Definitions</h2><dl>${definitions}</dl>
</body></html>
`;
}
