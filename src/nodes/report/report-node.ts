/**
 * `report`: the study's results page. Takes any number of inputs — evaluator `summary` files and trainer `model`
 * directories (for their train-log.jsonl) — and writes a directory with report.md, index.html and SVG charts.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { NodeKind } from '../../engine/node-kind.js';
import { aggregate, cellKey } from './aggregate.js';
import { renderHtml, renderMarkdown, type ReportData } from './render.js';
import { parseEvalSummary, type EvalSummary } from './summary.js';
import { barChart, lineChart, type Series } from './svg.js';
import { parseTrainLog, TRAIN_LOG_FILE } from './train-log.js';

export interface ReportParams {
  readonly title?: string;
  /** Shell commands that reproduce the report, printed verbatim. */
  readonly reproduce?: string;
  readonly notes?: readonly string[];
}

const DEFAULT_REPRODUCE = 'npx pipe run <this pipeline.yaml>\nnpx pipe query "select * from eval_summary"';

/** Reads every input, classifying each as an eval summary (file) or a training run (directory with a log). */
export async function collectInputs(inputs: Readonly<Record<string, string>>): Promise<{
  summaries: EvalSummary[];
  curves: { name: string; log: ReturnType<typeof parseTrainLog> }[];
}> {
  const summaries: EvalSummary[] = [];
  const curves: { name: string; log: ReturnType<typeof parseTrainLog> }[] = [];
  for (const name of Object.keys(inputs).sort()) {
    const path = inputs[name] as string;
    const st = await stat(path);
    if (st.isDirectory()) {
      const logPath = join(path, TRAIN_LOG_FILE);
      if (!existsSync(logPath)) {
        throw new Error(`report input '${name}' is a directory without ${TRAIN_LOG_FILE} (expected a trainer's model output)`);
      }
      curves.push({ name, log: parseTrainLog(await readFile(logPath, 'utf8'), `input '${name}'`) });
    } else {
      summaries.push(parseEvalSummary(await readFile(path, 'utf8'), `report input '${name}'`));
    }
  }
  return { summaries, curves };
}

/** Builds the report's data (tables and charts) from the collected inputs. Pure. */
export function buildReport(
  params: ReportParams,
  summaries: readonly EvalSummary[],
  curves: readonly { name: string; log: ReturnType<typeof parseTrainLog> }[],
): ReportData {
  const table = aggregate(summaries);
  const charts: { file: string; caption: string; svg: string }[] = [];
  for (const t of table.tasks) {
    const series = t.methods.map((m) => ({
      name: m,
      bars: t.splits.map((s) => {
        const c = t.cells.get(cellKey(m, s));
        return c === undefined ? undefined : { value: c.success, low: c.ciLow, high: c.ciHigh };
      }),
    }));
    charts.push({ file: `success-${t.task}.svg`, caption: `${t.task}: success per split`, svg: barChart(`${t.task}: success per split (95% CI)`, t.splits, series) });
  }
  const lossSeries: Series[] = [];
  const rewardSeries: Series[] = [];
  for (const c of curves) {
    const pick = (f: (r: (typeof c.log)[number]) => number | undefined): [number, number][] =>
      c.log.flatMap((r) => {
        const v = f(r);
        return v === undefined || !Number.isFinite(v) ? [] : [[r.step, v] as [number, number]];
      });
    const train = pick((r) => r.loss);
    const val = pick((r) => r.val_loss);
    const reward = pick((r) => r.reward);
    if (reward.length > 0) rewardSeries.push({ name: c.name, points: reward });
    else if (train.length > 0) lossSeries.push({ name: `${c.name} train`, points: train });
    if (val.length > 0) lossSeries.push({ name: `${c.name} val`, points: val });
  }
  if (lossSeries.length > 0) {
    charts.push({ file: 'loss.svg', caption: 'SFT training and validation loss', svg: lineChart('loss', lossSeries, { xLabel: 'step', yLabel: 'loss' }) });
  }
  if (rewardSeries.length > 0) {
    charts.push({ file: 'reward.svg', caption: 'GRPO mean rollout reward', svg: lineChart('reward', rewardSeries, { xLabel: 'step', yLabel: 'reward' }) });
  }
  return {
    title: params.title ?? 'pipe study report',
    table,
    charts,
    reproduce: params.reproduce ?? DEFAULT_REPRODUCE,
    notes: params.notes ?? [],
  };
}

export const reportKind: NodeKind<ReportParams> = {
  kind: 'report',
  description: 'Results page (Markdown + HTML + SVG charts) from evaluator summaries and training logs',
  module: import.meta.url,
  params: {
    type: 'object',
    additionalProperties: false,
    properties: {
      title: { type: 'string' },
      reproduce: { type: 'string' },
      notes: { type: 'array', items: { type: 'string' } },
    },
  },
  inputs: '*',
  outputs: ['report'],
  resources: { cpu: 1 },
  async run(ctx) {
    const { summaries, curves } = await collectInputs(ctx.inputs);
    if (summaries.length === 0) throw new Error('report: no evaluation summary among the inputs (wire eval nodes\' `summary` outputs)');
    const data = buildReport(ctx.params, summaries, curves);
    const dir = ctx.output('report');
    await mkdir(dir, { recursive: true });
    for (const c of data.charts) await writeFile(join(dir, c.file), c.svg);
    await writeFile(join(dir, 'report.md'), renderMarkdown(data));
    await writeFile(join(dir, 'index.html'), renderHtml(data));
    ctx.log(`report: ${summaries.length} summaries, ${curves.length} training logs → ${dir}`);
    ctx.progress({ done: 1, total: 1, unit: 'report' });
  },
};
