import { relative } from 'node:path';
import type { Command } from '../main.js';
import { loadOptionsOf, ONE_PIPELINE, parseCommandArgs, printDiagnostics, resolveEnv, usageError } from '../engine-io.js';
import type { CommandEnv } from '../engine-io.js';

const USAGE = `Usage: pipe watch <pipeline.yaml> [--set node.param=value]… [--jobs N] [--store DIR] [--keep-going] [--debounce MS]

Runs the pipeline, then watches the pipeline file and every file its params name: on each save, re-plans and reruns
what changed. A run in progress is superseded: its running nodes that the new plan still needs go on, the others
are cancelled. An invalid save is reported (the current run goes on); the next valid save resumes.
Stop with Ctrl-C.
`;

/** `pipe watch`: runs until interrupted (exit 0), or 2 for bad arguments. */
export async function watchCommand(args: readonly string[], envIn: CommandEnv = {}): Promise<number> {
  const parsed = parseCommandArgs(
    'watch',
    args,
    {
      set: { type: 'string', multiple: true },
      jobs: { type: 'string', short: 'j' },
      store: { type: 'string' },
      'keep-going': { type: 'boolean', short: 'k' },
      debounce: { type: 'string' },
    },
    USAGE,
    ONE_PIPELINE,
    envIn,
  );
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const env = await resolveEnv(envIn);
  const jobs = values.jobs === undefined ? undefined : Number(values.jobs);
  if (jobs !== undefined && !(Number.isInteger(jobs) && jobs >= 1)) return usageError('watch', '--jobs must be a positive integer', USAGE, env.err);
  const debounceMs = values.debounce === undefined ? 200 : Number(values.debounce);
  if (!(Number.isFinite(debounceMs) && debounceMs >= 0)) return usageError('watch', '--debounce must be a number of milliseconds', USAGE, env.err);

  const { loadPipeline } = await import('../../engine/load.js');
  const { runPipeline } = await import('../../engine/execute.js');
  const { watchPipeline } = await import('../../engine/watch.js');
  const { plainReporter } = await import('../run-reporter.js');
  const file = positionals[0] as string;
  const controller = new AbortController();
  const stop = (): void => controller.abort(new Error('interrupted'));
  process.on('SIGINT', stop);
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
        const reporter = plainReporter((l) => env.err(`${l}\n`));
        const t0 = performance.now();
        let wasSuperseded = false;
        const summary = await runPipeline(pipeline, {
          ...(jobs !== undefined ? { jobs } : {}),
          keepGoing: values['keep-going'] === true,
          signal,
          onControl: (c) =>
            onControl({
              supersede: (keep) => {
                wasSuperseded = true;
                c.supersede(keep);
              },
            }),
          onEvent: reporter.onEvent,
        });
        // Node lines first, then the summary (the reporter batches lines per event-loop turn).
        await reporter.close();
        const n = (s: string): number => summary.nodes.filter((x) => x.status === s).length;
        env.err(
          signal.aborted
            ? `${pipeline.name}: run cancelled\n`
            : wasSuperseded
              ? `${pipeline.name}: superseded run finished (${n('ran')} ran, ${n('skipped')} cancelled)\n`
              : `${pipeline.name}: ${n('ran')} ran, ${n('cached')} cached, ${n('failed')} failed in ${((performance.now() - t0) / 1000).toFixed(2)}s\n`,
        );
        return summary;
      },
    });
  } finally {
    process.off('SIGINT', stop);
  }
  return 0;
}

export const command: Command = (args) => watchCommand(args);
