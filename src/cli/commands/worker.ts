import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { type CommandContext, defineCommand } from '../command-spec.js';
import { resolveEnv } from '../engine-io.js';
import { commandFunction } from '../program.js';

interface WorkerOptions {
  readonly redis?: string;
  readonly cpus?: string;
  readonly gpus?: string;
  readonly store?: string;
}

/**
 * `pipe worker`: exit 0 when stopped by a signal (130 on a second one), 2 for bad input or an unreachable Redis, 1 when
 * Redis goes away for longer than PIPE_REDIS_RETRY_S.
 */
export const spec = defineCommand<WorkerOptions>({
  name: 'worker',
  group: 'Pipelines',
  rank: 8,
  summary: 'take node jobs from a Redis queue on this machine (for run --executor redis://…)',
  description:
    'Takes node jobs from the Redis queue that `pipe run --executor redis://HOST:PORT` fills, and runs them against the\n' +
    'shared store (which every worker and the driver must mount). Takes only jobs that fit its free slots.',
  options: [
    { flags: '--redis <url>', description: 'the Redis server that coordinates the pool, redis://HOST:PORT (required)' },
    { flags: '--cpus <n>', description: 'CPU slots of this worker (default: number of cores)' },
    { flags: '--gpus <n>', description: 'GPU slots of this worker (default 1; 0 takes no GPU nodes)' },
    { flags: '--store <dir>', description: "where the shared store is mounted on this machine, if not at the driver's path", complete: 'dir' },
  ],
  footer: `Ctrl-C (or SIGTERM) stops it: running nodes are cancelled and their jobs go back to the queue for another worker.
A worker that dies (kill -9, power loss) has its jobs retried elsewhere once BullMQ notices (PIPE_QUEUE_LEASE_S,
default 30 s, to about twice that). Redis unreachable for PIPE_REDIS_RETRY_S (default 60 s) stops it with exit 1.
See README "Running on a cluster".`,
  action: (_args, values, ctx) => worker(values, ctx),
});

/** `pipe worker` with injectable I/O and library (tests). */
export const workerCommand = commandFunction(spec);

async function worker(values: WorkerOptions, ctx: CommandContext): Promise<number> {
  const err = ctx.err ?? ((t: string) => process.stderr.write(t));
  if (values.redis === undefined) return ctx.usageError('--redis redis://HOST:PORT is required');
  const cpus = values.cpus === undefined ? availableParallelism() : Number(values.cpus);
  const gpus = values.gpus === undefined ? 1 : Number(values.gpus);
  if (!(Number.isInteger(cpus) && cpus >= 1)) return ctx.usageError(`--cpus must be a positive integer, got '${values.cpus}'`);
  if (!(Number.isInteger(gpus) && gpus >= 0)) return ctx.usageError(`--gpus must be a non-negative integer, got '${values.gpus}'`);
  if (values.store === '') return ctx.usageError('--store must name a directory');
  const { checkRedis } = await import('../../engine/queue.js');
  try {
    await checkRedis(values.redis);
  } catch (e) {
    err(`pipe worker: ${(e as Error).message}\n`);
    return 2;
  }
  const env = await resolveEnv(ctx);
  const controller = new AbortController();
  const stop = (): void => {
    if (controller.signal.aborted) process.exit(130);
    err('pipe worker: stopping; running nodes go back to the queue (press Ctrl-C again to quit at once)\n');
    controller.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  ctx.signal?.addEventListener('abort', () => controller.abort(), { once: true });
  const { runWorker } = await import('../../engine/worker.js');
  try {
    await runWorker({
      redis: values.redis,
      cpus,
      gpus,
      ...(values.store !== undefined ? { store: resolve(values.store) } : {}),
      library: env.library,
      signal: controller.signal,
      log: (line) => err(`${line}\n`),
    });
  } catch (e) {
    err(`pipe worker: ${(e as Error).message}\n`);
    return 1;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
  return 0;
}
