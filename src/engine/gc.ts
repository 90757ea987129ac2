/**
 * Garbage collection. The roots are the results the store still answers for: the last key recorded for each
 * (pipeline, node id), and the results people pinned (`pipe keep`, pins.ts). Everything else — superseded cache entries, objects only they referenced, materialized
 * trees, logs and resume directories of dead keys, temp files of dead processes — is deleted. Refuses to run while
 * a run is in progress on the store (it could be publishing objects that no entry references yet).
 */
import { lstatSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { entryKeys, entryObjects, lastKeys, liveRuns, objects, treeSize } from './inventory.js';
import { acquireLock, lockIsStale, lockTtlMs, tempOwnerGone } from './lock.js';
import { readPins } from './pins.js';
import { processGone, recordInterruptedRuns, type RunRow } from './run-status.js';
import type { FsStore } from './store/fs-store.js';
import { logKeyPrefix } from './store/log-name.js';
import { listStoreFolder, readStoreText } from './store/safe-fs.js';

export interface GcItem {
  readonly what: 'entry' | 'object' | 'tree' | 'log' | 'resume' | 'failure' | 'tmp' | 'lock';
  readonly name: string;
  readonly bytes: number;
  /** For an entry: whose result it was, and when it was made (so people can see what they would lose). */
  readonly result?: { readonly pipeline: string; readonly node: string; readonly created: string };
}

export interface GcResult {
  readonly items: readonly GcItem[];
  readonly bytes: number;
  readonly keptEntries: number;
  readonly keptObjects: number;
}

/** Collects (and unless `dryRun`, deletes) what no root references. Throws if a run is in progress. */
export async function collectGarbage(store: FsStore, opts: { readonly dryRun?: boolean } = {}): Promise<GcResult> {
  // Handshake with runs: gc takes gc.lock then looks for run markers; a run writes its marker then waits on gc.lock.
  const release = await acquireLock(join(store.root, 'locks', 'gc.lock'));
  try {
    const live = liveRuns(store);
    if (live.length > 0) {
      const who = live.map((r) => (r.host !== undefined && r.host !== hostname() ? `pid ${r.pid} on ${JSON.stringify(r.host)} (${r.marker}: delete it if that run is gone)` : `pid ${r.pid}`));
      throw new Error(`a run is in progress on this store (${who.join(', ')}); try again when it ends`);
    }
    // Markers of runs whose process died are deleted below: record those runs as interrupted first.
    if (opts.dryRun !== true) recordInterruptedRuns(join(store.root, 'locks'), (rows) => store.append('runs', rows));
    return collect(store, opts.dryRun === true);
  } finally {
    release();
  }
}

function collect(store: FsStore, dryRun: boolean): GcResult {
  const rootKeys = new Set([...lastKeys(store).map((l) => l.key), ...readPins(store).map((p) => p.key)]);
  const keepObjects = new Set<string>();
  const keepTrees = new Set<string>();
  const items: GcItem[] = [];
  let keptEntries = 0;
  for (const key of entryKeys(store)) {
    const entry = store.readEntry(key);
    if (rootKeys.has(key) && entry !== undefined) {
      keptEntries++;
      for (const d of entryObjects(store, entry)) keepObjects.add(d);
      for (const a of Object.values(entry.outputs)) if (a.type === 'dir') keepTrees.add(a.digest);
    } else {
      const result = entry === undefined ? {} : { result: { pipeline: entry.pipeline, node: entry.nodeId, created: entry.created } };
      items.push({ what: 'entry', name: key, bytes: treeSize(store.entryPath(key)), ...result });
    }
  }
  let keptObjects = 0;
  for (const o of objects(store)) {
    if (keepObjects.has(o.digest)) keptObjects++;
    else items.push({ what: 'object', name: o.digest, bytes: o.size });
  }
  // A folder that is a link (planted, or copied so) throws: nothing outside the store is ever listed for deletion.
  const list = (sub: string): string[] => listStoreFolder(join(store.root, sub), sub);
  for (const t of list('trees')) if (!keepTrees.has(t)) items.push({ what: 'tree', name: t, bytes: 0 });
  const rootPrefixes = new Set([...rootKeys].map((k) => k.slice(0, 12)));
  for (const f of list('logs')) if (!rootPrefixes.has(logKeyPrefix(f) ?? '')) items.push({ what: 'log', name: f, bytes: treeSize(join(store.root, 'logs', f)) });
  for (const k of list('resume')) if (!rootKeys.has(k)) items.push({ what: 'resume', name: k, bytes: treeSize(join(store.root, 'resume', k)) });
  for (const f of list('failures')) if (!rootKeys.has(f.replace(/\.json$/, ''))) items.push({ what: 'failure', name: f, bytes: treeSize(join(store.root, 'failures', f)) });
  for (const f of list('tmp')) {
    const path = join(store.root, 'tmp', f);
    if (tempOwnerGone(f, mtimeMs(path))) items.push({ what: 'tmp', name: f, bytes: treeSize(path) });
  }
  // Lock files and run markers left by killed processes. Key locks are stale as acquireLock judges them (another
  // host's only once its heartbeat stopped); a run marker once its process is certainly gone (never judged from
  // another host).
  for (const f of list('locks')) {
    const path = join(store.root, 'locks', f);
    if (f === 'gc.lock') continue;
    if (f.endsWith('.run') ? runMarkerGone(path) : lockIsStale(path)) items.push({ what: 'lock', name: f, bytes: 0 });
  }
  if (!dryRun) {
    const pathOf = (i: GcItem): string => {
      switch (i.what) {
        case 'entry':
          return store.entryPath(i.name);
        case 'object':
          return store.objectPath(i.name);
        case 'tree':
          return store.treePath(i.name);
        case 'log':
          return join(store.root, 'logs', i.name);
        case 'resume':
          return store.resumePath(i.name);
        case 'failure':
          return join(store.root, 'failures', i.name);
        case 'tmp':
          return join(store.root, 'tmp', i.name);
        case 'lock':
          return join(store.root, 'locks', i.name);
      }
    };
    // Entries first, so a crash midway never leaves an entry pointing at deleted objects.
    for (const what of ['entry', 'tree', 'object', 'log', 'resume', 'failure', 'tmp', 'lock'] as const) {
      for (const i of items.filter((x) => x.what === what)) rmSync(pathOf(i), { recursive: true, force: true });
    }
  }
  return { items, bytes: items.reduce((s, i) => s + i.bytes, 0), keptEntries, keptObjects };
}

function mtimeMs(path: string): number {
  try {
    return lstatSync(path).mtimeMs; // the entry itself, never what a link points to
  } catch {
    return Date.now(); // gone meanwhile: nothing to collect
  }
}

function runMarkerGone(path: string): boolean {
  try {
    return processGone(JSON.parse(readStoreText(path, path, 1 << 20) ?? 'null') as RunRow);
  } catch {
    return Date.now() - mtimeMs(path) > lockTtlMs(); // unreadable: being written, or left half-written long ago
  }
}
