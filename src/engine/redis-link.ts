/**
 * One process's connections to the Redis of a worker pool, watched as one. ioredis reconnects by itself and, for
 * BullMQ (`maxRetriesPerRequest: null`), holds commands until it is back — forever, if Redis never returns — and
 * prints "[ioredis] Unhandled error event" for every failed reconnect of a connection nobody listens to. Every
 * connection made here (and every BullMQ object that reports through `onError`) is listened to: the first connection
 * error is one notice ("lost connection to Redis at URL …; retrying for up to N s"), the return one more
 * ("reconnected"), and silence for longer than the give-up time aborts `lost` with a one-line reason, which callers
 * turn into a failure instead of a hang.
 */
import { Redis } from 'ioredis';

export interface RedisLinkOptions {
  /** One line for the user (a lost or restored connection, a queue error). */
  readonly notice: (line: string) => void;
  /** How long Redis may stay unreachable before `lost` aborts (default: PIPE_REDIS_RETRY_S, else 60 s). */
  readonly giveUpMs?: number;
}

export interface RedisLink {
  readonly url: string;
  /** A new connection (BullMQ-ready: `maxRetriesPerRequest: null`), watched, and closed by `close()`. */
  connect(): Redis;
  /** For the `error` events of BullMQ queues and workers (they re-emit those of connections they make themselves). */
  readonly onError: (e: Error) => void;
  /** Aborts, with an Error saying so, once Redis has been unreachable for the give-up time. */
  readonly lost: AbortSignal;
  /** False from a connection error until a connection is ready again. */
  up(): boolean;
  /** `p`, or a rejection with the loss once `lost` aborts (for commands ioredis would hold forever). */
  guard<T>(p: Promise<T>): Promise<T>;
  /** Disconnects every connection made here. */
  close(): void;
}

/** How long Redis may stay unreachable (PIPE_REDIS_RETRY_S, default 60 s). */
export function redisRetryMs(): number {
  const s = Number(process.env.PIPE_REDIS_RETRY_S);
  return Number.isFinite(s) && s > 0 ? s * 1000 : 60_000;
}

/** Errors that mean the connection is gone (as opposed to a command or script error). */
function isConnectionError(e: Error): boolean {
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string' && /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN)$/.test(code)) return true;
  return /Connection is closed|connect ETIMEDOUT|Stream isn't writeable|socket closed/i.test(e.message);
}

/** Watches the connections a process makes to the Redis at `url`. */
export function redisLink(url: string, opts: RedisLinkOptions): RedisLink {
  const giveUpMs = opts.giveUpMs ?? redisRetryMs();
  const clients = new Set<Redis>();
  const controller = new AbortController();
  let down: { timer: NodeJS.Timeout } | undefined;
  let closed = false;
  const seen = new Set<string>();

  const lose = (e: Error): void => {
    if (closed || controller.signal.aborted) return;
    if (down !== undefined) return;
    opts.notice(`lost connection to Redis at ${url} (${e.message || (e as { code?: string }).code || 'closed'}); retrying for up to ${Math.round(giveUpMs / 1000)} s`);
    const timer = setTimeout(() => {
      controller.abort(new Error(`lost connection to Redis at ${url}: unreachable for ${Math.round(giveUpMs / 1000)} s; giving up`));
      for (const c of clients) c.disconnect(); // pending commands reject instead of waiting for a Redis that is gone
    }, giveUpMs);
    down = { timer };
  };
  const onError = (e: Error): void => {
    if (isConnectionError(e)) return lose(e);
    if (seen.has(e.message)) return; // say each other error once, not once per retry
    seen.add(e.message);
    opts.notice(`Redis at ${url}: ${e.message}`);
  };
  const onReady = (): void => {
    if (down === undefined || controller.signal.aborted) return;
    clearTimeout(down.timer);
    down = undefined;
    opts.notice(`reconnected to Redis at ${url}`);
  };

  return {
    url,
    connect() {
      const c = new Redis(url, { maxRetriesPerRequest: null });
      c.on('error', onError);
      c.on('ready', onReady);
      clients.add(c);
      return c;
    },
    onError,
    lost: controller.signal,
    up: () => down === undefined && !controller.signal.aborted,
    guard<T>(p: Promise<T>): Promise<T> {
      const lost = controller.signal;
      if (lost.aborted) {
        p.catch(() => {});
        return Promise.reject(lost.reason as Error);
      }
      return new Promise<T>((resolve, reject) => {
        const onLost = (): void => reject(lost.reason as Error);
        lost.addEventListener('abort', onLost, { once: true });
        p.then(resolve, reject).finally(() => lost.removeEventListener('abort', onLost));
      });
    },
    close() {
      closed = true;
      if (down !== undefined) clearTimeout(down.timer);
      for (const c of clients) c.disconnect();
      clients.clear();
    },
  };
}
