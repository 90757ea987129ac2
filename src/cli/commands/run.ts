import { type CommandContext, defineCommand } from '../command-spec.js';
import { loadBuiltinFast, loadOptionsOf, loadOrReport, resolveEnv } from '../engine-io.js';
import { commandFunction } from '../program.js';

interface RunOptions {
  readonly set?: string[];
  readonly only?: string[];
  readonly force?: string[];
  readonly jobs?: string;
  readonly gpus?: string;
  readonly store?: string;
  readonly keepGoing?: boolean;
  readonly json?: boolean;
  readonly executor?: string;
  readonly slurmPartition?: string;
  readonly slurmAccount?: string;
  readonly slurmArg?: string[];
  readonly workerTimeout?: string;
}

/** `pipe run`: exit 0 when every node ran or was cached, 1 when one failed, 2 for bad input, 130 when interrupted. */
export const spec = defineCommand<RunOptions>({
  name: 'run',
  group: 'Pipelines',
  rank: 1,
  summary: 'run what changed; serve the rest from the store',
  args: ['<pipeline.yaml>'],
  options: [
    { flags: '--set <node.param=value>', description: 'override a param (value parsed as YAML)', repeatable: true },
    { flags: '--only <node>', description: 'run only this node and its ancestors', repeatable: true },
    { flags: '--force <node>', description: 'rerun this node even if cached', repeatable: true },
    { flags: '-j, --jobs <n>', description: 'concurrent CPU slots (default: number of cores)' },
    { flags: '--gpus <n>', description: 'GPU slots (default 1)' },
    { flags: '--store <dir>', description: "store directory (default: the pipeline's 'store:', relative to the pipeline file, or artifacts/ beside it)", complete: 'dir' },
    { flags: '-k, --keep-going', description: 'keep running independent nodes after a failure' },
    { flags: '--json', description: 'print {"nodes":[{id,status,reason,seconds}]} on stdout; status is ran, cached or failed (a node that did not run: failed, reason "not run: …")' },
    {
      flags: '--executor <local|slurm|redis://HOST:PORT>',
      description: "where nodes run: local (default), slurm (one batch job per node) or a Redis worker pool (`pipe worker`); the store must be on a filesystem every machine mounts (README: 'Running on a cluster')",
    },
    { flags: '--slurm-partition <p>', description: 'SLURM partition (sbatch --partition)' },
    { flags: '--slurm-account <a>', description: 'SLURM account (sbatch --account)' },
    { flags: '--slurm-arg <arg>', description: 'more sbatch arguments, e.g. --slurm-arg=--qos=long (memory and time come from resources.mem and resources.time)', repeatable: true },
    {
      flags: '--worker-timeout <seconds>',
      description: 'with a Redis executor: fail the nodes that no live pipe worker has served for this long (none picked them up, none heartbeats) instead of waiting for one (default: wait)',
    },
  ],
  footer: `Ctrl-C cancels running nodes and keeps what finished; the next run resumes from the cache. If pipe itself is killed
(even kill -9), the exec commands it was running are stopped too (SIGTERM, then SIGKILL after 2 s) by a small
supervisor process; a command that moves itself into a new session or process group (setsid) is out of its reach.
Training, evaluation and data nodes run in child processes of their own (so they run side by side), which stop
when pipe dies. A run whose process died reads as 'interrupted' in pipe query.`,
  action: (positionals, values, ctx) => run(positionals, values, ctx),
});

/** `pipe run` with injectable I/O and library (tests). */
export const runCommand = commandFunction(spec);

async function run(positionals: readonly string[], values: RunOptions, envIn: CommandContext): Promise<number> {
  const out = envIn.out ?? ((t: string) => process.stdout.write(t));
  const err = envIn.err ?? ((t: string) => process.stderr.write(t));
  const jobs = values.jobs === undefined ? undefined : Number(values.jobs);
  const gpus = values.gpus === undefined ? undefined : Number(values.gpus);
  if (jobs !== undefined && !(Number.isInteger(jobs) && jobs >= 1)) return envIn.usageError(`--jobs must be a positive integer, got '${values.jobs}'`);
  if (gpus !== undefined && !(Number.isInteger(gpus) && gpus >= 0)) return envIn.usageError(`--gpus must be a non-negative integer, got '${values.gpus}'`);

  const loadOpts = loadOptionsOf(values);
  const file = positionals[0] as string;
  // Unchanged pipeline: skip YAML, ajv and the full node library (only the kinds it uses are imported).
  const fast = envIn.library === undefined ? await loadBuiltinFast(file, loadOpts) : undefined;
  const loaded = fast?.pipeline !== undefined ? { ...fast, pipeline: fast.pipeline } : await loadOrReport(file, (await resolveEnv(envIn)).library, loadOpts, err);
  if (loaded === undefined) return 2;
  const env = { out, err, signal: envIn.signal };
  const { pipeline } = loaded;
  const { matchInstances, withAncestors } = await import('../../engine/select.js');
  const only = matchInstances(pipeline, values.only ?? []);
  const force = matchInstances(pipeline, values.force ?? []);
  const unknown = [...only.unknown.map((n) => `--only ${n}`), ...force.unknown.map((n) => `--force ${n}`)];
  if (unknown.length > 0) {
    const { nameList } = await import('../../engine/diagnostics.js');
    env.err(`pipe run: unknown node${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}\n  nodes: ${nameList([...new Set(pipeline.instances.map((i) => i.baseId))])}\n`);
    return 2;
  }

  // Checked before anything is written or submitted.
  const { chooseExecutor } = await import('../executor-choice.js');
  let notice = (line: string): void => env.err(`${line}\n`);
  const chosen = await chooseExecutor(values, pipeline.store, (line) => notice(`pipe run: ${line}`));
  if ('error' in chosen) {
    env.err(`pipe run: ${chosen.error}\n`);
    return 2;
  }

  const { plainReporter, wantsPlain, jsonNode } = await import('../run-reporter.js');
  const { lastDurations } = await import('../node-history.js');
  const json = values.json === true;
  const selectedIds = pipeline.instances.map((i) => i.id).filter((id) => values.only === undefined || withAncestors(pipeline, only.ids).has(id));
  const history = lastDurations(pipeline.store, pipeline.name);
  const reporter =
    wantsPlain(json) || envIn.err !== undefined
      ? plainReporter((l) => env.err(`${l}\n`), history)
      : (await import('../live-reporter.js')).liveReporter(selectedIds, history, {
          write: (t) => void process.stderr.write(t),
          columns: () => process.stderr.columns || 80,
          rows: () => process.stderr.rows || 24,
        });

  notice = (line) => reporter.message(line);
  const controller = new AbortController();
  // SIGTERM (a scheduler's or a container's stop) is handled like Ctrl-C: running nodes are cancelled, finished work kept.
  let interrupted: 'SIGINT' | 'SIGTERM' | undefined;
  const exitCodeOf = (signal: 'SIGINT' | 'SIGTERM'): number => (signal === 'SIGINT' ? 130 : 143);
  const onSignal = (signal: 'SIGINT' | 'SIGTERM'): void => {
    if (interrupted !== undefined) process.exit(exitCodeOf(signal));
    interrupted = signal;
    reporter.message(`pipe run: ${signal === 'SIGINT' ? 'interrupted' : 'terminated (SIGTERM)'}; cancelling running nodes (press Ctrl-C again to quit at once)`);
    controller.abort(new Error('interrupted'));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  env.signal?.addEventListener('abort', () => controller.abort(env.signal?.reason), { once: true });
  const { runPipeline } = await import('../../engine/execute.js');
  const t0 = performance.now();
  let summary;
  try {
    summary = await runPipeline(pipeline, {
      ...(jobs !== undefined ? { jobs } : {}),
      ...(gpus !== undefined ? { gpus } : {}),
      force: force.ids,
      ...(values.only !== undefined ? { only: withAncestors(pipeline, only.ids) } : {}),
      keepGoing: values.keepGoing === true,
      signal: controller.signal,
      onEvent: reporter.onEvent,
      ...(chosen.factory ? { executor: chosen.factory } : {}),
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await reporter.close();
  }
  for (const w of summary.warnings) env.err(`pipe run: warning: ${w}\n`);
  const count = (s: string): number => summary.nodes.filter((n) => n.status === s).length;
  const seconds = ((performance.now() - t0) / 1000).toFixed(2);
  if (interrupted !== undefined) {
    // Nodes cut off mid-run keep their checkpoints (resume dirs); nothing unfinished was cached.
    const cut = summary.nodes.filter((n) => n.status === 'skipped' && n.seconds > 0).length;
    env.err(
      `${pipeline.name}: interrupted after ${seconds}s: ${count('ran')} ran, ${count('cached')} cached, ${count('failed')} failed, ` +
        `${cut} stopped while running, ${count('skipped') - cut} not started; \`pipe run\` again resumes from the cache\n`,
    );
  } else {
    env.err(
      `${pipeline.name}: ${count('ran')} ran, ${count('cached')} cached, ${count('failed')} failed` +
        `${count('skipped') > 0 ? `, ${count('skipped')} skipped` : ''} in ${seconds}s\n`,
    );
  }
  if (json) {
    const nodes = summary.nodes.map(jsonNode);
    env.out(`${JSON.stringify({ nodes })}\n`);
  }
  if (interrupted !== undefined) return exitCodeOf(interrupted);
  return summary.ok ? 0 : 1;
}
