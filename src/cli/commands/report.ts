/**
 * `pipe report <pipeline.yaml>`: prints where the pipeline's report node(s) wrote, and builds one combined report
 * over every evaluator instance of the pipeline (all matrix seeds: mean ± sd over seeds, Wilson CI over pooled
 * episodes) plus the training curves of its trainers — the cross-seed view a per-instance report node cannot give.
 * Reads the store only; never runs a node.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type CommandContext, defineCommand } from '../command-spec.js';
import { loadPipelineArg } from '../engine-io.js';
import { commandFunction } from '../program.js';

interface ReportOptions {
  readonly store?: string;
  readonly set?: string[];
  readonly out?: string;
  readonly json?: boolean;
}

/** `pipe report`. */
export const spec = defineCommand<ReportOptions>({
  name: 'report',
  group: 'Pipelines',
  rank: 5,
  summary: "write the results report of a pipeline's evaluations",
  args: ['<pipeline.yaml>'],
  description: `Prints where the pipeline's report nodes wrote (run \`pipe run\` first) and writes a combined report over all its
evaluator instances (every matrix seed) to --out (default: <store>/reports/<pipeline name>/).`,
  options: [
    { flags: '--store <dir>', description: "store directory (default: the pipeline's 'store:')", complete: 'dir' },
    { flags: '--set <node.param=value>', description: 'override a param, as given to pipe run', repeatable: true },
    { flags: '--out <dir>', description: 'where to write the combined report', complete: 'dir' },
    { flags: '--json', description: 'where it wrote, as JSON' },
  ],
  action: (args, values, ctx) => report(args[0] as string, values, ctx),
});

/** `pipe report` with injectable I/O and library (tests). */
export const reportCommand = commandFunction(spec);

const EVAL_KINDS = new Set(['eval.sokoban', 'eval.gp']);
const TRAIN_KINDS = new Set(['train.sft', 'train.grpo']);

async function report(fileArg: string, values: ReportOptions, ctx: CommandContext): Promise<number> {
  const parsed = await loadPipelineArg(fileArg, values, ctx);
  if (typeof parsed === 'number') return parsed;
  const { env, file, pipeline } = parsed;
  const { planPipeline } = await import('../../engine/plan.js');
  const { openStore } = await import('../../engine/store.js');
  const store = openStore(pipeline.store);
  const plan = new Map(planPipeline(pipeline).map((p) => [p.id, p]));

  const outputOf = async (id: string, output: string): Promise<string | undefined> => {
    const item = plan.get(id);
    if (item?.status !== 'cached' || item.key === undefined) return undefined;
    const artifact = store.readEntry(item.key)?.outputs[output];
    return artifact === undefined ? undefined : store.artifactPath(artifact);
  };

  const reports: { id: string; dir: string }[] = [];
  const missing: string[] = [];
  const summaries: string[] = [];
  const curves: { name: string; dir: string }[] = [];
  for (const inst of pipeline.instances) {
    const kind = inst.kind.kind;
    if (kind === 'report') {
      const dir = await outputOf(inst.id, 'report');
      if (dir === undefined) missing.push(inst.id);
      else reports.push({ id: inst.id, dir });
    } else if (EVAL_KINDS.has(kind)) {
      const file = await outputOf(inst.id, 'summary');
      if (file === undefined) missing.push(inst.id);
      else summaries.push(file);
    } else if (TRAIN_KINDS.has(kind)) {
      const dir = await outputOf(inst.id, 'model');
      if (dir !== undefined) curves.push({ name: inst.id, dir });
    }
  }
  if (summaries.length === 0 && reports.length === 0) {
    env.err(`pipe report: nothing evaluated yet in ${pipeline.file}; run \`pipe run ${file}\` first\n`);
    return 1;
  }
  const { buildReport } = await import('../../nodes/report/report-node.js');
  const { parseEvalSummary } = await import('../../nodes/report/summary.js');
  const { parseTrainLog, TRAIN_LOG_FILE } = await import('../../nodes/report/train-log.js');
  const { renderHtml, renderMarkdown } = await import('../../nodes/report/render.js');
  const parsedSummaries = await Promise.all(summaries.map(async (f) => parseEvalSummary(await readFile(f, 'utf8'), f)));
  const parsedCurves = await Promise.all(
    curves.map(async (c) => ({ name: c.name, log: parseTrainLog(await readFile(join(c.dir, TRAIN_LOG_FILE), 'utf8').catch(() => ''), c.dir) })),
  );
  const data = buildReport(
    { title: `${pipeline.name}: combined report`, reproduce: `npx pipe run ${file}\nnpx pipe report ${file}\nnpx pipe query "select * from eval_summary"` },
    parsedSummaries,
    parsedCurves.filter((c) => c.log.length > 0),
  );
  const outDir = resolve(values.out ?? join(pipeline.store, 'reports', pipeline.name));
  await mkdir(outDir, { recursive: true });
  for (const c of data.charts) await writeFile(join(outDir, c.file), c.svg);
  await writeFile(join(outDir, 'report.md'), renderMarkdown(data));
  await writeFile(join(outDir, 'index.html'), renderHtml(data));

  if (values.json) {
    env.out(JSON.stringify({ reports, combined: { dir: outDir, summaries: summaries.length, curves: parsedCurves.length }, missing }) + '\n');
  } else {
    for (const r of reports) env.out(`${r.id}: ${join(r.dir, 'index.html')}\n`);
    env.out(`combined (${summaries.length} evaluations): ${join(outDir, 'index.html')}\n`);
    if (missing.length > 0) env.err(`not built yet (run \`pipe run\`): ${missing.join(', ')}\n`);
  }
  return 0;
}
