/**
 * What a store holds, read from its index files: the last key per (pipeline, node id), cache entries, objects.
 * Shared by `ls`, `show` and `gc`.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pidAlive } from './lock.js';
import type { CacheEntry, LastKey } from './store.js';
import type { FsStore } from './store/fs-store.js';
import { isDigest } from './store/untrusted.js';

/** Every last-key record in the store. */
export function lastKeys(store: FsStore): LastKey[] {
  return store.lastKeys();
}

/** Every cache key with an entry. */
export function entryKeys(store: FsStore): string[] {
  return store.entryKeys();
}

/** Every object digest with its size (files under objects/ that are not named as objects are not objects). */
export function objects(store: FsStore): { digest: string; size: number; path: string }[] {
  const root = join(store.root, 'objects');
  if (!existsSync(root)) return [];
  const out: { digest: string; size: number; path: string }[] = [];
  for (const sub of readdirSync(root)) {
    if (!/^[0-9a-f]{2}$/.test(sub) || !statSync(join(root, sub)).isDirectory()) continue;
    for (const f of readdirSync(join(root, sub))) {
      const path = join(root, sub, f);
      const st = statSync(path, { throwIfNoEntry: false });
      if (isDigest(f) && f.startsWith(sub) && st?.isFile() === true) out.push({ digest: f, size: st.size, path });
    }
  }
  return out;
}

/** Digests of every object an entry needs (outputs, and for directories their manifest and files). */
export function entryObjects(store: FsStore, entry: CacheEntry): string[] {
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
export function liveRuns(store: FsStore): { pid: number; runId: string; pipeline: string }[] {
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
