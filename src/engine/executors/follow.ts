/**
 * The driver's side of a remote attempt: tails its channel (attempt-channel.ts), forwards start/progress/log to the
 * scheduler, and resolves with the outcome the attempt wrote — or, when the executor says the attempt is gone
 * without one (a SLURM job killed, a queue job given up), with that as a failure.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { channelReader } from '../attempt-channel.js';
import type { AttemptEvents, AttemptOutcome } from '../executor.js';

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
