/**
 * How a remote attempt (a SLURM job, a queue worker) talks back to the driver: an append-only JSON-lines file in the
 * shared store, one per attempt, which the driver tails. It carries only what the driver shows and records (start,
 * progress, log lines, the outcome); results themselves are in the store. Using the store rather than the queue
 * means SLURM and the worker pool share one mechanism, and Redis never holds node output.
 */
import { closeSync, constants, existsSync, openSync, readSync, writeSync } from 'node:fs';
import type { AttemptOutcome } from './executor.js';
import type { ProgressUpdate } from './node-kind.js';

/** One line of a channel. */
export type ChannelEvent =
  | { readonly t: 'start'; readonly worker: string; readonly startedAt: string }
  | { readonly t: 'progress'; readonly update: ProgressUpdate }
  | { readonly t: 'log'; readonly line: string }
  | { readonly t: 'waiting'; readonly holder: string }
  | { readonly t: 'end'; readonly outcome: AttemptOutcome };

/**
 * The writing end (in the attempt's process). Progress is throttled to two lines a second. It never creates the
 * file: once the driver has stopped following (and removed the channel), a late attempt's lines go nowhere instead
 * of leaving a stray file in the store.
 */
export function channelWriter(path: string): (e: ChannelEvent) => void {
  let lastProgress = 0;
  return (e) => {
    if (e.t === 'progress') {
      const now = Date.now();
      const final = e.update.total !== undefined && e.update.done >= e.update.total;
      if (now - lastProgress < 500 && !final) return;
      lastProgress = now;
    }
    let fd: number;
    try {
      fd = openSync(path, constants.O_WRONLY | constants.O_APPEND);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    try {
      writeSync(fd, `${JSON.stringify(e)}\n`);
    } finally {
      closeSync(fd);
    }
  };
}

/** The reading end (in the driver): `poll()` returns the events appended since the last call. */
export function channelReader(path: string): { poll(): ChannelEvent[] } {
  let offset = 0;
  let partial = '';
  return {
    poll() {
      if (!existsSync(path)) return [];
      const fd = openSync(path, 'r');
      const chunks: Buffer[] = [];
      try {
        const buf = Buffer.alloc(1 << 16);
        for (;;) {
          const n = readSync(fd, buf, 0, buf.length, offset);
          if (n <= 0) break;
          offset += n;
          chunks.push(Buffer.from(buf.subarray(0, n)));
        }
      } finally {
        closeSync(fd);
      }
      const lines = (partial + Buffer.concat(chunks).toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      const events: ChannelEvent[] = [];
      for (const line of lines) {
        if (line === '') continue;
        try {
          const e = JSON.parse(line) as ChannelEvent;
          if (e !== null && typeof e === 'object' && typeof e.t === 'string') events.push(e);
        } catch {
          /* not ours: ignored */
        }
      }
      return events;
    },
  };
}
