/** Per structure and prompt style: the figures of the report table. */
import { percentile } from './metrics';
import type { SliceResult } from './run';

export interface Summary {
  structure: string;
  context: string;
  prompt: string;
  /** Slices evaluated (answered by the service). */
  slices: number;
  /** Requests that failed (no score). */
  failed: number;
  /** Answers with no mask at all (scored Dice 0). */
  emptyPredictions: number;
  diceMean: number | null;
  diceSd: number | null;
  diceMedian: number | null;
  iouMean: number | null;
  /** Median / mean over slices where both masks are non-empty. */
  hd95MedianMm: number | null;
  hd95MeanMm: number | null;
  /** Mean of predicted − reference. */
  areaErrorMeanCm2: number | null;
  areaAbsErrorMeanCm2: number | null;
  areaErrorMeanPct: number | null;
  areaAbsErrorMeanPct: number | null;
  serviceMsMean: number | null;
  serviceMsP95: number | null;
  roundTripMsMean: number | null;
}

const mean = (v: number[]) => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : null);
const sd = (v: number[]) => {
  const m = mean(v);
  return m === null || v.length < 2
    ? null
    : Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1));
};
const pct = (v: number[], q: number) => (v.length ? percentile(v, q) : null);

export function summarise(results: SliceResult[]): Summary[] {
  const groups = new Map<string, SliceResult[]>();
  for (const r of results) {
    const key = `${r.structure}\u0000${r.prompt}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.values()].map((group) => {
    const ok = group.filter((r) => r.error === undefined);
    const pick = (f: (r: SliceResult) => number | null | undefined) =>
      ok.map(f).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
    const dice = pick((r) => r.dice);
    const hd = pick((r) => r.hd95Mm);
    const areaCm2 = pick((r) => r.areaErrorCm2);
    const areaPct = pick((r) => r.areaErrorPct);
    const service = pick((r) => r.serviceMs);
    return {
      structure: group[0].structure,
      context: group[0].context,
      prompt: group[0].prompt,
      slices: ok.length,
      failed: group.length - ok.length,
      emptyPredictions: ok.filter((r) => r.predictedAreaCm2 === 0).length,
      diceMean: mean(dice),
      diceSd: sd(dice),
      diceMedian: pct(dice, 50),
      iouMean: mean(pick((r) => r.iou)),
      hd95MedianMm: pct(hd, 50),
      hd95MeanMm: mean(hd),
      areaErrorMeanCm2: mean(areaCm2),
      areaAbsErrorMeanCm2: mean(areaCm2.map(Math.abs)),
      areaErrorMeanPct: mean(areaPct),
      areaAbsErrorMeanPct: mean(areaPct.map(Math.abs)),
      serviceMsMean: mean(service),
      serviceMsP95: pct(service, 95),
      roundTripMsMean: mean(pick((r) => r.roundTripMs)),
    };
  });
}
