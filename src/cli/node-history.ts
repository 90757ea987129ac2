/**
 * How long each node took the last time it ran, from the store's node_runs records: the progress display's ETA for
 * nodes that report no countable progress (and a check on those that do).
 */
import { join } from 'node:path';
import { forEachStoreLine } from '../engine/store/safe-fs.js';

/** Node id → seconds of its last successful execution in `pipeline` (absent when it never ran in this store). */
export function lastDurations(storeRoot: string, pipeline: string): Map<string, number> {
  const file = join(storeRoot, 'meta', 'node_runs.jsonl');
  const seconds = new Map<string, number>();
  try {
    forEachStoreLine(file, 'meta/node_runs.jsonl', (line) => {
      if (line === undefined || line === '') return;
      try {
        const row = JSON.parse(line) as { pipeline?: string; node_id?: string; status?: string; seconds?: unknown } | null;
        if (row?.pipeline === pipeline && row.status === 'ran' && typeof row.node_id === 'string' && typeof row.seconds === 'number') seconds.set(row.node_id, row.seconds);
      } catch {
        /* a line being written by a concurrent run */
      }
    });
  } catch {
    /* not a regular file: no history (fsck reports it) */
  }
  return seconds;
}
