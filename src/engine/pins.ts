/**
 * Pins: results a person asked to keep. `pipe gc` deletes every cache entry that is not the last result of some
 * node; a pinned entry is a root too, so an evaluation superseded by a later `--set` run (the only copy of those
 * numbers) survives. Pins are small JSON files in the store (`pins/<key>.json`), read as untrusted like every record.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { FsStore } from './store/fs-store.js';
import { listStoreFolder, readStoreText } from './store/safe-fs.js';

/** One pinned result. */
export interface Pin {
  readonly key: string;
  readonly pipeline: string;
  readonly node: string;
  /** ISO time the pin was made. */
  readonly created: string;
  readonly note?: string;
}

const KEY = /^[0-9a-f]{64}$/;
const dirOf = (store: FsStore): string => join(store.root, 'pins');

/** Every valid pin of the store (damaged pin files are skipped). */
export function readPins(store: FsStore): Pin[] {
  const dir = dirOf(store);
  const pins: Pin[] = [];
  for (const f of listStoreFolder(dir, 'pins')) {
    if (!f.endsWith('.json')) continue;
    try {
      const p = JSON.parse(readStoreText(join(dir, f), `pins/${f}`, 1 << 20) ?? 'null') as Partial<Pin>;
      if (typeof p.key === 'string' && KEY.test(p.key) && f === `${p.key}.json` && typeof p.pipeline === 'string' && typeof p.node === 'string' && typeof p.created === 'string') {
        pins.push({ key: p.key, pipeline: p.pipeline, node: p.node, created: p.created, ...(typeof p.note === 'string' ? { note: p.note } : {}) });
      }
    } catch {
      /* a damaged pin protects nothing; `pipe keep --list` does not show it */
    }
  }
  return pins.sort((a, b) => (a.created < b.created ? -1 : 1));
}

/** Pins `pin.key` (idempotent: pinning again replaces the note). */
export function addPin(store: FsStore, pin: Pin): void {
  if (!KEY.test(pin.key)) throw new Error(`Internal error: not a cache key: ${pin.key}`);
  store.writeJsonAtomic(join(dirOf(store), `${pin.key}.json`), pin);
}

/** Removes the pin of `key`; false when there was none. */
export function removePin(store: FsStore, key: string): boolean {
  const file = join(dirOf(store), `${key}.json`);
  if (!KEY.test(key) || !existsSync(file)) return false;
  rmSync(file);
  return true;
}
