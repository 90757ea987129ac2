import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { type CommandContext, defineCommand } from '../command-spec.js';
import { commandFunction } from '../program.js';
import { pipelineFileOf, selectedPipelineName, STORE_HELP, storeFor } from '../store-resolve.js';

interface KeepOptions {
  readonly store?: string;
  readonly pipeline?: string;
  readonly key?: string;
  readonly note?: string;
  readonly list?: boolean;
  readonly remove?: boolean;
}

/** `pipe keep`: pins a node's result so `pipe gc` never deletes it; exit 0, or 2 for bad input. */
export const spec = defineCommand<KeepOptions>({
  name: 'keep',
  group: 'Store',
  rank: 5,
  summary: 'pin a result so gc keeps it (--list, --remove)',
  args: ['[node]'],
  description: `Pins the last result of <node> (or, with --key, an earlier one from \`pipe show <node>\`'s history) so that
\`pipe gc\` keeps it and everything it needs, even after a later run (e.g. with --set) supersedes it.`,
  options: [
    { flags: '--key <prefix>', description: 'pin this cache key (a prefix of at least 8 hex digits) instead of the last result' },
    { flags: '--note <text>', description: 'why it is kept (shown by --list)' },
    { flags: '--list', description: 'list the pins' },
    { flags: '--remove', description: "unpin <node>'s last result (or --key)" },
    { flags: '--pipeline <name|file>', description: 'the pipeline (a name, or a file: its store)', complete: 'yaml' },
    { flags: '--store <dir>', description: 'the store', complete: 'dir' },
  ],
  footer: STORE_HELP,
  action: (args, values, ctx) => keep(args[0], values, ctx),
});

/** `pipe keep` with injectable I/O (tests). */
export const keepCommand = commandFunction(spec);

async function keep(node: string | undefined, values: KeepOptions, ctx: CommandContext): Promise<number> {
  const out = ctx.out ?? ((t: string) => void process.stdout.write(t));
  const err = ctx.err ?? ((t: string) => void process.stderr.write(t));
  if (values.list && (node !== undefined || values.remove || values.key !== undefined)) return ctx.usageError('--list takes no node, --key or --remove');
  if (!values.list && node === undefined && values.key === undefined) return ctx.usageError('name a node (or --key, or --list)');
  if (values.key !== undefined && !/^[0-9a-f]{8,64}$/.test(values.key)) return ctx.usageError(`--key must be 8 to 64 hex digits, got '${values.key}'`);
  const cwd = ctx.cwd ?? process.cwd();
  const pipelineFile = pipelineFileOf(values.pipeline, cwd);
  const root = await storeFor('keep', { store: values.store, pipeline: values.store === undefined ? pipelineFile : undefined, cwd }, err);
  if (root === undefined) return 2;
  if (!existsSync(resolve(root, 'cache'))) {
    err(`pipe keep: no pipe store at ${root}\n`);
    return 2;
  }
  const selected = await selectedPipelineName('keep', values.pipeline, pipelineFile, cwd, err);
  if (selected === undefined) return 2;
  const pipelineName = selected.name;
  const { openStore } = await import('../../engine/store.js');
  const { addPin, readPins, removePin } = await import('../../engine/pins.js');
  const store = openStore(root);
  if (values.list) {
    const pins = readPins(store);
    // Pin files are store contents (untrusted): shown with control characters made visible.
    const { printable } = await import('../../engine/diagnostics.js');
    out(pins.length === 0 ? '(no pins)\n' : `${pins.map((p) => printable(`${p.pipeline} / ${p.node}  ${p.key.slice(0, 12)}  pinned ${p.created}${p.note ? `  ${p.note}` : ''}`)).join('\n')}\n`);
    return 0;
  }
  // Which key: a --key prefix among the store's entries, else the node's last result.
  let key: string | undefined;
  let where: { pipeline: string; node: string } | undefined;
  if (values.key !== undefined) {
    const hits = store.entryKeys().filter((k) => k.startsWith(values.key as string));
    if (hits.length !== 1) {
      err(`pipe keep: ${hits.length === 0 ? `no result with key ${values.key}…` : `key ${values.key}… is ambiguous (${hits.length} results); give more digits`}\n`);
      return 2;
    }
    key = hits[0] as string;
    const entry = store.readEntry(key);
    where = { pipeline: entry?.pipeline ?? '?', node: entry?.nodeId ?? node ?? '?' };
  } else {
    const matches = store.lastKeys().filter((l) => l.nodeId === node && (pipelineName === undefined || l.pipeline === pipelineName));
    if (matches.length !== 1) {
      err(
        matches.length === 0
          ? `pipe keep: no results for node '${node}' in ${root}\n`
          : `pipe keep: node '${node}' exists in several pipelines (${matches.map((m) => m.pipeline).join(', ')}); pass --pipeline NAME\n`,
      );
      return 2;
    }
    const last = matches[0] as (typeof matches)[number];
    key = last.key;
    where = { pipeline: last.pipeline, node: last.nodeId };
  }
  if (values.remove) {
    const removed = removePin(store, key);
    out(removed ? `unpinned ${where.pipeline} / ${where.node} (${key.slice(0, 12)}); gc may delete it once superseded\n` : `${where.pipeline} / ${where.node} (${key.slice(0, 12)}) was not pinned\n`);
    return removed ? 0 : 2;
  }
  if (store.readEntry(key) === undefined) {
    err(`pipe keep: ${where.pipeline} / ${where.node} has no stored result (${key.slice(0, 12)}); run the pipeline first\n`);
    return 2;
  }
  addPin(store, { key, pipeline: where.pipeline, node: where.node, created: new Date().toISOString(), ...(values.note !== undefined ? { note: values.note } : {}) });
  out(`pinned ${where.pipeline} / ${where.node} (${key.slice(0, 12)}): pipe gc keeps it\n`);
  return 0;
}
