import { readFileSync } from 'node:fs';
import { constants, hostname } from 'node:os';
import { type CommandContext, defineCommand } from '../command-spec.js';
import { resolveEnv } from '../engine-io.js';

/**
 * `pipe attempt <task.json>` (internal): runs one node attempt described by a task spec, as a SLURM batch job does.
 * Reports through the attempt channel in the store; exits 0 when an outcome was written, 2 when the spec is
 * unreadable or the store is not visible here. SIGTERM (scancel, a SLURM time limit; SLURM sends SIGKILL only after
 * its KillWait) or Ctrl-C stops the node: it stores nothing, the outcome says it was terminated by that signal, and
 * the exit status is 128 + the signal's number (143 for SIGTERM).
 */
export const spec = defineCommand<Record<string, never>>({
  name: 'attempt',
  group: 'Pipelines',
  rank: 9,
  summary: '(internal) run one node attempt from a task file, as a SLURM job of run --executor slurm does',
  args: ['<task.json>'],
  action: (args, _values, ctx) => attempt(args[0] as string, ctx),
});

async function attempt(file: string, ctx: CommandContext): Promise<number> {
  const err = ctx.err ?? ((t: string) => process.stderr.write(t));
  const { runRemoteTask } = await import('../../engine/remote-task.js');
  let task;
  try {
    task = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    err(`pipe attempt: cannot read ${file}: ${(e as Error).message}\n`);
    return 2;
  }
  const job = process.env.SLURM_JOB_ID;
  const worker = `${job !== undefined ? `slurm:${job}@` : ''}${hostname()}:${process.pid}`;
  const stop = new AbortController();
  let sig: NodeJS.Signals | undefined;
  const onSignal = (s: NodeJS.Signals): void => {
    sig ??= s;
    stop.abort(new Error(`terminated by ${s}`));
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  try {
    const { library } = await resolveEnv(ctx);
    const outcome = await runRemoteTask(task, { library, worker, signal: stop.signal, terminated: () => sig });
    err(`pipe attempt: ${task.nodeId}: ${outcome.status}${outcome.status === 'failed' ? `: ${outcome.message}` : ''}\n`);
    return sig === undefined ? 0 : 128 + (constants.signals[sig] ?? 15);
  } catch (e) {
    err(`pipe attempt: ${(e as Error).message}\n`);
    return 2;
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
}
