import type { Command } from '../main.js';
import { parsePipelineCommand } from '../engine-io.js';
import type { CommandEnv } from '../engine-io.js';

const USAGE = `Usage: pipe audit <pipeline.yaml> [--node id]… [--store DIR] [--json]

Re-executes cached nodes with the cache off (in a temp directory) and compares output digests with the store (or
metrics within tolerance for nondeterministic kinds); verifies the hash of every stored object.
Exit 1 if anything does not match.
`;

/** `pipe audit`: 0 all match, 1 mismatches, 2 bad input. */
export async function auditCommand(args: readonly string[], envIn: CommandEnv = {}): Promise<number> {
  const parsed = await parsePipelineCommand(
    'audit',
    args,
    {
      node: { type: 'string', multiple: true },
      store: { type: 'string' },
      json: { type: 'boolean' },
    },
    USAGE,
    envIn,
  );
  if (typeof parsed === 'number') return parsed;
  const { values, env, pipeline } = parsed;
  const { matchInstances } = await import('../../engine/select.js');
  const sel = matchInstances(pipeline, values.node ?? []);
  if (sel.unknown.length > 0) {
    env.err(`pipe audit: unknown node: ${sel.unknown.join(', ')}\n`);
    return 2;
  }
  const { auditPipeline } = await import('../../engine/audit.js');
  const result = await auditPipeline(pipeline, {
    ...(values.node ? { only: sel.ids } : {}),
    ...(env.signal ? { signal: env.signal } : {}),
    onNode: (n) => {
      if (!values.json) env.err(`[${n.status}] ${n.id}${n.details.map((d) => `\n  ${d}`).join('')}\n`);
    },
  });
  if (values.json) {
    env.out(`${JSON.stringify(result)}\n`);
  } else {
    const bad = result.nodes.filter((n) => n.status === 'mismatch' || n.status === 'failed').length;
    for (const d of result.corruptObjects) env.out(`corrupt object ${d}\n`);
    env.out(
      `${result.ok ? 'audit passed' : 'audit FAILED'}: ${result.nodes.filter((n) => n.status === 'ok').length} nodes reproduced, ${bad} mismatched, ` +
        `${result.nodes.filter((n) => n.status === 'not-cached').length} not cached; ${result.objectsChecked} objects verified, ${result.corruptObjects.length} corrupt\n`,
    );
  }
  return result.ok ? 0 : 1;
}

export const command: Command = (args) => auditCommand(args);
