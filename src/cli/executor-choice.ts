/**
 * `pipe run --executor local|slurm|redis://HOST:PORT`: turns the flags into the engine's executor factory, after
 * checking everything that can be checked before a node is submitted (Redis answers; sbatch is on PATH, the
 * partition exists, SLURM jobs can see the store). A failed check is a one-line message and exit 2, with nothing
 * written.
 */
import type { ExecutorFactory } from '../engine/execute.js';

export interface ExecutorFlags {
  readonly executor?: string;
  readonly slurmPartition?: string;
  readonly slurmAccount?: string;
  readonly slurmArg?: string[];
  readonly workerTimeout?: string;
}

/**
 * The factory for the chosen executor, or an error message (usage or environment: both exit 2). `notice` receives
 * the executor's one-line notices while the run goes on (e.g. Redis lost and back).
 */
export async function chooseExecutor(
  flags: ExecutorFlags,
  storeDir: string,
  notice: (line: string) => void,
): Promise<{ factory?: ExecutorFactory } | { error: string }> {
  const name = flags.executor ?? 'local';
  const slurmFlags = flags.slurmPartition !== undefined || flags.slurmAccount !== undefined || (flags.slurmArg ?? []).length > 0;
  if (slurmFlags && name !== 'slurm') return { error: '--slurm-partition, --slurm-account and --slurm-arg need --executor slurm' };
  const workerTimeout = flags.workerTimeout === undefined ? undefined : Number(flags.workerTimeout);
  if (workerTimeout !== undefined && !(Number.isFinite(workerTimeout) && workerTimeout > 0)) return { error: `--worker-timeout must be a positive number of seconds, got '${flags.workerTimeout}'` };
  if (workerTimeout !== undefined && (name === 'local' || name === 'slurm')) return { error: '--worker-timeout needs --executor redis://HOST:PORT' };
  if (name === 'local') return {};
  if (name === 'slurm') {
    const { checkSlurm, slurmExecutor } = await import('../engine/executors/slurm.js');
    const opts = {
      ...(flags.slurmPartition !== undefined ? { partition: flags.slurmPartition } : {}),
      ...(flags.slurmAccount !== undefined ? { account: flags.slurmAccount } : {}),
      extraArgs: flags.slurmArg ?? [],
    };
    try {
      await checkSlurm(opts, storeDir);
    } catch (e) {
      return { error: (e as Error).message };
    }
    return { factory: ({ store }) => slurmExecutor(store, opts) };
  }
  const { checkRedis, isRedisUrl } = await import('../engine/queue.js');
  if (!isRedisUrl(name)) return { error: `--executor must be local, slurm or redis://HOST:PORT, got '${name}'` };
  try {
    await checkRedis(name);
  } catch (e) {
    return { error: (e as Error).message };
  }
  const { redisExecutor } = await import('../engine/executors/redis.js');
  return { factory: ({ store }) => redisExecutor(store, name, { notice, ...(workerTimeout !== undefined ? { workerTimeoutMs: workerTimeout * 1000 } : {}) }) };
}
