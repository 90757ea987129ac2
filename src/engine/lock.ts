/**
 * Per-cache-key lock files, so two `pipe run`s on one store never compute (and publish) the same key at once.
 * A lock is a file created with O_EXCL holding `{pid, host}`; a lock whose process is gone (kill -9) is stale and
 * is taken over. Waiters poll, and say once what they are waiting for.
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';

interface LockInfo {
  readonly pid: number;
  readonly host: string;
  readonly time: string;
  /** Process start time (Linux: /proc/<pid>/stat field 22), so a recycled pid is not mistaken for the holder. */
  readonly start?: string;
}

/** A process's start time on Linux, undefined elsewhere or if it is gone. */
export function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start after the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

const myStart = processStart(process.pid);

/** Whether a process id is alive on this host (EPERM means alive but not ours). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readInfo(path: string): LockInfo | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LockInfo;
  } catch {
    return undefined;
  }
}

/** True when the lock at `path` belongs to a dead process on this host (or is unreadable for a while). */
function isStale(info: LockInfo | undefined): boolean {
  if (info === undefined) return false;
  if (info.host !== hostname() || info.pid === process.pid) return false;
  if (!pidAlive(info.pid)) return true;
  const start = info.start !== undefined ? processStart(info.pid) : undefined;
  return start !== undefined && start !== info.start;
}

/**
 * Acquires the lock file at `path`, waiting while another live process holds it. `onWait` is called once with the
 * holder's pid. Returns a release function. Rejects with the signal's reason if aborted while waiting.
 */
export async function acquireLock(
  path: string,
  opts: { readonly signal?: AbortSignal; readonly onWait?: (pid: number) => void; readonly pollMs?: number } = {},
): Promise<() => void> {
  let told = false;
  let unreadableSince: number | undefined;
  for (;;) {
    try {
      const fd = openSync(path, 'wx');
      try {
        writeSync(fd, JSON.stringify({ pid: process.pid, host: hostname(), time: new Date().toISOString(), ...(myStart ? { start: myStart } : {}) }));
      } finally {
        closeSync(fd);
      }
      return () => {
        try {
          if (readInfo(path)?.pid === process.pid) unlinkSync(path);
        } catch {
          /* already gone */
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const info = readInfo(path);
    // A lock file caught between create and write is unreadable for a moment; treat it as stale only after 5 s.
    if (info === undefined) unreadableSince ??= Date.now();
    else unreadableSince = undefined;
    const deadWriter = unreadableSince !== undefined && Date.now() - unreadableSince > 5000;
    if (isStale(info) || deadWriter) {
      // Re-read just before removing, so we never delete a lock someone else has just taken over.
      const again = readInfo(path);
      if (JSON.stringify(again) === JSON.stringify(info)) {
        try {
          unlinkSync(path);
        } catch {
          /* raced with another taker */
        }
      }
      continue;
    }
    if (!told && info !== undefined) {
      told = true;
      opts.onWait?.(info.pid);
    }
    opts.signal?.throwIfAborted();
    await sleep(opts.pollMs ?? 100, undefined, opts.signal ? { signal: opts.signal } : {});
  }
}
