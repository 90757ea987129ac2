/**
 * The learning-curve part of the report: for each `eval.curve` document, a chart of success per split over training
 * steps, and two stated rows — the final checkpoint's, and the checkpoint the paper's rule selects (best mean success
 * over the non-Fake splits), with the warning that the rule selects on the test splits themselves.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { CurveDoc } from '../eval/curve.js';
import type { ChartSpec } from './charts.js';

/** The curve document in a parsed JSON value (format 'pipe.eval-curve/1'), or undefined. */
export function asCurveDoc(value: unknown): CurveDoc | undefined {
  const v = value as Partial<CurveDoc> | null;
  return v !== null && typeof v === 'object' && v.format === 'pipe.eval-curve/1' && Array.isArray(v.steps) ? (v as CurveDoc) : undefined;
}

/** Success per split over steps, one line per split. */
export function curveChart(name: string, doc: CurveDoc): ChartSpec {
  const values = doc.steps.flatMap((s) => s.splits.map((x) => ({ step: s.step, split: x.split, success: x.success })));
  return {
    file: `curve-${name.replace(/[^\w-]+/g, '_')}.svg`,
    caption: `${doc.method} (${doc.task}): success per split over training steps (${doc.perSplit} episodes per split and step)`,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: `learning curve: ${doc.method} (${doc.task})`,
      width: 960,
      height: 280,
      data: { values },
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'step', type: 'quantitative', title: 'step' },
        y: { field: 'success', type: 'quantitative', title: 'success', scale: { domain: [0, 1] } },
        color: { field: 'split', type: 'nominal', title: null, sort: null, legend: { orient: 'top' } },
      },
    } as unknown as TopLevelSpec,
  };
}

/** The two rows the report states in words: the final checkpoint and the paper's selection. */
export function curveNotes(doc: CurveDoc): string[] {
  const row = (step: number): string => {
    const s = doc.steps.find((x) => x.step === step);
    return (s?.splits ?? []).map((x) => `${x.split} ${x.success.toFixed(2)}`).join(', ');
  };
  const fake = doc.fake.length > 0 ? doc.fake.join(', ') : 'none';
  return [
    `Learning curve ${doc.method} (${doc.task}), final checkpoint (step ${doc.finalStep}): ${row(doc.finalStep)}.`,
    `Learning curve ${doc.method} (${doc.task}), the paper's rule — the checkpoint with the best mean success over the non-Fake splits (Fake here: ${fake}) — picks step ${doc.bestStep}: ${row(doc.bestStep)}. The rule selects on the test splits themselves, so these numbers are optimistic.`,
  ];
}
