import type { Command } from '../main.js';
import { loadOrReport, ONE_PIPELINE, parseCommandArgs, resolveEnv } from '../engine-io.js';
import type { CommandEnv } from '../engine-io.js';

const USAGE = `Usage: pipe audit <pipeline.yaml> [--node id]… [--store DIR] [--json]

Re-executes cached nodes with the cache off (in a temp directory) and compares output digests with the store (or
metrics within tolerance for nondeterministic kinds); verifies the hash of every stored object.
Exit 1 if anything does not match.
`;

/** `pipe audit`: 0 all match, 1 mismatches, 2 bad input. */
export async function auditCommand(args: readonly string[], envIn: CommandEnv = {}): Promise<number> {
  const parsed = parseCommandArgs(
    'audit',
    args,
    {
      node: { type: 'string', multiple: true },
      store: { type: 'string' },
      json: { type: 'boolean' },
    },
    USAGE,
    ONE_PIPELINE,
    envIn,
  );
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const env = await resolveEnv(envIn);
  const loaded = await loadOrReport(positionals[0] as string, env.library, values.store ? { store: values.store } : {}, env.err);
  if (loaded === undefined) return 2;
  const { matchInstances } = await import('../../engine/select.js');
  const sel = matchInstances(loaded.pipeline, values.node ?? []);
  if (sel.unknown.length > 0) {
    env.err(`pipe audit: unknown node: ${sel.unknown.join(', ')}\n`);
    return 2;
  }
  const { auditPipeline } = await import('../../engine/audit.js');
  const result = await auditPipeline(loaded.pipeline, {
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
