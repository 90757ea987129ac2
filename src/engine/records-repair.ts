/**
 * `fsck --repair` of record files (meta/*.jsonl): a crash mid-append leaves a torn line, a hand edit a garbage one.
 * Readers skip such lines; repair rewrites the file keeping every complete valid line, through a temp file in the
 * same folder (fsync, rename, fsync of the folder), so a reader sees the old file or the new one, never a mixture.
 *
 * Appenders take no per-file lock (one O_APPEND write per batch), so a rewrite must run when none can append: a
 * line appended to the old file between the rewrite's read and its rename would be lost. Every appender is part of
 * a registered run or holds a cache key's lock: the run's own rows and its interrupted-run rows (between its marker
 * and its end, run-records.ts), a node attempt's metrics, tables, cache keys and artifacts (under the key's lock,
 * node-runner.ts, wherever it executes), gc's interrupted-run rows (under gc.lock). So repair holds gc.lock — a run
 * writes its marker and then waits on gc.lock, as with gc — and rewrites only when no run marker is live and no key
 * lock is held; otherwise it leaves the files as they are and says why.
 */
import { closeSync, constants, fsyncSync, lstatSync, openSync, readdirSync, renameSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { liveRuns } from './inventory.js';
import { acquireLock, lockIsStale, tempOwnerGone, tempPrefix } from './lock.js';
import type { FsStore } from './store/fs-store.js';
import { forEachStoreLine, listStoreFolder } from './store/safe-fs.js';
import { checkRecordLine, isDigest, StoreDamage } from './store/untrusted.js';

/** Why readers skip a (non-empty) record line — over-long, not JSON, not an object — or undefined for a good one. */
export function recordLineDamage(line: string | undefined, label: string, lineNo: number): StoreDamage | undefined {
  if (line === undefined) return new StoreDamage(`${label}:${lineNo}`, 'a line longer than pipe writes');
  try {
    checkRecordLine(line, label, lineNo);
    return undefined;
  } catch (e) {
    if (e instanceof StoreDamage) return e;
    throw e;
  }
}

/** A record file to repair: its path and its store-relative name. */
export interface RecordFile {
  readonly path: string;
  readonly label: string;
}

/**
 * Rewrites each file without its bad lines, when no run or attempt can be appending. Returns what happened to each
 * file (by label), for fsck's report.
 */
export async function repairRecordFiles(store: FsStore, files: readonly RecordFile[]): Promise<Map<string, string>> {
  const done = new Map<string, string>();
  if (files.length === 0) return done;
  const release = await acquireLock(join(store.root, 'locks', 'gc.lock'));
  try {
    const busy = activeWriters(store);
    if (busy !== undefined) {
      for (const f of files) done.set(f.label, `not repaired: ${busy} may be appending; run pipe fsck --repair again when it ends`);
      return done;
    }
    for (const dir of new Set(files.map((f) => dirname(f.path)))) removeStaleTemps(dir);
    for (const f of files) {
      const { kept, dropped } = rewriteRecordFile(f.path, f.label);
      done.set(f.label, `file rewritten without its ${dropped} bad line${dropped === 1 ? '' : 's'} (${kept} kept)`);
    }
    return done;
  } finally {
    release();
  }
}

/** Who may append to records now (a live run, a held key lock), or undefined when no one can. */
function activeWriters(store: FsStore): string | undefined {
  const runs = liveRuns(store);
  if (runs.length > 0) return `a run in progress (pid ${runs.map((r) => r.pid).join(', ')})`;
  const locks = join(store.root, 'locks');
  const held = listStoreFolder(locks, 'locks').filter((f) => f.endsWith('.lock') && isDigest(f.slice(0, -'.lock'.length)) && !lockIsStale(join(locks, f)));
  if (held.length > 0) return `a node attempt holding locks/${held[0]}`;
  return undefined;
}

const TEMP_SUFFIX = '.repair';

/** Temp files of a repair whose process died mid-rewrite (they never end in .jsonl, so no reader takes them). */
function removeStaleTemps(dir: string): void {
  for (const f of readdirSync(dir)) {
    if (!f.endsWith(TEMP_SUFFIX)) continue;
    const path = join(dir, f);
    if (tempOwnerGone(f, lstatSync(path).mtimeMs)) unlinkSync(path);
  }
}

/** The file's valid lines, in order, written to a temp file beside it that then replaces it. */
function rewriteRecordFile(path: string, label: string): { kept: number; dropped: number } {
  const tmp = join(dirname(path), `${tempPrefix()}${basename(path)}${TEMP_SUFFIX}`);
  let kept = 0;
  let dropped = 0;
  // Whatever is at the temp name (left by a repair of this pid before) goes first; the new file is created exclusively.
  rmSync(tmp, { force: true });
  const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
  try {
    // Lines are batched into writes of about 1 MiB: record files grow to gigabytes.
    let batch: string[] = [];
    let batchBytes = 0;
    const write = (): void => {
      if (batch.length > 0) writeSync(fd, batch.join(''));
      batch = [];
      batchBytes = 0;
    };
    forEachStoreLine(path, label, (line, lineNo) => {
      if (line === '') return;
      if (recordLineDamage(line, label, lineNo) !== undefined) {
        dropped++;
        return;
      }
      kept++;
      batch.push(`${line as string}\n`);
      batchBytes += (line as string).length + 1;
      if (batchBytes >= 1 << 20) write();
    });
    write();
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    unlinkSync(tmp);
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, path);
  const dirFd = openSync(dirname(path), constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
  return { kept, dropped };
}
