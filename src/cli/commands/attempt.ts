import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { type CommandContext, defineCommand } from '../command-spec.js';
import { resolveEnv } from '../engine-io.js';

/**
 * `pipe attempt <task.json>` (internal): runs one node attempt described by a task spec, as a SLURM batch job does.
 * Reports through the attempt channel in the store; exits 0 when an outcome was written, 2 when the spec is
 * unreadable or the store is not visible here. SIGTERM (scancel, a time limit) ends it without an outcome, and the
 * driver reports what SLURM says.
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
  try {
    const { library } = await resolveEnv(ctx);
    const outcome = await runRemoteTask(task, { library, worker, signal: new AbortController().signal });
    err(`pipe attempt: ${task.nodeId}: ${outcome.status}${outcome.status === 'failed' ? `: ${outcome.message}` : ''}\n`);
    return 0;
  } catch (e) {
    err(`pipe attempt: ${(e as Error).message}\n`);
    return 2;
  }
}
