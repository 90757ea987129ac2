/**
 * Heartbeat locks in the store, safe between hosts that share it (NFS, Lustre), so no cache key is computed by two
 * attempts at once and a dead holder never wedges a store.
 *
 * A lock is a file created with O_EXCL holding `{pid, host, start, token}`. Its holder renews its heartbeat by touching
 * the file (mtime) every `ttl/4`. A lock is stale, and is broken, when
 *   - its holder is on this host and its process is gone (or its pid was recycled): at once; or
 *   - its holder is on another host (or unknown) and its mtime has not moved for `ttl` as measured by the waiter's own
 *     clock (so clock skew between hosts does not matter).
 * Breaking renames the file aside and checks that it was the stale lock it judged (a fresh one renamed by mistake is
 * put back with link(2), which never overwrites). A holder whose lock was broken (it stalled past the ttl) learns it
 * at its next renewal through `onLost`, and must stop using the key.
 */
import { createHash, randomUUID } from 'node:crypto';
import { closeSync, linkSync, openSync, readFileSync, renameSync, statSync, unlinkSync, utimesSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { TERMINAL_UNSAFE } from './diagnostics.js';
import { readStoreText } from './store/safe-fs.js';
import { setTimeout as sleep } from 'node:timers/promises';

/** What a lock file holds. */
export interface LockInfo {
  readonly pid: number;
  readonly host: string;
  readonly time: string;
  /** Process start time (Linux: /proc/<pid>/stat field 22), so a recycled pid is not mistaken for the holder. */
  readonly start?: string;
  /** A random id of this holding (a broken and retaken lock has another). */
  readonly token?: string;
  /** Caller's note, e.g. the name of the attempt's scratch directory (cleaned up by whoever breaks the lock). */
  readonly attempt?: string;
}

/** Default lock time-to-live: a holder on another host that has not renewed for this long is presumed dead. */
export const DEFAULT_LEASE_MS = 30_000;

/** The lock time-to-live from PIPE_LOCK_TTL_S (seconds), else the default. */
export function lockTtlMs(): number {
  const s = Number(process.env.PIPE_LOCK_TTL_S);
  return Number.isFinite(s) && s > 0 ? s * 1000 : DEFAULT_LEASE_MS;
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

/** Reads a lock file; undefined when absent or not (yet) a valid lock. Lock files are untrusted like all store data. */
export function readLockInfo(path: string): LockInfo | undefined {
  try {
    // Never through a link, never a wait on a FIFO, never a huge read.
    const v = JSON.parse(readStoreText(path, path, 1 << 20) ?? 'null') as Partial<LockInfo> | null;
    // pid and host are printed ("waiting for pid … on …"): an integer, and a name without control characters.
    if (v === null || typeof v !== 'object' || !Number.isSafeInteger(v.pid) || typeof v.host !== 'string' || v.host === '' || v.host.length > 255 || TERMINAL_UNSAFE.test(v.host)) return undefined;
    return v as LockInfo;
  } catch {
    return undefined;
  }
}

/** Same host and the holder's process is certainly gone. */
function holderDeadHere(info: LockInfo): boolean {
  if (info.host !== hostname() || info.pid === process.pid) return false;
  if (!pidAlive(info.pid)) return true;
  const start = info.start !== undefined ? processStart(info.pid) : undefined;
  return start !== undefined && start !== info.start;
}

/** This host, shortened for file names (hostnames may contain '-'). */
const HOST_TAG = createHash('sha256').update(hostname()).digest('hex').slice(0, 8);

/** How long a scratch entry of another host is kept by `gc`: its owner's liveness cannot be checked from here. */
export const FOREIGN_TEMP_MS = 7 * 24 * 3600_000;

/** The prefix of this process's scratch names under a store's tmp/: `<pid>-<host tag>-`. */
export function tempPrefix(): string {
  return `${process.pid}-${HOST_TAG}-`;
}

/**
 * Whether the process that made a scratch entry (named by `tempPrefix`) is gone: a dead pid on this host, or an
 * entry of another host (or of an unknown format) untouched for `FOREIGN_TEMP_MS`.
 */
export function tempOwnerGone(name: string, mtimeMs: number, now = Date.now()): boolean {
  const [pid, tag] = name.split('-');
  if (tag === HOST_TAG && Number.isInteger(Number(pid))) return Number(pid) !== process.pid && !pidAlive(Number(pid));
  return now - mtimeMs > FOREIGN_TEMP_MS;
}

/**
 * Whether a lock file is stale by the rule `acquireLock` breaks it with (its holder died on this host, or another
 * host's holder has not renewed it for `ttl`); an unreadable lock is stale once untouched for `ttl`.
 */
export function lockIsStale(path: string, ttl = lockTtlMs(), now = Date.now()): boolean {
  const info = readLockInfo(path);
  if (info !== undefined && info.host === hostname()) return info.pid !== process.pid && holderDeadHere(info);
  const mtime = mtimeOf(path);
  return mtime !== undefined && now - mtime > ttl;
}

function mtimeOf(path: string): number | undefined {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

export interface LockOptions {
  readonly signal?: AbortSignal;
  /** Called once with the holder (pid and host) when we have to wait. */
  readonly onWait?: (pid: number, host: string) => void;
  /** Called with a stale lock's info after it was broken (e.g. to clean up the dead attempt's scratch directory). */
  readonly onBreak?: (info: LockInfo | undefined) => void;
  /** Called if our lock is found broken by someone else (we stalled past the ttl): stop using the key. */
  readonly onLost?: () => void;
  readonly pollMs?: number;
  /** Time-to-live (default `lockTtlMs()`). */
  readonly ttlMs?: number;
  /** Stored in the lock file as `attempt`. */
  readonly attempt?: string;
}

/**
 * Acquires the lock at `path`, waiting while a live holder has it. Returns a release function (which also stops the
 * heartbeat renewal). Rejects with the signal's reason if aborted while waiting.
 */
export async function acquireLock(path: string, opts: LockOptions = {}): Promise<() => void> {
  const ttl = opts.ttlMs ?? lockTtlMs();
  let told = false;
  // The lock we are watching: its identity, its mtime, and when (our clock) we last saw either change.
  let watched: { id: string; mtime: number | undefined; since: number } | undefined;
  for (;;) {
    const token = randomUUID();
    try {
      const fd = openSync(path, 'wx');
      try {
        const info: LockInfo = {
          pid: process.pid,
          host: hostname(),
          time: new Date().toISOString(),
          ...(myStart ? { start: myStart } : {}),
          token,
          ...(opts.attempt !== undefined ? { attempt: opts.attempt } : {}),
        };
        writeSync(fd, JSON.stringify(info));
      } catch (e) {
        // A full disk: leave no empty lock behind for others to wait out.
        closeSync(fd);
        unlinkSync(path);
        throw e;
      }
      closeSync(fd);
      return holdLock(path, token, ttl, opts.onLost);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const info = readLockInfo(path);
    const mtime = mtimeOf(path);
    const id = info ? `${info.host}:${info.pid}:${info.token ?? info.time}` : 'unreadable';
    const now = Date.now();
    if (watched === undefined || watched.id !== id || watched.mtime !== mtime) watched = { id, mtime, since: now };
    // A lock file caught between create and write is unreadable for a moment; it goes stale like a silent holder.
    const silent = now - watched.since > ttl;
    if ((info !== undefined && holderDeadHere(info)) || (mtime !== undefined && silent && (info === undefined || info.pid !== process.pid || info.host !== hostname()))) {
      if (breakLock(path, info)) opts.onBreak?.(info);
      watched = undefined;
      continue;
    }
    if (!told && info !== undefined) {
      told = true;
      opts.onWait?.(info.pid, info.host);
    }
    opts.signal?.throwIfAborted();
    await sleep(opts.pollMs ?? 100, undefined, opts.signal ? { signal: opts.signal } : {});
  }
}

/** Renews the heartbeat until released; returns the release function. */
function holdLock(path: string, token: string, ttl: number, onLost: (() => void) | undefined): () => void {
  const timer = setInterval(() => {
    if (readLockInfo(path)?.token !== token) {
      clearInterval(timer);
      onLost?.();
      return;
    }
    try {
      const now = new Date();
      utimesSync(path, now, now);
    } catch {
      /* gone: noticed at the next renewal */
    }
  }, Math.max(10, Math.floor(ttl / 4)));
  timer.unref();
  return () => {
    clearInterval(timer);
    try {
      if (readLockInfo(path)?.token === token) unlinkSync(path);
    } catch {
      /* already gone */
    }
  };
}

/**
 * Removes a stale lock, making sure the file removed is the one judged stale. True when this call broke it.
 */
function breakLock(path: string, judged: LockInfo | undefined): boolean {
  const grave = `${path}.broken-${process.pid}-${randomUUID().slice(0, 8)}`;
  try {
    renameSync(path, grave);
  } catch {
    return false; // someone else broke or released it first
  }
  const taken = readLockInfo(grave);
  const same = judged === undefined ? taken === undefined : taken !== undefined && taken.token === judged.token && taken.pid === judged.pid && taken.host === judged.host;
  if (!same) {
    // A fresh lock was created between our judgement and the rename: put it back unless yet another one exists.
    try {
      linkSync(grave, path);
    } catch {
      /* its holder will see its lock lost at the next renewal */
    }
  }
  try {
    unlinkSync(grave);
  } catch {
    /* gone */
  }
  return same;
}
