/**
 * What a store holds, read from its index files: the last key per (pipeline, node id), cache entries, objects.
 * Shared by `ls`, `show` and `gc`.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pidAlive } from './lock.js';
import type { CacheEntry, LastKey, Store } from './store.js';

/** Every last-key record in the store. */
export function lastKeys(store: Store): LastKey[] {
  const dir = join(store.root, 'last');
  if (!existsSync(dir)) return [];
  const out: LastKey[] = [];
  for (const f of readdirSync(dir)) {
    try {
      out.push(JSON.parse(readFileSync(join(dir, f), 'utf8')) as LastKey);
    } catch {
      /* a torn file cannot exist (atomic rename); ignore foreign files */
    }
  }
  return out.sort((a, b) => (a.pipeline + a.nodeId < b.pipeline + b.nodeId ? -1 : 1));
}

/** Every cache key with an entry. */
export function entryKeys(store: Store): string[] {
  const dir = join(store.root, 'cache');
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)) : [];
}

/** Every object digest with its size. */
export function objects(store: Store): { digest: string; size: number; path: string }[] {
  const root = join(store.root, 'objects');
  if (!existsSync(root)) return [];
  const out: { digest: string; size: number; path: string }[] = [];
  for (const sub of readdirSync(root)) {
    for (const f of readdirSync(join(root, sub))) {
      const path = join(root, sub, f);
      out.push({ digest: f, size: statSync(path).size, path });
    }
  }
  return out;
}

/** Digests of every object an entry needs (outputs, and for directories their manifest and files). */
export function entryObjects(store: Store, entry: CacheEntry): string[] {
  const out: string[] = [];
  for (const a of Object.values(entry.outputs)) {
    out.push(a.digest);
    if (a.type === 'dir') {
      try {
        for (const e of store.readManifest(a.digest).entries) if (e.type === 'file') out.push(e.digest);
      } catch {
        /* missing manifest: nothing more to keep */
      }
    }
  }
  return out;
}

/** Runs in progress on this store (their markers name a live pid). */
export function liveRuns(store: Store): { pid: number; runId: string; pipeline: string }[] {
  const dir = join(store.root, 'locks');
  if (!existsSync(dir)) return [];
  const out: { pid: number; runId: string; pipeline: string }[] = [];
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.run'))) {
    try {
      // Markers name the run `run_id` (older ones `runId`).
      const m = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { pid: number; run_id?: string; runId?: string; pipeline: string };
      if (pidAlive(m.pid)) out.push({ pid: m.pid, runId: m.run_id ?? m.runId ?? '', pipeline: m.pipeline });
    } catch {
      /* ignore */
    }
  }
  return out;
}

/** Total size of a directory tree (for reporting). */
export function treeSize(path: string): number {
  let total = 0;
  const walk = (p: string): void => {
    const st = statSync(p, { throwIfNoEntry: false });
    if (st === undefined) return;
    if (st.isDirectory()) for (const f of readdirSync(p)) walk(join(p, f));
    else total += st.size;
  };
  walk(path);
  return total;
}
