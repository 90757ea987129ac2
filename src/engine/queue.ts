/**
 * What the driver and the workers of a Redis (BullMQ) pool agree on: queue names by resource shape, the Redis keys
 * they share, lock times, and the connection check. Redis holds coordination only — which attempts wait, which
 * run where, cancellations — never node outputs (those go to the shared store).
 *
 * One queue per shape (`cpu`, `gpu`) lets a worker take only jobs that fit its free slots: it polls the queues
 * whose shape fits, and never holds a job it cannot start.
 */
import { Redis } from 'ioredis';

/** Key prefix of everything pipe keeps in Redis. */
export const PREFIX = 'pipe';
/** Redis set of the shapes (`c<cpu>-g<gpu>`) that have ever been enqueued. */
export const SHAPES_KEY = `${PREFIX}:shapes`;
/** Set by a driver to cancel a running attempt (`<prefix>:cancel:<attempt id>`). */
export const cancelKey = (attempt: string): string => `${PREFIX}:cancel:${attempt}`;

/**
 * A live worker's heartbeat (`<prefix>:worker:<host:pid>` = its slots as JSON), refreshed while it runs and expiring
 * one queue lock time (queueLockMs) after it stops: how a driver tells that no worker is serving its jobs.
 */
export const workerKey = (worker: string): string => `${PREFIX}:worker:${worker}`;

/** The slots of the workers whose heartbeat is live. */
export async function liveWorkers(redis: Redis): Promise<Shape[]> {
  const found: Shape[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', workerKey('*'), 'COUNT', 1000);
    cursor = next;
    const values = keys.length > 0 ? await redis.mget(...keys) : [];
    for (const v of values) {
      try {
        const s = JSON.parse(v ?? '') as Partial<Shape>;
        if (typeof s.cpu === 'number' && typeof s.gpu === 'number') found.push({ cpu: s.cpu, gpu: s.gpu });
      } catch {
        /* expired between SCAN and MGET, or not ours */
      }
    }
  } while (cursor !== '0');
  return found;
}

/** Whether a worker with `slots` takes jobs of `shape` (CPU requests are clamped to the worker; GPU ones need a GPU). */
export const serves = (slots: Shape, shape: Shape): boolean => shape.gpu === 0 || slots.gpu > 0;

export interface Shape {
  readonly cpu: number;
  readonly gpu: number;
}
export const shapeName = (s: Shape): string => `c${s.cpu}-g${s.gpu}`;
export const queueName = (s: Shape): string => `node-${shapeName(s)}`;
export function parseShape(name: string): Shape | undefined {
  const m = /^c(\d+)-g(\d+)$/.exec(name);
  return m ? { cpu: Number(m[1]), gpu: Number(m[2]) } : undefined;
}

/**
 * How long a worker's hold on a job lasts without renewal (PIPE_QUEUE_LEASE_S, default 30 s): a worker that dies is
 * noticed (BullMQ's stalled-job check) within about twice this, and its job goes back to the queue.
 */
export function queueLockMs(): number {
  const s = Number(process.env.PIPE_QUEUE_LEASE_S);
  return Number.isFinite(s) && s > 0 ? s * 1000 : 30_000;
}

/** Whether `url` names a Redis executor (`redis://HOST:PORT[/DB]`). */
export function isRedisUrl(url: string): boolean {
  return /^rediss?:\/\//.test(url);
}

/**
 * Checks that Redis answers at `url` within a few seconds; throws a one-line error saying what to do otherwise.
 * Called before anything is written or enqueued.
 */
export async function checkRedis(url: string): Promise<void> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`'${url}' is not a Redis URL (redis://HOST:PORT)`);
  }
  if (!isRedisUrl(url) || parsed.hostname === '') throw new Error(`'${url}' is not a Redis URL (redis://HOST:PORT)`);
  const client = new Redis(url, { lazyConnect: true, connectTimeout: 3000, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  let cause: string | undefined;
  client.on('error', (e: Error) => (cause ??= e.message)); // the first error says more than connect()'s rejection
  try {
    await client.connect();
    const pong = await client.ping();
    if (pong !== 'PONG') throw new Error(`unexpected reply ${pong}`);
  } catch (e) {
    throw new Error(`cannot reach Redis at ${url} (${cause ?? (e instanceof Error ? e.message : String(e))}); start it or fix the URL`);
  } finally {
    client.disconnect();
  }
}
