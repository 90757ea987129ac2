/**
 * The driver's side of a remote attempt (a SLURM job, a queue job), shared by those executors: names the attempt,
 * makes its channel in the store, hands it over, tails the channel (attempt-channel.ts), forwards start/progress/log
 * to the scheduler, and resolves with the outcome the attempt wrote — or, when the executor says the attempt is gone
 * without one (a SLURM job killed, a queue job given up), with that as a failure; `cancelled` once the run was
 * interrupted, unless the attempt finished anyway. Its files in the store are removed when it ends.
 *
 * A backend may also lose an attempt without ending it (a Redis restarted without persistence forgets its queue):
 * then the key's result, if the store has it meanwhile, is the outcome (unless the attempt reports within a few
 * seconds, e.g. a worker that kept running the node), else the attempt is handed over again under the same id and
 * followed on the same channel. The key's lock in the store keeps a second attempt from running the key while the
 * first still does.
 */
import { randomUUID } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { channelReader } from '../attempt-channel.js';
import type { AttemptEvents, AttemptOutcome, NodeTask } from '../executor.js';
import type { Store } from '../store.js';

/**
 * What a backend says about an attempt (checked about once a second): undefined while it may still report; a string
 * saying why it never will; or `vanished` when the backend lost it without its having ended (it may be handed over
 * again).
 */
export type Gone = string | { readonly vanished: string } | undefined;

export interface FollowOptions {
  readonly channel: string;
  readonly events: AttemptEvents;
  /** When the attempt was handed over (performance.now()), for the queue wait. */
  readonly submitted: number;
  readonly gone: () => Promise<Gone>;
  /**
   * Called when `gone` says `vanished` and the channel holds no outcome: resolves with the outcome to end with (it
   * still yields to one the channel reports within `graceMs`), or undefined when the attempt was handed over again
   * and following goes on. Without it a vanished attempt is a failure.
   */
  readonly vanished?: (why: string) => Promise<AttemptOutcome | undefined>;
  readonly pollMs?: number;
  /** How long an outcome from `vanished` waits for one from the channel (default 3 s). */
  readonly graceMs?: number;
}

/** Follows one attempt to its outcome. */
export async function followAttempt(opts: FollowOptions): Promise<AttemptOutcome> {
  const reader = channelReader(opts.channel);
  const tail: string[] = [];
  let worker: string | undefined;
  let lastCheck = 0;
  const drain = (): AttemptOutcome | undefined => {
    for (const e of reader.poll()) {
      switch (e.t) {
        case 'start':
          worker = e.worker;
          opts.events.start({ worker: e.worker, startedAt: e.startedAt, queueWaitS: (performance.now() - opts.submitted) / 1000 });
          break;
        case 'progress':
          opts.events.progress(e.update);
          break;
        case 'log':
          tail.push(e.line);
          if (tail.length > 20) tail.shift();
          opts.events.log(e.line);
          break;
        case 'waiting':
          opts.events.waiting(e.holder);
          break;
        case 'end':
          return e.outcome;
      }
    }
    return undefined;
  };
  for (;;) {
    const outcome = drain();
    if (outcome !== undefined) return outcome;
    if (performance.now() - lastCheck > 1000) {
      lastCheck = performance.now();
      const why = await opts.gone();
      if (why !== undefined) {
        const late = drain();
        if (late !== undefined) return late;
        const failed = (message: string): AttemptOutcome => ({ status: 'failed', message, logTail: tail, engine: true, ...(worker !== undefined ? { worker } : {}) });
        if (typeof why === 'string') return failed(why);
        if (opts.vanished === undefined) return failed(why.vanished);
        const inferred = await opts.vanished(why.vanished);
        if (inferred !== undefined) {
          const t0 = performance.now();
          while (performance.now() - t0 < (opts.graceMs ?? 3000)) {
            await sleep(opts.pollMs ?? 200);
            const reported = drain();
            if (reported !== undefined) return reported;
          }
          return inferred;
        }
      }
    }
    await sleep(opts.pollMs ?? 200);
  }
}

/** An attempt handed to an executor's backend. */
export interface HandedOver {
  /** Stops the attempt (the run was interrupted); `gone` later says when it is over. */
  readonly cancel: () => void;
  /** As FollowOptions.gone. */
  readonly gone: () => Promise<Gone>;
  /**
   * The backend lost the attempt (`gone` said `vanished`) and the channel holds no outcome: say so in one line and,
   * unless `inStore` (the key's result is in the store already), hand it over again under the same id. Resolves
   * with a failure message when it cannot.
   */
  readonly vanished?: (why: string, inStore: boolean) => Promise<string | undefined>;
  /** Adds to an engine failure what the backend knows (e.g. the job's own output). */
  readonly explain?: (outcome: Extract<AttemptOutcome, { status: 'failed' }>) => AttemptOutcome | Promise<AttemptOutcome>;
  /** Called once following ends, however it ends. */
  readonly end?: () => void;
}

/**
 * Runs one remote attempt of `task`: `handOver(id, file)` submits it (`file(suffix)` names a scratch file of this
 * attempt under the store's jobs/, removed at the end) and says how to follow it, or returns the outcome when the
 * hand-over itself failed.
 */
export async function followRemote(
  store: Store,
  task: NodeTask,
  events: AttemptEvents,
  signal: AbortSignal,
  handOver: (id: string, file: (suffix: string) => string) => Promise<HandedOver | { readonly failed: AttemptOutcome }>,
): Promise<AttemptOutcome> {
  if (signal.aborted) return { status: 'cancelled' };
  const id = `${task.runId}-${randomUUID().slice(0, 12)}`;
  const files: string[] = [];
  const file = (suffix: string): string => {
    const f = store.attempts.jobFile(`${id}${suffix}`);
    files.push(f);
    return f;
  };
  try {
    const channel = file('.events');
    writeFileSync(channel, '');
    const submitted = performance.now();
    const h = await handOver(id, file);
    if ('failed' in h) return h.failed;
    signal.addEventListener('abort', h.cancel, { once: true });
    try {
      const vanished = async (why: string): Promise<AttemptOutcome | undefined> => {
        // A forced rerun ignores an entry it did not make itself.
        const entry = store.readEntry(task.key);
        const inStore = entry !== undefined && (task.reasonType !== 'forced' || entry.runId === task.runId) && Object.values(entry.outputs).every((a) => store.hasArtifact(a));
        const refused = h.vanished === undefined ? why : await h.vanished(why, inStore);
        if (refused !== undefined) return { status: 'failed', message: refused, logTail: [], engine: true };
        return inStore && entry !== undefined ? { status: 'cached', outputs: entry.outputs, worker: 'unknown' } : undefined;
      };
      const outcome = await followAttempt({ channel, events, submitted, gone: h.gone, vanished });
      if (signal.aborted && outcome.status !== 'ran' && outcome.status !== 'cached') return { status: 'cancelled' };
      return outcome.status === 'failed' && outcome.engine && h.explain ? await h.explain(outcome) : outcome;
    } finally {
      signal.removeEventListener('abort', h.cancel);
      h.end?.();
    }
  } finally {
    for (const f of files) rmSync(f, { force: true });
  }
}
