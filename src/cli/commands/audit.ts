import { type CommandContext, defineCommand } from '../command-spec.js';
import { loadPipelineArg } from '../engine-io.js';
import { commandFunction } from '../program.js';
import { plainReporter } from '../run-reporter.js';

interface AuditOptions {
  readonly node?: string[];
  readonly store?: string;
  readonly json?: boolean;
}

/** `pipe audit`: 0 all match, 1 mismatches, 2 bad input. */
export const spec = defineCommand<AuditOptions>({
  name: 'audit',
  group: 'Pipelines',
  rank: 4,
  summary: 're-execute cached nodes with the cache off and compare outputs',
  args: ['<pipeline.yaml>'],
  description: `Re-executes cached nodes with the cache off (in a temp directory) and compares output digests with the store (or
metrics within tolerance for nondeterministic kinds); verifies the hash of every stored object.
Exit 1 if anything does not match.`,
  options: [
    { flags: '--node <id>', description: 'audit only this node', repeatable: true },
    { flags: '--store <dir>', description: "store directory (default: the pipeline's 'store:')", complete: 'dir' },
    { flags: '--json', description: 'the result as JSON' },
  ],
  action: (args, values, ctx) => audit(args[0] as string, values, ctx),
});

/** `pipe audit` with injectable I/O and library (tests). */
export const auditCommand = commandFunction(spec);

async function audit(file: string, values: AuditOptions, ctx: CommandContext): Promise<number> {
  const parsed = await loadPipelineArg(file, values, ctx);
  if (typeof parsed === 'number') return parsed;
  const { env, pipeline } = parsed;
  const { matchInstances } = await import('../../engine/select.js');
  const sel = matchInstances(pipeline, values.node ?? []);
  if (sel.unknown.length > 0) {
    env.err(`pipe audit: unknown node: ${sel.unknown.join(', ')}\n`);
    return 2;
  }
  const { auditPipeline } = await import('../../engine/audit.js');
  // Re-executing a training node takes as long as training did: show its progress as `pipe run` does.
  const progress = values.json ? undefined : plainReporter((line) => env.err(`${line}\n`), new Map(), 'audit');
  const result = await auditPipeline(pipeline, {
    ...(values.node ? { only: sel.ids } : {}),
    ...(env.signal ? { signal: env.signal } : {}),
    onStart: (id) => progress?.onEvent({ type: 'node-start', id, reason: 're-executing with the cache off' }),
    onProgress: (id, update) => progress?.onEvent({ type: 'node-progress', id, update }),
    onNode: (n) => {
      if (!values.json) progress?.message(`[${n.status}] ${n.id}${n.details.map((d) => `\n  ${d}`).join('')}`);
    },
  });
  await progress?.close();
  if (values.json) {
    env.out(`${JSON.stringify(result)}\n`);
  } else {
    const bad = result.nodes.filter((n) => n.status === 'mismatch' || n.status === 'failed').length;
    for (const d of result.corruptObjects) env.out(`corrupt object ${d}\n`);
    for (const d of result.corruptTrees) env.out(`corrupt materialized tree trees/${d} (pipe gc or pipe fsck --repair rebuilds it)\n`);
    env.out(
      `${result.ok ? 'audit passed' : 'audit FAILED'}: ${result.nodes.filter((n) => n.status === 'ok').length} nodes reproduced, ${bad} mismatched, ` +
        `${result.nodes.filter((n) => n.status === 'not-cached').length} not cached; ${result.objectsChecked} objects verified, ${result.corruptObjects.length} corrupt` +
        `${result.corruptTrees.length > 0 ? `, ${result.corruptTrees.length} materialized trees corrupt` : ''}\n`,
    );
  }
  return result.ok ? 0 : 1;
}
