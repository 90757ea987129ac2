import type { Command } from '../main.js';
import { parsePipelineCommand } from '../engine-io.js';
import type { CommandEnv } from '../engine-io.js';

const USAGE = `Usage: pipe plan <pipeline.yaml> [--set node.param=value]… [--only node]… [--force node]… [--store DIR] [--json]

For each node: cached, run (with the typed reason and the field-level changes against the last recorded key), or
pending (downstream of something that will run; stays cached if that output does not change). Writes nothing.
`;

/** `pipe plan`: prints the plan; exit 0 (2 for bad input). */
export async function planCommand(args: readonly string[], envIn: CommandEnv = {}): Promise<number> {
  const parsed = await parsePipelineCommand(
    'plan',
    args,
    {
      set: { type: 'string', multiple: true },
      only: { type: 'string', multiple: true },
      force: { type: 'string', multiple: true },
      store: { type: 'string' },
      json: { type: 'boolean' },
    },
    USAGE,
    envIn,
  );
  if (typeof parsed === 'number') return parsed;
  const { values, env, pipeline } = parsed;
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

/** `pipe plan` with the built-in library. */
export const command: Command = (args) => planCommand(args);
