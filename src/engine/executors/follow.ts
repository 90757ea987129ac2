/**
 * The driver's side of a remote attempt (a SLURM job, a queue job), shared by those executors: names the attempt,
 * makes its channel in the store, hands it over, tails the channel (attempt-channel.ts), forwards start/progress/log
 * to the scheduler, and resolves with the outcome the attempt wrote — or, when the executor says the attempt is gone
 * without one (a SLURM job killed, a queue job given up), with that as a failure; `cancelled` once the run was
 * interrupted, unless the attempt finished anyway. Its files in the store are removed when it ends.
 */
import { randomUUID } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { channelReader } from '../attempt-channel.js';
import type { AttemptEvents, AttemptOutcome, NodeTask } from '../executor.js';
import type { Store } from '../store.js';

export interface FollowOptions {
  readonly channel: string;
  readonly events: AttemptEvents;
  /** When the attempt was handed over (performance.now()), for the queue wait. */
  readonly submitted: number;
  /** undefined while the attempt may still report; else why it never will (checked about once a second). */
  readonly gone: () => Promise<string | undefined>;
  readonly pollMs?: number;
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
        return { status: 'failed', message: why, logTail: tail, engine: true, ...(worker !== undefined ? { worker } : {}) };
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
  readonly gone: () => Promise<string | undefined>;
  /** Adds to an engine failure what the backend knows (e.g. the job's own output). */
  readonly explain?: (outcome: Extract<AttemptOutcome, { status: 'failed' }>) => AttemptOutcome;
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
      const outcome = await followAttempt({ channel, events, submitted, gone: h.gone });
      if (signal.aborted && outcome.status !== 'ran' && outcome.status !== 'cached') return { status: 'cancelled' };
      return outcome.status === 'failed' && outcome.engine && h.explain ? h.explain(outcome) : outcome;
    } finally {
      signal.removeEventListener('abort', h.cancel);
      h.end?.();
    }
  } finally {
    for (const f of files) rmSync(f, { force: true });
  }
}
