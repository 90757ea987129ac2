import { type CommandContext, defineCommand } from '../command-spec.js';
import { loadPipelineArg } from '../engine-io.js';
import { commandFunction } from '../program.js';

interface PlanOptions {
  readonly set?: string[];
  readonly only?: string[];
  readonly force?: string[];
  readonly store?: string;
  readonly json?: boolean;
  readonly dot?: boolean;
  readonly mermaid?: boolean;
}

/** `pipe plan`: prints the plan; exit 0 (2 for bad input). */
export const spec = defineCommand<PlanOptions>({
  name: 'plan',
  group: 'Pipelines',
  rank: 2,
  summary: 'what would run and why, without running anything; the DAG as a picture',
  args: ['<pipeline.yaml>'],
  description: `For each node: cached, run (with the typed reason and the field-level changes against the last recorded key), or
pending (downstream of something that will run; stays cached if that output does not change). Writes nothing.`,
  options: [
    { flags: '--set <node.param=value>', description: 'override a param (value parsed as YAML)', repeatable: true },
    { flags: '--only <node>', description: 'plan only this node and its ancestors', repeatable: true },
    { flags: '--force <node>', description: 'plan this node as if forced', repeatable: true },
    { flags: '--store <dir>', description: "store directory (default: the pipeline's 'store:')", complete: 'dir' },
    { flags: '--json', description: 'the plan as JSON' },
    { flags: '--dot', description: 'the DAG in Graphviz DOT, coloured by plan status (pipe plan x.yaml --dot | dot -Tsvg > dag.svg)' },
    { flags: '--mermaid', description: 'the DAG as a Mermaid flowchart (renders in Markdown on GitHub)' },
  ],
  action: (args, values, ctx) => plan(args[0] as string, values, ctx),
});

/** `pipe plan` with injectable I/O and library (tests). */
export const planCommand = commandFunction(spec);

async function plan(file: string, values: PlanOptions, ctx: CommandContext): Promise<number> {
  if ([values.json, values.dot, values.mermaid].filter(Boolean).length > 1) return ctx.usageError('--json, --dot and --mermaid are exclusive');
  const parsed = await loadPipelineArg(file, values, ctx);
  if (typeof parsed === 'number') return parsed;
  const { env, pipeline } = parsed;
  const { matchInstances, withAncestors } = await import('../../engine/select.js');
  const only = matchInstances(pipeline, values.only ?? []);
  const force = matchInstances(pipeline, values.force ?? []);
  const unknown = [...only.unknown, ...force.unknown];
  if (unknown.length > 0) {
    env.err(`pipe plan: unknown node${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}\n`);
    return 2;
  }
  const { planPipeline } = await import('../../engine/plan.js');
  const items = planPipeline(pipeline, {
    force: force.ids,
    ...(values.only !== undefined ? { only: withAncestors(pipeline, only.ids) } : {}),
  });
  if (values.dot || values.mermaid) {
    const { toDot, toMermaid } = await import('../dag-format.js');
    const status = new Map(items.map((i) => [i.id, i.status]));
    env.out(values.dot ? toDot(pipeline, status) : toMermaid(pipeline, status));
    return 0;
  }
  if (values.json) {
    env.out(`${JSON.stringify({ pipeline: pipeline.name, nodes: items.map(({ id, status, reasonType, reason, changes }) => ({ id, status, reason_type: reasonType, reason, changes })) })}\n`);
    return 0;
  }
  const width = Math.max(...items.map((i) => i.id.length));
  const lines: string[] = [];
  const n = (s: string): number => items.filter((i) => i.status === s).length;
  lines.push(`${pipeline.name}: ${n('run')} will run, ${n('pending')} pending, ${n('cached')} cached`);
  for (const item of items) {
    const label = item.status === 'run' ? 'will run' : item.status;
    const head = `  ${label.padEnd(8)} ${item.id.padEnd(width)}`;
    if (item.status === 'cached') {
      lines.push(head);
    } else if (item.status === 'run' && item.reasonType === 'changed') {
      lines.push(`${head}  (${item.reasonType})`);
      for (const c of item.changes) lines.push(`  ${' '.repeat(8)} ${' '.repeat(width)}    ${c}`);
    } else {
      lines.push(`${head}  (${item.reasonType}) ${item.reason}`);
    }
  }
  env.out(`${lines.join('\n')}\n`);
  return 0;
}
