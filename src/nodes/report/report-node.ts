/**
 * `report`: the pipeline's results page. Takes any number of inputs — evaluator `summary` files and trainer `model`
 * directories (for their train-log.jsonl), plain or gathered (`eval[*].summary`) — and writes a directory with
 * report.html (self-contained), report.md and the charts as SVG. It is told about its pipeline (`$pipeline`: file,
 * `--set` overrides, commit, upstream params), so the page names the exact command that reproduces it and its
 * notes follow the params that were run.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { NodeKind, PipelineContext } from '../../engine/node-kind.js';
import { aggregate, bindingFromId, type LabelledSummary } from './aggregate.js';
import { type ChartSpec, type Curve, lossChart, renderSvg, successChart, trainingChart } from './charts.js';
import { asCurveDoc, curveChart, curveNotes } from './curve-section.js';
import type { CurveDoc } from '../eval/curve.js';
import { generatedNotes } from './notes.js';
import { effectsSection } from './effects.js';
import { renderHtml, renderMarkdown, type ReportData } from './render.js';
import { parseEvalSummary, type EvalSummary } from '../eval/summary.js';
import { parseTrainLog, TRAIN_LOG_FILE } from '../train/train-log.js';
import { ParamsObject, Type, type Static } from '../params.js';

/** report's params, declared once. */
export const reportParams = ParamsObject({
  title: Type.Optional(Type.String({ description: "page title (default: '<pipeline name>: results')" })),
  reproduce: Type.Optional(Type.String({ description: 'extra shell commands shown after the generated `pipe run` line' })),
  notes: Type.Optional(Type.Array(Type.String(), { description: 'notes shown under the results (generated ones follow from the params)' })),
});
/** The params the node sees: its own, plus `$pipeline`, set by the engine (the kind wants its pipeline). */
export type ReportParams = Static<typeof reportParams> & { readonly $pipeline?: PipelineContext };

/** The page's file name inside the `report` output. */
export const REPORT_PAGE = 'report.html';

/** Reads every input: summary files, model directories, and gathered directories of either. */
export async function collectInputs(
  inputs: Readonly<Record<string, string>>,
): Promise<{ summaries: EvalSummary[]; curves: Curve[]; evalCurves: { name: string; doc: CurveDoc }[] }> {
  const summaries: EvalSummary[] = [];
  const curves: Curve[] = [];
  const evalCurves: { name: string; doc: CurveDoc }[] = [];
  const visit = async (name: string, path: string, depth: number): Promise<void> => {
    const st = await stat(path);
    if (!st.isDirectory()) {
      const text = await readFile(path, 'utf8');
      let doc: CurveDoc | undefined;
      try {
        doc = asCurveDoc(JSON.parse(text));
      } catch {
        doc = undefined;
      }
      if (doc !== undefined) evalCurves.push({ name, doc });
      else summaries.push(parseEvalSummary(text, `report input '${name}'`));
      return;
    }
    const logPath = join(path, TRAIN_LOG_FILE);
    if (existsSync(logPath)) {
      curves.push({ name, log: parseTrainLog(await readFile(logPath, 'utf8'), `input '${name}'`) });
      return;
    }
    if (depth > 0) throw new Error(`report input '${name}' is a directory without ${TRAIN_LOG_FILE} (expected a trainer's model output)`);
    const entries = (await readdir(path)).sort();
    if (entries.length === 0) throw new Error(`report input '${name}' is a directory without ${TRAIN_LOG_FILE} (expected a trainer's model output)`);
    for (const e of entries) await visit(`${name} ${e}`, join(path, e), depth + 1);
  };
  for (const name of Object.keys(inputs).sort()) await visit(name, inputs[name] as string, 0);
  return { summaries, curves, evalCurves };
}

const axisText = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v));

/** A `--set` as a shell word (quoted when it has characters a shell would read). */
function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", "'\\''")}'`;
}

/** The command lines that rebuild this page. */
export function reproduceCommand(context: PipelineContext | undefined, nodeId: string, extra?: string): string {
  const lines: string[] = [];
  if (context !== undefined) {
    lines.push(['npx pipe run', shellWord(context.file), ...context.overrides.map((o) => `--set ${shellWord(o)}`)].join(' '));
    lines.push(`npx pipe show ${shellWord(nodeId.replace(/\[.*$/, ''))}   # prints this page's path`);
  } else {
    lines.push('npx pipe run <this pipeline.yaml>');
  }
  lines.push('npx pipe query "select * from eval_summary"');
  const more = (extra ?? '').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !lines.includes(l));
  return [...lines, ...more].join('\n');
}

/** Params for display: the engine's `$pipeline` left out, file params shown by their path. */
function displayParams(params: Readonly<Record<string, unknown>>): string {
  return JSON.stringify(params, (k, v: unknown) => {
    if (k === '$pipeline') return undefined;
    if (typeof v === 'object' && v !== null && '$file' in v) return (v as { $file: unknown }).$file;
    return v;
  });
}

/** Builds the report's data (tables, chart specs, provenance) from the collected inputs. Pure. */
export function buildReport(
  params: ReportParams,
  summaries: readonly EvalSummary[],
  curves: readonly Curve[],
  run: { readonly nodeId?: string; readonly runId?: string } = {},
  evalCurves: readonly { name: string; doc: CurveDoc }[] = [],
): Omit<ReportData, 'charts'> & { readonly chartSpecs: readonly ChartSpec[] } {
  const context = params.$pipeline;
  const bindings = new Map((context?.instances ?? []).map((i) => [i.id, Object.fromEntries(Object.entries(i.binding).map(([a, v]) => [a, axisText(v)]))]));
  const labelled: LabelledSummary[] = summaries.map((s) => ({ summary: s, binding: bindings.get(s.node) ?? bindingFromId(s.node) }));
  const table = aggregate(labelled);
  const chartSpecs: ChartSpec[] = table.tasks.map(successChart);
  const withLogs = curves.filter((c) => c.log.length > 0);
  const loss = lossChart(withLogs);
  if (loss !== undefined) chartSpecs.push(loss);
  const training = trainingChart(withLogs);
  if (training !== undefined) chartSpecs.push(training);
  for (const c of evalCurves) chartSpecs.push(curveChart(c.name, c.doc));
  const provenance: [string, string][] = [];
  if (context !== undefined) {
    provenance.push(['pipeline', `${context.name} (${context.file})`]);
    provenance.push(['overrides', context.overrides.length > 0 ? context.overrides.map((o) => `--set ${o}`).join(' ') : 'none']);
    provenance.push(['commit', context.commit ?? 'not in a git checkout']);
  }
  if (run.runId !== undefined) provenance.push(['run', `${run.runId} (the run that wrote this page)`]);
  const notes = [
    ...(context !== undefined ? generatedNotes(context, new Map(summaries.map((s) => [s.node, s]))) : []),
    ...evalCurves.flatMap((c) => curveNotes(c.doc)),
    ...(params.notes ?? []),
  ];
  return {
    title: params.title ?? (context !== undefined ? `${context.name}: results` : 'pipe study report'),
    provenance,
    table,
    chartSpecs,
    reproduce: reproduceCommand(context, run.nodeId ?? 'report', params.reproduce),
    notes,
    params: (context?.instances ?? []).map((i) => ({ id: i.id, kind: i.kind, params: displayParams(i.params) })),
    effects: effectsSection(summaries),
  };
}

/** Renders the charts and returns the complete report data. */
export async function renderReport(built: ReturnType<typeof buildReport>): Promise<ReportData> {
  const { chartSpecs, ...rest } = built;
  const charts = [];
  for (const c of chartSpecs) charts.push({ file: c.file, caption: c.caption, svg: await renderSvg(c.spec) });
  return { ...rest, charts };
}

/** Writes report.html, report.md and the SVG charts into `dir`. */
export async function writeReport(dir: string, data: ReportData): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const c of data.charts) await writeFile(join(dir, c.file), c.svg);
  await writeFile(join(dir, 'report.md'), renderMarkdown(data) + (data.effects ?? ''));
  await writeFile(join(dir, REPORT_PAGE), renderHtml(data));
}

export const reportKind: NodeKind<ReportParams> = {
  kind: 'report',
  description: 'Results page (report.html + report.md + SVG charts) from evaluator summaries and training logs',
  module: import.meta.url,
  params: reportParams,
  inputs: '*',
  outputs: ['report'],
  resources: { cpu: 1 },
  wantsPipeline: true,
  async run(ctx) {
    const { summaries, curves, evalCurves } = await collectInputs(ctx.inputs);
    if (summaries.length === 0) throw new Error('report: no evaluation summary among the inputs (wire eval nodes\' `summary` outputs)');
    const run = { nodeId: ctx.id, ...(ctx.runId !== undefined ? { runId: ctx.runId } : {}) };
    const data = await renderReport(buildReport(ctx.params, summaries, curves, run, evalCurves));
    const dir = ctx.output('report');
    await writeReport(dir, data);
    ctx.log(`report: ${summaries.length} summaries, ${curves.length} training logs → ${join(dir, REPORT_PAGE)}`);
    ctx.progress({ done: 1, total: 1, unit: 'report' });
  },
};
