/**
 * How long each node took the last time it ran, from the store's node_runs records: the progress display's ETA for
 * nodes that report no countable progress (and a check on those that do).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Node id → seconds of its last successful execution in `pipeline` (absent when it never ran in this store). */
export function lastDurations(storeRoot: string, pipeline: string): Map<string, number> {
  const file = join(storeRoot, 'meta', 'node_runs.jsonl');
  const seconds = new Map<string, number>();
  if (!existsSync(file)) return seconds;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line === '') continue;
    try {
      const row = JSON.parse(line) as { pipeline?: string; node_id?: string; status?: string; seconds?: unknown };
      if (row.pipeline === pipeline && row.status === 'ran' && typeof row.node_id === 'string' && typeof row.seconds === 'number') seconds.set(row.node_id, row.seconds);
    } catch {
      /* a line being written by a concurrent run */
    }
  }
  return seconds;
}
