/**
 * Which recorded runs were interrupted: a run whose rows say 'running' (no finished row) and whose process is gone
 * from this host (kill -9, a crash, a reboot) will never finish. Its rows are append-only, so readers derive the
 * status ('interrupted') instead of the store rewriting history. A run recorded on another host is left as is.
 */
import { existsSync, readdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { hostname } from 'node:os';
import { pidAlive, processStart } from './lock.js';
import { forEachStoreLine, readStoreText } from './store/safe-fs.js';

/** The status readers show for a run, or a node of a run, whose process died. */
export const INTERRUPTED = 'interrupted';

export interface RunRow {
  readonly run_id?: unknown;
  readonly pid?: unknown;
  readonly host?: unknown;
  readonly pid_start?: unknown;
  readonly finished?: unknown;
}

/** Whether the process that wrote a 'running' row is certainly gone (same host; dead, or its pid recycled). */
export function processGone(row: RunRow): boolean {
  if (typeof row.pid !== 'number') return false;
  if (typeof row.host === 'string' && row.host !== hostname()) return false;
  if (!pidAlive(row.pid)) return true;
  return typeof row.pid_start === 'string' && processStart(row.pid) !== undefined && processStart(row.pid) !== row.pid_start;
}

/** Whether a run marker (or 'running' row) may still be running: on another host, or its process alive here. */
export function runMarkerLive(row: RunRow): boolean {
  return typeof row.pid === 'number' && !processGone(row);
}

/** Run ids in `meta/runs.jsonl` (path given) that never finished and whose process is gone. */
export function interruptedRuns(runsFile: string): Set<string> {
  return runStates(runsFile).interrupted;
}

/**
 * Run ids that are not running: finished (a final row) or interrupted (no final row, process gone). A node row still
 * 'running' in such a run was cut off with it.
 */
export function endedRuns(runsFile: string): Set<string> {
  const { finished, interrupted } = runStates(runsFile);
  return new Set([...finished, ...interrupted]);
}

function runStates(runsFile: string): { finished: Set<string>; interrupted: Set<string> } {
  const result = new Set<string>();
  const finished = new Set<string>();
  if (!existsSync(runsFile)) return { finished, interrupted: result };
  const open = new Map<string, RunRow>();
  try {
    forEachStoreLine(runsFile, 'meta/runs.jsonl', (line) => {
      if (line === undefined || line === '') return;
      let row: RunRow | null;
      try {
        row = JSON.parse(line) as RunRow | null;
      } catch {
        return; // a line being written
      }
      if (typeof row !== 'object' || row === null || typeof row.run_id !== 'string') return;
      if (row.finished !== null && row.finished !== undefined) finished.add(row.run_id);
      else open.set(row.run_id, row);
    });
  } catch {
    // not a regular file (fsck reports it): no runs to judge
  }
  for (const [id, row] of open) if (!finished.has(id) && processGone(row)) result.add(id);
  return { finished, interrupted: result };
}

/** What a run writes to `locks/run-<id>.run` while it is in progress (gc waits for it; see gc.ts). */
export interface RunMarker extends RunRow {
  readonly run_id: string;
  readonly pipeline: string;
  readonly file: string;
  readonly started: string;
}

/**
 * Records, at the start of a run, that earlier runs on the store whose process died were interrupted: appends a
 * final 'interrupted' row for each (so the records say so even where liveness cannot be checked later, e.g. on
 * another host) and removes its marker. Whoever removes a marker writes its row, so concurrent runs never both do.
 */
export function recordInterruptedRuns(locksDir: string, append: (rows: object[]) => void): string[] {
  let names: string[];
  try {
    names = readdirSync(locksDir).filter((f) => f.startsWith('run-') && f.endsWith('.run'));
  } catch {
    return [];
  }
  const rows: object[] = [];
  for (const name of names) {
    const path = join(locksDir, name);
    let marker: Partial<RunMarker>;
    try {
      marker = JSON.parse(readStoreText(path, `locks/${name}`, 1 << 20) ?? 'null') as Partial<RunMarker>;
    } catch {
      continue; // being written, or not ours to judge
    }
    if (typeof marker !== 'object' || marker === null || typeof marker.run_id !== 'string' || !processGone(marker)) continue;
    try {
      unlinkSync(path);
    } catch {
      continue; // another run got there first
    }
    const { run_id, pipeline = null, file = null, pid = null, host = null, pid_start = null, started = null } = marker;
    rows.push({ run_id, pipeline, file, pid, host, pid_start, started, finished: new Date().toISOString(), status: INTERRUPTED });
  }
  if (rows.length > 0) append(rows);
  return rows.map((r) => (r as { run_id: string }).run_id);
}
