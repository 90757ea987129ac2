import { resolve } from 'node:path';
import { type CommandContext, defineCommand } from '../command-spec.js';
import { formatBytes, loadOrReport, resolveEnv } from '../engine-io.js';
import { commandFunction } from '../program.js';
import { STORE_HELP, storeFor } from '../store-resolve.js';
import { listKinds } from '../kinds-listing.js';

interface LsOptions {
  readonly store?: string;
  readonly pipeline?: string;
  readonly json?: boolean;
  /** `--kinds` alone lists the kinds; `--kinds KIND` documents one. */
  readonly kinds?: boolean | string;
}

/** `pipe ls`. */
export const spec = defineCommand<LsOptions>({
  name: 'ls',
  group: 'Store',
  rank: 2,
  summary: 'what the store holds; with --kinds, the node kinds',
  args: ['[pipeline.yaml]'],
  description: `With a pipeline: each node, whether its store serves it now (cached) or it is stale, and its stored outputs.
Without: every pipeline and node the store has results for.
--kinds: the node kinds available to pipelines, one line each.
--kinds KIND: that kind's params (type, default, required, description), its inputs with the format each expects, and
its outputs.`,
  options: [
    { flags: '--store <dir>', description: 'the store to list', complete: 'dir' },
    { flags: '--pipeline <file>', description: "that pipeline's store", complete: 'yaml' },
    { flags: '--json', description: 'as JSON' },
    { flags: '--kinds [kind]', description: 'the node kinds instead of the store; with a kind, its params, inputs and outputs' },
  ],
  footer: STORE_HELP,
  action: (args, values, ctx) => ls(args, values, ctx),
});

/** `pipe ls` with injectable I/O and library (tests). */
export const lsCommand = commandFunction(spec);

async function ls(positionals: readonly string[], values: LsOptions, envIn: CommandContext): Promise<number> {
  const out = envIn.out ?? ((t: string) => process.stdout.write(t));
  const err = envIn.err ?? ((t: string) => process.stderr.write(t));
  if (values.kinds !== undefined && values.kinds !== false) {
    const { library } = await resolveEnv(envIn);
    return listKinds(library.kinds, values.kinds === true ? undefined : values.kinds, values.json === true, out, err);
  }
  const { openStore } = await import('../../engine/store.js');
  type Row = { pipeline: string; node: string; status: string; key: string; outputs: { name: string; type: string; size: number }[] };
  const rows: Row[] = [];
  if (positionals.length === 1) {
    const env = await resolveEnv(envIn);
    const loaded = await loadOrReport(positionals[0] as string, env.library, values.store ? { store: values.store } : {}, err);
    if (loaded === undefined) return 2;
    const { planPipeline } = await import('../../engine/plan.js');
    const store = openStore(loaded.pipeline.store);
    for (const item of planPipeline(loaded.pipeline)) {
      const entry = item.key !== undefined ? store.readEntry(item.key) : undefined;
      rows.push({
        pipeline: loaded.pipeline.name,
        node: item.id,
        status: item.status === 'cached' ? 'cached' : item.status === 'pending' ? 'pending' : 'stale',
        key: item.key ?? '',
        outputs: entry && item.status === 'cached' ? Object.entries(entry.outputs).map(([name, a]) => ({ name, type: a.type, size: a.size })) : [],
      });
    }
  } else {
    const root = await storeFor('ls', { store: values.store, pipeline: values.pipeline, cwd: envIn.cwd }, err);
    if (root === undefined) return 2;
    const { existsSync } = await import('node:fs');
    if (!existsSync(resolve(root, 'cache'))) {
      err(`pipe ls: no pipe store at ${root}\n`);
      return 2;
    }
    const store = openStore(root);
    const { lastKeys } = await import('../../engine/inventory.js');
    for (const last of lastKeys(store)) {
      const entry = store.readEntry(last.key);
      rows.push({
        pipeline: last.pipeline,
        node: last.nodeId,
        status: entry ? 'stored' : 'missing',
        key: last.key,
        outputs: entry ? Object.entries(entry.outputs).map(([name, a]) => ({ name, type: a.type, size: a.size })) : [],
      });
    }
  }
  if (values.json) {
    out(`${JSON.stringify({ nodes: rows })}\n`);
    return 0;
  }
  if (rows.length === 0) {
    out('(the store has no results yet)\n');
    return 0;
  }
  const w = Math.max(...rows.map((r) => r.node.length));
  let current = '';
  const lines: string[] = [];
  for (const r of rows) {
    if (r.pipeline !== current) {
      current = r.pipeline;
      lines.push(`${current}:`);
    }
    const outs = r.outputs.map((o) => `${o.name}${o.type === 'dir' ? '/' : ''} ${formatBytes(o.size)}`).join(', ');
    lines.push(`  ${r.node.padEnd(w)}  ${r.status.padEnd(7)}  ${r.key.slice(0, 12).padEnd(12)}  ${outs}`.trimEnd());
  }
  out(`${lines.join('\n')}\n`);
  return 0;
}
