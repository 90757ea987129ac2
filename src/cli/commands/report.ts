/**
 * `pipe report <pipeline.yaml>`: prints the path of the pipeline's report page (report.html, written by its
 * `report` node during `pipe run`) for the given `--set` overrides. One page per report node, whichever command
 * asks: this command reads the store and runs nothing (with --out it copies the page out).
 */
import { dirname, join, resolve } from 'node:path';
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
  summary: "print the path of a pipeline's report page",
  args: ['<pipeline.yaml>'],
  description: `Prints the path of the pipeline's report page (report.html), as \`pipe run\` built it with the same --set
overrides (run it first). --out DIR also copies the page and its charts there.`,
  options: [
    { flags: '--store <dir>', description: "store directory (default: the pipeline's 'store:')", complete: 'dir' },
    { flags: '--set <node.param=value>', description: 'override a param, as given to pipe run', repeatable: true },
    { flags: '--out <dir>', description: 'copy the page and its charts there', complete: 'dir' },
    { flags: '--json', description: 'the page paths as JSON' },
  ],
  action: (args, values, ctx) => report(args[0] as string, values, ctx),
});

/** `pipe report` with injectable I/O and library (tests). */
export const reportCommand = commandFunction(spec);

async function report(fileArg: string, values: ReportOptions, ctx: CommandContext): Promise<number> {
  const parsed = await loadPipelineArg(fileArg, values, ctx);
  if (typeof parsed === 'number') return parsed;
  const { env, file, pipeline } = parsed;
  const reportNodes = pipeline.instances.filter((i) => i.kind.kind === 'report');
  if (reportNodes.length === 0) {
    env.err(`pipe report: ${file} has no report node (add one: kind: report, inputs: { runs: 'eval[*].summary' })\n`);
    return 1;
  }
  const { planPipeline } = await import('../../engine/plan.js');
  const { openStore } = await import('../../engine/store.js');
  const { REPORT_PAGE } = await import('../../nodes/report/report-node.js');
  const store = openStore(pipeline.store);
  const plan = new Map(planPipeline(pipeline).map((p) => [p.id, p]));
  const reports: { id: string; page: string }[] = [];
  const missing: string[] = [];
  for (const inst of reportNodes) {
    const item = plan.get(inst.id);
    const artifact = item?.status === 'cached' && item.key !== undefined ? store.readEntry(item.key)?.outputs.report : undefined;
    if (artifact === undefined) missing.push(inst.id);
    else reports.push({ id: inst.id, page: join(await store.artifactPath(artifact), REPORT_PAGE) });
  }
  if (values.out !== undefined) {
    const { cp } = await import('node:fs/promises');
    for (const [i, r] of reports.entries()) {
      const to = resolve(values.out, reports.length > 1 ? r.id : '');
      await cp(dirname(r.page), to, { recursive: true });
      reports[i] = { id: r.id, page: join(to, REPORT_PAGE) };
    }
  }
  const setArgs = (values.set ?? []).map((s) => ` --set ${s}`).join('');
  if (values.json) env.out(`${JSON.stringify({ reports, missing })}\n`);
  else for (const r of reports) env.out(`${reportNodes.length > 1 ? `${r.id}: ` : ''}${r.page}\n`);
  if (missing.length > 0) {
    env.err(`pipe report: not built yet for these params: ${missing.join(', ')}; run \`pipe run ${file}${setArgs}\`\n`);
    return 1;
  }
  return 0;
}
