import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type CommandContext, defineCommand } from '../command-spec.js';
import { formatBytes } from '../engine-io.js';
import { commandFunction } from '../program.js';
import { roundForDisplay } from '../table-format.js';
import { paramsText } from '../params-text.js';
import { pipelineFileOf, selectedPipelineName, STORE_HELP, storeFor } from '../store-resolve.js';

interface ShowOptions {
  readonly store?: string;
  readonly pipeline?: string;
  readonly json?: boolean;
}

/** `pipe show`. */
export const spec = defineCommand<ShowOptions>({
  name: 'show',
  group: 'Store',
  rank: 3,
  summary: "one node's cache key, outputs and history",
  args: ['<node>'],
  description: `A node's last recorded cache key with its components (kind, code files, params, inputs, seed, runtime), its stored
outputs (with paths you can open) and its history of executions. --pipeline takes a pipeline name (to pick among
pipelines sharing a store) or a pipeline file (its store, and its nodes).`,
  options: [
    { flags: '--pipeline <name|file>', description: 'the pipeline (a name, or a file: its store)', complete: 'yaml' },
    { flags: '--store <dir>', description: 'the store', complete: 'dir' },
    { flags: '--json', description: 'as JSON' },
  ],
  footer: STORE_HELP,
  action: (args, values, ctx) => show(args[0] as string, values, ctx),
});

/** `pipe show` with injectable I/O (tests). */
export const showCommand = commandFunction(spec);

async function show(id: string, values: ShowOptions, env: CommandContext): Promise<number> {
  const out = env.out ?? ((t: string) => process.stdout.write(t));
  const err = env.err ?? ((t: string) => process.stderr.write(t));
  // --pipeline FILE (an existing .yaml/.yml file) selects that pipeline's store; otherwise it is a pipeline name.
  const cwd = env.cwd ?? process.cwd();
  const pipelineFile = pipelineFileOf(values.pipeline, cwd);
  const root = await storeFor('show', { store: values.store, pipeline: values.store === undefined ? pipelineFile : undefined, cwd }, err);
  if (root === undefined) return 2;
  const selected = await selectedPipelineName('show', values.pipeline, pipelineFile, cwd, err);
  if (selected === undefined) return 2;
  const pipelineName = selected.name;
  if (!existsSync(resolve(root, 'last'))) {
    err(`pipe show: no pipe store at ${root}\n`);
    return 2;
  }
  const { openStore } = await import('../../engine/store.js');
  const { nameList } = await import('../../engine/diagnostics.js');
  const { lastKeys } = await import('../../engine/inventory.js');
  const store = openStore(root);
  const all = lastKeys(store);
  const matches = all.filter((l) => l.nodeId === id && (pipelineName === undefined || l.pipeline === pipelineName));
  if (matches.length === 0) {
    const known = [...new Set(all.map((l) => l.nodeId))];
    err(`pipe show: no results for node '${id}' in ${root}${known.length > 0 ? `\n  nodes: ${nameList(known)}` : ''}\n`);
    return 2;
  }
  if (matches.length > 1) {
    err(`pipe show: node '${id}' exists in several pipelines (${matches.map((m) => m.pipeline).join(', ')}); pass --pipeline NAME\n`);
    return 2;
  }
  const last = matches[0] as (typeof matches)[number];
  const entry = store.readEntry(last.key);
  // One row per run: the final row, or the 'running' one ('interrupted' if its run ended or its process died).
  const byRun = new Map<unknown, Record<string, unknown>>();
  const runsFile = store.metaPath('node_runs');
  const { forEachStoreLine } = await import('../../engine/store/safe-fs.js');
  try {
    forEachStoreLine(runsFile, 'meta/node_runs.jsonl', (line) => {
      if (line === undefined || line === '') return;
      try {
        const row = JSON.parse(line) as Record<string, unknown> | null;
        if (row?.node_id === id && row.pipeline === last.pipeline && (row.finished != null || !byRun.has(row.run_id))) byRun.set(row.run_id, row);
      } catch {
        /* a line being written */
      }
    });
  } catch {
    /* not a regular file: no history (fsck reports it) */
  }
  const { endedRuns, INTERRUPTED } = await import('../../engine/run-status.js');
  const { printable } = await import('../../engine/diagnostics.js');
  const dead = endedRuns(store.metaPath('runs'));
  const history = [...byRun.values()].map((h) => (h.status === 'running' && dead.has(h.run_id as string) ? { ...h, status: INTERRUPTED } : h));
  // Directory outputs are materialized on demand, so the printed path exists (falls back if objects were collected).
  const outputs = entry
    ? Object.fromEntries(
        await Promise.all(
          Object.entries(entry.outputs).map(async ([name, a]) => {
            const path = await store.artifactPath(a).catch(() => (a.type === 'file' ? store.objectPath(a.digest) : store.treePath(a.digest)));
            // A directory with a page in it (a report) is shown by its page: the thing to open.
            const page = a.type === 'dir' ? PAGES.map((f) => join(path, f)).find((f) => existsSync(f)) : undefined;
            return [name, { ...a, path: page ?? path }] as const;
          }),
        ),
      )
    : {};
  // The last value of each metric (the final loss of a trainer, the success rate of an evaluator), and the log.
  const lastOf = new Map<string, readonly [string, number, number | null]>();
  for (const m of entry?.metrics ?? []) lastOf.set(m[0], m);
  const finalMetrics = [...lastOf.values()];
  const logFile = store.logPath(last.key);
  if (values.json) {
    out(`${JSON.stringify({ pipeline: last.pipeline, node: id, key: last.key, components: last.components, outputs, metrics: Object.fromEntries(finalMetrics.map(([n, v]) => [n, v])), log: existsSync(logFile) ? logFile : null, history })}\n`);
    return 0;
  }
  const c = last.components;
  const lines = [
    `${last.pipeline} / ${id}`,
    `key        ${last.key}`,
    `kind       ${c.kind}`,
    `code       ${c.implementation.hash.slice(0, 16)}  (${Object.keys(c.implementation.files).length} files; --json lists them)`,
    printable(`params     ${paramsText(c.params)}`),
    `inputs     ${Object.entries(c.inputs).map(([n, v]) => `${n} = ${v.from} (${v.digest.slice(0, 12)})`).join(', ') || '(none)'}`,
    `seed       ${c.seed}`,
    `runtime    ${Object.entries(c.runtime).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    'outputs',
    ...(entry
      ? Object.entries(outputs).map(([n, a]) => `  ${n}  ${a.type}  ${formatBytes(a.size)}  ${a.digest.slice(0, 12)}  ${a.path}`)
      : ['  (not in the store: run the pipeline, or it was garbage-collected)']),
    ...(finalMetrics.length > 0 ? ['metrics    ' + finalMetrics.map(([n, v, step]) => `${n} ${roundForDisplay(v)}${step === null ? '' : ` (step ${step})`}`).join(', ')] : []),
    `log        ${existsSync(logFile) ? `${logFile}${statSync(logFile).size === 0 ? '  (empty)' : ''}` : '(none)'}`,
    'history',
    // History rows are records (untrusted): control characters shown, never sent to the terminal.
    ...history.map((h) => printable(`  ${String(h.finished ?? '')}  ${String(h.status).padEnd(7)}  ${typeof h.seconds === 'number' ? `${h.seconds.toFixed(2)}s`.padStart(8) : ''}  ${String(h.cache_key ?? '').slice(0, 12)}  ${String(h.reason ?? '')}`)),
  ];
  out(`${lines.join('\n')}\n`);
  return 0;
}

/** Page files a directory output is shown by, when it has one. */
const PAGES = ['report.html', 'index.html'];
