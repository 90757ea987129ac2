import { relative } from 'node:path';
import { type CommandContext, defineCommand } from '../command-spec.js';
import { loadOptionsOf, printDiagnostics, resolveEnv } from '../engine-io.js';
import { commandFunction } from '../program.js';

interface WatchOptions {
  readonly set?: string[];
  readonly jobs?: string;
  readonly store?: string;
  readonly keepGoing?: boolean;
  readonly debounce?: string;
}

/** `pipe watch`: runs until interrupted (exit 0), or 2 for bad arguments. */
export const spec = defineCommand<WatchOptions>({
  name: 'watch',
  group: 'Pipelines',
  rank: 3,
  summary: 're-plan and rerun affected nodes on every save',
  args: ['<pipeline.yaml>'],
  description: `Runs the pipeline, then watches the pipeline file and every file its params name: on each save, re-plans and reruns
what changed. A run in progress is superseded: its running nodes that the new plan still needs go on, the others
are cancelled. An invalid save is reported (the current run goes on); the next valid save resumes.
Stop with Ctrl-C.`,
  options: [
    { flags: '--set <node.param=value>', description: 'override a param (value parsed as YAML)', repeatable: true },
    { flags: '-j, --jobs <n>', description: 'concurrent CPU slots (default: number of cores)' },
    { flags: '--store <dir>', description: "store directory (default: the pipeline's 'store:')", complete: 'dir' },
    { flags: '-k, --keep-going', description: 'keep running independent nodes after a failure' },
    { flags: '--debounce <ms>', description: 'wait this long after a save before re-planning (default 200)' },
  ],
  action: (args, values, ctx) => watch(args[0] as string, values, ctx),
});

/** `pipe watch` with injectable I/O and library (tests). */
export const watchCommand = commandFunction(spec);

async function watch(file: string, values: WatchOptions, envIn: CommandContext): Promise<number> {
  const env = await resolveEnv(envIn);
  const jobs = values.jobs === undefined ? undefined : Number(values.jobs);
  if (jobs !== undefined && !(Number.isInteger(jobs) && jobs >= 1)) return envIn.usageError('--jobs must be a positive integer');
  const debounceMs = values.debounce === undefined ? 200 : Number(values.debounce);
  if (!(Number.isFinite(debounceMs) && debounceMs >= 0)) return envIn.usageError('--debounce must be a number of milliseconds');

  const { loadPipeline } = await import('../../engine/load.js');
  const { runPipeline } = await import('../../engine/execute.js');
  const { watchPipeline } = await import('../../engine/watch.js');
  const { plainReporter } = await import('../run-reporter.js');
  const { lastDurations } = await import('../node-history.js');
  const controller = new AbortController();
  const stop = (): void => controller.abort(new Error('interrupted'));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  env.signal?.addEventListener('abort', stop, { once: true });
  const show = (f: string): string => relative(process.cwd(), f) || f;
  try {
    await watchPipeline({
      signal: controller.signal,
      debounceMs,
      load: () => loadPipeline(file, { library: env.library, ...loadOptionsOf(values) }),
      onInvalid: async (r) => {
        await printDiagnostics(r.diagnostics, r.sources, env.err);
        env.err('pipe watch: the pipeline is invalid; waiting for the next save\n');
      },
      onChange: (paths) => env.err(`pipe watch: changed ${paths.map(show).join(', ')}\n`),
      onIdle: (files) => env.err(`pipe watch: watching ${files.length} file${files.length === 1 ? '' : 's'}; waiting for changes\n`),
      run: async (pipeline, signal, onControl) => {
        // A superseded run goes quiet: its remaining lines would land after the new run's and read as current.
        let wasSuperseded = false;
        const reporter = plainReporter((l) => {
          if (!wasSuperseded) env.err(`${l}\n`);
        }, lastDurations(pipeline.store, pipeline.name));
        const t0 = performance.now();
        const summary = await runPipeline(pipeline, {
          ...(jobs !== undefined ? { jobs } : {}),
          keepGoing: values.keepGoing === true,
          signal,
          onControl: (c) =>
            onControl({
              supersede: (keep) => {
                wasSuperseded = true;
                env.err(`${pipeline.name}: superseding the current run (nodes the new plan still needs keep running)\n`);
                c.supersede(keep);
              },
            }),
          onEvent: reporter.onEvent,
        });
        // Node lines first, then the summary (the reporter batches lines per event-loop turn).
        await reporter.close();
        const n = (s: string): number => summary.nodes.filter((x) => x.status === s).length;
        if (!wasSuperseded) {
          env.err(
            signal.aborted
              ? `${pipeline.name}: run cancelled\n`
              : `${pipeline.name}: ${n('ran')} ran, ${n('cached')} cached, ${n('failed')} failed in ${((performance.now() - t0) / 1000).toFixed(2)}s\n`,
          );
        }
        return summary;
      },
    });
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
  return 0;
}
