/**
 * What a store holds, read from its index files: the last key per (pipeline, node id), cache entries, objects.
 * Shared by `ls`, `show` and `gc`.
 */
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runMarkerLive } from './run-status.js';
import type { CacheEntry, LastKey } from './store.js';
import type { FsStore } from './store/fs-store.js';
import { listStoreFolder, readStoreText } from './store/safe-fs.js';
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
  const out: { digest: string; size: number; path: string }[] = [];
  for (const sub of listStoreFolder(root, 'objects')) {
    // Links are never followed: a prefix folder or object that is a link is not an object (fsck reports it).
    if (!/^[0-9a-f]{2}$/.test(sub) || lstatSync(join(root, sub)).isDirectory() !== true) continue;
    for (const f of readdirSync(join(root, sub))) {
      const path = join(root, sub, f);
      const st = lstatSync(path, { throwIfNoEntry: false });
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

/**
 * Runs in progress on this store: markers whose process is alive here, or that were written on another host (whose
 * processes cannot be seen from here: such a run counts as live until its own host, or a person, ends it).
 */
export function liveRuns(store: FsStore): { pid: number; runId: string; pipeline: string; host?: string; marker: string }[] {
  const dir = join(store.root, 'locks');
  const out: { pid: number; runId: string; pipeline: string; host?: string; marker: string }[] = [];
  for (const f of listStoreFolder(dir, 'locks').filter((x) => x.endsWith('.run'))) {
    try {
      // Markers name the run `run_id` (older ones `runId`).
      const m = JSON.parse(readStoreText(join(dir, f), `locks/${f}`, 1 << 20) ?? 'null') as { pid: number; host?: unknown; run_id?: string; runId?: string; pipeline: string };
      if (typeof m.pid === 'number' && runMarkerLive(m)) {
        out.push({ pid: m.pid, runId: m.run_id ?? m.runId ?? '', pipeline: m.pipeline, ...(typeof m.host === 'string' ? { host: m.host } : {}), marker: `locks/${f}` });
      }
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
    const st = lstatSync(p, { throwIfNoEntry: false });
    if (st === undefined) return;
    if (st.isDirectory()) for (const f of readdirSync(p)) walk(join(p, f));
    else total += st.size;
  };
  walk(path);
  return total;
}
