/**
 * Which recorded runs were interrupted: a run whose rows say 'running' (no finished row) and whose process is gone
 * from this host (kill -9, a crash, a reboot) will never finish. Its rows are append-only, so readers derive the
 * status ('interrupted') instead of the store rewriting history. A run recorded on another host is left as is.
 */
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { pidAlive, processStart } from './lock.js';

/** The status readers show for a run, or a node of a run, whose process died. */
export const INTERRUPTED = 'interrupted';

interface RunRow {
  readonly run_id?: unknown;
  readonly pid?: unknown;
  readonly host?: unknown;
  readonly pid_start?: unknown;
  readonly finished?: unknown;
}

/** Whether the process that wrote a 'running' row is certainly gone (same host; dead, or its pid recycled). */
function processGone(row: RunRow): boolean {
  if (typeof row.pid !== 'number') return false;
  if (typeof row.host === 'string' && row.host !== hostname()) return false;
  if (!pidAlive(row.pid)) return true;
  return typeof row.pid_start === 'string' && processStart(row.pid) !== undefined && processStart(row.pid) !== row.pid_start;
}

/** Run ids in `meta/runs.jsonl` (path given) that never finished and whose process is gone. */
export function interruptedRuns(runsFile: string): Set<string> {
  const result = new Set<string>();
  if (!existsSync(runsFile)) return result;
  const open = new Map<string, RunRow>();
  const finished = new Set<string>();
  for (const line of readFileSync(runsFile, 'utf8').split('\n')) {
    if (line === '') continue;
    let row: RunRow;
    try {
      row = JSON.parse(line) as RunRow;
    } catch {
      continue; // a line being written
    }
    if (typeof row.run_id !== 'string') continue;
    if (row.finished !== null && row.finished !== undefined) finished.add(row.run_id);
    else open.set(row.run_id, row);
  }
  for (const [id, row] of open) if (!finished.has(id) && processGone(row)) result.add(id);
  return result;
}
