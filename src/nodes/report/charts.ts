/**
 * The report's charts as Vega-Lite specs, compiled and rendered to SVG in Node (vega's headless SVG renderer: no
 * canvas, no browser): success per split with Wilson intervals, value labels and the paper's number as a marker;
 * training loss on a log axis with round ticks (train drawn over val); lr, grad-norm and reward curves. Throughput
 * (tokens/s) is wall-clock, so it lives in the `metrics` view, not in this content-addressed page.
 * The specs are plain data, so the SVG text depends only on the numbers.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { ResultsTable } from './aggregate.js';
import { cellKey } from './aggregate.js';
import { PAPER_SOURCE, paperNumber } from './paper-numbers.js';
import type { TrainLogRow } from '../train/train-log.js';

/** A chart of the report: file name, caption, and its Vega-Lite spec. */
export interface ChartSpec {
  readonly file: string;
  readonly caption: string;
  readonly spec: TopLevelSpec;
}

const WIDTH = 960;
const CONFIG = {
  font: 'Helvetica, Arial, sans-serif',
  view: { stroke: null },
  axis: { labelFontSize: 11, titleFontSize: 12, grid: true, gridColor: '#e8e8e8' },
  legend: { labelFontSize: 11, titleFontSize: 11, labelLimit: 320 },
  title: { fontSize: 14, anchor: 'start' },
} as const;

/** Round tick values (1, 2, 5 × 10^k) from the largest at or below `lo` to the smallest at or above `hi`, for log axes. */
export function roundLogTicks(lo: number, hi: number): number[] {
  if (!(lo > 0) || !(hi > 0)) return [];
  const seq: number[] = [];
  for (let e = Math.floor(Math.log10(lo)) - 1; e <= Math.ceil(Math.log10(hi)) + 1; e++) {
    for (const m of [1, 2, 5]) seq.push(Number((m * 10 ** e).toPrecision(1)));
  }
  const first = seq.filter((v) => v <= lo * 1.0001).at(-1) as number;
  const last = seq.find((v) => v >= hi / 1.0001) as number;
  return seq.filter((v) => v >= first && v <= last);
}

/** Success per split: one bar per table row, whiskers for the Wilson interval, the value above it, the paper as ◆. */
export function successChart(table: ResultsTable['tasks'][number]): ChartSpec {
  const rows = table.rows.map((r) => r.label);
  const bars = table.rows.flatMap((r) =>
    table.splits.flatMap((split) => {
      const c = table.cells.get(cellKey(r.key, split));
      return c === undefined ? [] : [{ row: r.label, split, success: c.success, lo: c.ciLow, hi: c.ciHigh, value: c.success.toFixed(2) }];
    }),
  );
  const paper = table.rows.flatMap((r) =>
    table.splits.flatMap((split) => {
      const p = paperNumber(table.task, r.method, split);
      return p === undefined ? [] : [{ row: r.label, split, paper: p, source: PAPER_SOURCE }];
    }),
  );
  const x = { field: 'split', type: 'nominal', sort: table.splits, title: null, axis: { labelAngle: -20, labelAlign: 'right', labelLimit: 240, labelFontSize: 11, grid: false } } as const;
  const xOffset = { field: 'row', type: 'nominal', sort: rows } as const;
  const y = { type: 'quantitative', scale: { domain: [0, 1.08], nice: false, clamp: true } } as const;
  const layers: unknown[] = [
    {
      mark: { type: 'bar', opacity: 0.9 },
      encoding: {
        x, xOffset,
        y: { ...y, field: 'success', title: 'success rate', axis: { values: [0, 0.2, 0.4, 0.6, 0.8, 1], format: '.1f' } },
        color: { field: 'row', type: 'nominal', sort: rows, title: null, legend: { orient: 'top', direction: 'horizontal', columns: 4 } },
      },
    },
    { mark: { type: 'rule', color: '#222', strokeWidth: 1 }, encoding: { x, xOffset, y: { ...y, field: 'lo' }, y2: { field: 'hi' } } },
    {
      mark: { type: 'text', baseline: 'bottom', dy: -2, fontSize: 9, color: '#222' },
      encoding: { x, xOffset, y: { ...y, field: 'hi' }, text: { field: 'value' } },
    },
  ];
  if (paper.length > 0) {
    layers.push({
      data: { values: paper },
      mark: { type: 'point', shape: 'diamond', filled: true, size: 60, color: '#000', opacity: 0.85 },
      encoding: {
        x, xOffset,
        y: { ...y, field: 'paper' },
        shape: { field: 'source', type: 'nominal', title: null, scale: { range: ['diamond'] }, legend: { orient: 'top' } },
      },
    });
  }
  return {
    file: `success-${table.task}.svg`,
    caption: `${table.task}: success per split — bars pipe (value above, whisker = 95 % Wilson interval)${paper.length > 0 ? `, ◆ ${PAPER_SOURCE} for the same method` : ''}`,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: `${table.task}: success per split`,
      width: WIDTH,
      height: 300,
      config: CONFIG,
      data: { values: bars },
      layer: layers,
      resolve: { scale: { color: 'independent', shape: 'independent' } },
    } as unknown as TopLevelSpec,
  };
}

/** One trainer's log, named for legends. */
export interface Curve {
  readonly name: string;
  readonly log: readonly TrainLogRow[];
}

function points(curves: readonly Curve[], field: keyof TrainLogRow, series?: string): { run: string; series: string; step: number; value: number }[] {
  return curves.flatMap((c) =>
    c.log.flatMap((r) => {
      const v = r[field];
      return typeof v === 'number' && Number.isFinite(v) && typeof r.step === 'number' ? [{ run: c.name, series: series ?? field, step: r.step, value: v }] : [];
    }),
  );
}

/** Training (and validation) loss per step on a log axis with round ticks; train is drawn over val. */
export function lossChart(curves: readonly Curve[]): ChartSpec | undefined {
  const train = points(curves, 'loss', 'train');
  const val = points(curves, 'val_loss', 'val');
  const all = [...val, ...train].filter((p) => p.value > 0);
  if (all.length === 0) return undefined;
  const values = all.map((p) => p.value);
  const ticks = roundLogTicks(Math.min(...values), Math.max(...values));
  const enc = {
    x: { field: 'step', type: 'quantitative', title: 'step', scale: { nice: true } },
    y: { field: 'value', type: 'quantitative', title: 'loss (log scale)', scale: { type: 'log', domain: [ticks[0], ticks[ticks.length - 1]] }, axis: { values: ticks, format: '~g' } },
    color: { field: 'run', type: 'nominal', title: null, legend: { orient: 'top', symbolType: 'stroke' } },
    strokeDash: { field: 'series', type: 'nominal', title: null, sort: ['train', 'val'], scale: { domain: ['train', 'val'], range: [[1, 0], [5, 3]] }, legend: { orient: 'top', symbolType: 'stroke', symbolStrokeColor: '#333' } },
  } as const;
  return {
    file: 'loss.svg',
    caption: 'Training loss per step (solid) and validation loss (dashed), log scale',
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: 'loss',
      width: WIDTH,
      height: 280,
      config: CONFIG,
      layer: [
        // val first, so the (noisier, denser) train line is drawn over it
        { data: { values: all.filter((p) => p.series === 'val') }, mark: { type: 'line', strokeWidth: 2.2, opacity: 0.65, point: { size: 18 } }, encoding: enc },
        { data: { values: all.filter((p) => p.series === 'train') }, mark: { type: 'line', strokeWidth: 1.2 }, encoding: enc },
      ],
    } as unknown as TopLevelSpec,
  };
}

/** Small multiples of the other logged quantities: lr, gradient norm (log axis), GRPO reward. */
export function trainingChart(curves: readonly Curve[]): ChartSpec | undefined {
  const panels = (
    [
      ['lr', 'learning rate', false],
      ['grad_norm', 'gradient norm (log scale)', true],
      ['reward', 'mean rollout reward', false],
    ] as const
  ).flatMap(([field, title, log]) => {
    const data = points(curves, field).filter((p) => !log || p.value > 0);
    if (data.length === 0) return [];
    const vs = data.map((p) => p.value);
    const ticks = log ? roundLogTicks(Math.min(...vs), Math.max(...vs)) : [];
    return [{
      title,
      width: 290,
      height: 170,
      data: { values: data },
      mark: { type: 'line', strokeWidth: 1.2 },
      encoding: {
        x: { field: 'step', type: 'quantitative', title: 'step' },
        y: {
          field: 'value', type: 'quantitative', title: null,
          ...(log ? { scale: { type: 'log', domain: [ticks[0], ticks[ticks.length - 1]] }, axis: { values: ticks, format: '~g' } } : { scale: { zero: false }, axis: { format: '~g', tickCount: 5 } }),
        },
        color: { field: 'run', type: 'nominal', title: null, legend: { orient: 'top', symbolType: 'stroke' } },
      },
    }];
  });
  if (panels.length === 0) return undefined;
  return {
    file: 'training.svg',
    caption: 'Training: learning rate, gradient norm and (GRPO) reward per step. Throughput: pipe query "select node_id, step, value from metrics where name = \'tokens_per_s\'"',
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      config: { ...CONFIG, title: { fontSize: 12, anchor: 'start' } },
      hconcat: panels,
    } as unknown as TopLevelSpec,
  };
}

/** Compiles a Vega-Lite spec and renders it to SVG text, headless. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const [vega, vl] = await Promise.all([import('vega'), import('vega-lite')]);
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
