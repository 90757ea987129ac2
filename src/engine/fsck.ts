/**
 * `fsck`: checks a whole filesystem store, treating every file in it as untrusted — objects hash to their names,
 * cache entries, last-key records and failure notes are well formed, entries name objects that exist, directory
 * manifests are valid, materialized trees match their manifests, and every record line parses. With `repair`, corrupt objects are
 * quarantined (their dependents invalidated, as a run would), bad trees deleted (rebuilt on demand) and damaged
 * entries moved to quarantine/, so the next run recomputes what they stood for; record files lose their bad lines
 * (records-repair.ts).
 */
import { lstatSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { verifyTrees } from './audit.js';
import { hashFile } from './hash.js';
import { objects } from './inventory.js';
import { type RecordFile, recordLineDamage, repairRecordFiles } from './records-repair.js';
import type { FsStore } from './store/fs-store.js';
import { forEachStoreLine, isStoreFolder, listStoreFolder } from './store/safe-fs.js';
import { CorruptObject, isDigest, StoreDamage } from './store/untrusted.js';

/** The store's folders: one that is a link (or a file) is reported, and nothing is read or repaired through it. */
const FOLDERS = ['objects', 'trees', 'cache', 'last', 'meta', 'meta/tables', 'locks', 'resume', 'failures', 'logs', 'tmp', 'quarantine', 'jobs', 'pins', 'hash-memo'];

export interface FsckProblem {
  /** The file (relative to the store; records with `:line`). */
  readonly file: string;
  readonly problem: string;
  /** What `repair` did about it (absent when not repairing, or nothing to do). */
  readonly repaired?: string;
}

export interface FsckResult {
  readonly objects: number;
  readonly entries: number;
  readonly records: number;
  readonly problems: readonly FsckProblem[];
}

/** Checks (and with `repair`, repairs) a store. Reads every object: as slow as hashing the store. */
export async function checkStore(store: FsStore, opts: { readonly repair?: boolean } = {}): Promise<FsckResult> {
  const repair = opts.repair === true;
  const problems: FsckProblem[] = [];
  const rel = (p: string): string => p.slice(store.root.length + 1);

  // Folders first: a link where a folder belongs could lead every check below (and gc) outside the store.
  for (const f of FOLDERS) {
    try {
      isStoreFolder(join(store.root, f), f);
    } catch (e) {
      if (!(e instanceof StoreDamage)) throw e;
      problems.push({ file: e.file, problem: `${e.problem}; nothing else was checked` });
    }
  }
  if (problems.length > 0) return { objects: 0, entries: 0, records: 0, problems };

  // Objects: every byte.
  const all = objects(store);
  for (const o of all) {
    if ((await hashFile(o.path)).digest === o.digest) continue;
    const invalidated = repair ? store.quarantine(new CorruptObject(o.digest, o.digest, 'corrupt')) : [];
    problems.push({ file: rel(o.path), problem: 'does not hash to its name', ...(repair ? { repaired: `quarantined; ${invalidated.length} dependent entries invalidated` } : {}) });
  }
  const objectsDir = join(store.root, 'objects');
  for (const sub of listStoreFolder(objectsDir, 'objects')) {
    let names = [sub];
    if (/^[0-9a-f]{2}$/.test(sub) && lstatSync(join(objectsDir, sub)).isDirectory()) names = readdirSync(join(objectsDir, sub));
    for (const f of names) {
      const file = `objects/${sub === f ? f : `${sub}/${f}`}`;
      if (f === sub || !isDigest(f) || !f.startsWith(sub)) problems.push({ file, problem: 'not an object name (ignored)' });
      else if (!lstatSync(join(objectsDir, sub, f)).isFile()) problems.push({ file, problem: 'not a regular file (a link, FIFO or folder; never read, and the node that needs it is recomputed)' });
    }
  }

  // Entries and last keys: validated by the store's own readers (damage collected there); every object present.
  const keys = store.entryKeys();
  for (const key of keys) {
    const entry = store.readEntry(key);
    if (entry === undefined) continue;
    for (const [name, a] of Object.entries(entry.outputs)) {
      if (store.hasArtifact(a)) continue;
      problems.push({ file: `cache/${key}.json`, problem: `output '${name}' needs objects that are missing or damaged (the node will be recomputed)` });
    }
  }
  store.lastKeys();
  for (const f of listStoreFolder(join(store.root, 'failures'), 'failures')) {
    const key = f.replace(/\.json$/, '');
    if (f.endsWith('.json') && isDigest(key)) store.attempts.lastFailure(key);
    else problems.push({ file: `failures/${f}`, problem: 'not a failure note name (ignored)' });
  }
  for (const d of store.damage()) {
    let repaired: string | undefined;
    if (repair && d.file.startsWith('cache/')) {
      const q = join(store.root, 'quarantine');
      mkdirSync(q, { recursive: true });
      renameSync(join(store.root, d.file), join(q, `${d.file.slice('cache/'.length)}.${Date.now()}`));
      repaired = 'moved to quarantine/';
    } else if (repair && d.file.startsWith('last/')) {
      rmSync(join(store.root, d.file), { force: true });
      repaired = 'deleted (only plan diffs used it)';
    } else if (repair && d.file.startsWith('failures/')) {
      rmSync(join(store.root, d.file), { force: true });
      repaired = 'deleted (only plan reasons used it)';
    }
    problems.push({ file: d.file, problem: d.problem, ...(repaired !== undefined ? { repaired } : {}) });
  }

  // Materialized trees.
  for (const t of await verifyTrees(store)) {
    if (repair) rmSync(join(store.root, 'trees', t), { recursive: true, force: true });
    problems.push({ file: `trees/${t}`, problem: 'does not match its manifest', ...(repair ? { repaired: 'deleted (rebuilt when needed)' } : {}) });
  }

  // Records: every line of every JSONL file (a torn last line of a file being written is reported too).
  let records = 0;
  const meta = join(store.root, 'meta');
  const files = [
    ...listStoreFolder(meta, 'meta').filter((f) => f.endsWith('.jsonl')).map((f) => join(meta, f)),
    ...listStoreFolder(join(meta, 'tables'), 'meta/tables').filter((f) => f.endsWith('.jsonl')).map((f) => join(meta, 'tables', f)),
  ];
  const badLines: { readonly record: RecordFile; readonly line: string; readonly problem: string }[] = [];
  for (const file of files) {
    const record = { path: file, label: rel(file) };
    try {
      forEachStoreLine(file, record.label, (line, lineNo) => {
        if (line === '') return;
        records++;
        const damage = recordLineDamage(line, record.label, lineNo);
        if (damage !== undefined) badLines.push({ record, line: damage.file, problem: `${damage.problem} (skipped by readers)` });
      });
    } catch (e) {
      if (!(e instanceof StoreDamage)) throw e;
      problems.push({ file: e.file, problem: `${e.problem} (not read)` });
    }
  }
  const damagedRecords = [...new Map(badLines.map((b) => [b.record.label, b.record])).values()];
  const repairedRecords = repair ? await repairRecordFiles(store, damagedRecords) : new Map<string, string>();
  for (const b of badLines) {
    const repaired = repairedRecords.get(b.record.label);
    problems.push({ file: b.line, problem: b.problem, ...(repaired !== undefined ? { repaired } : {}) });
  }
  return { objects: all.length, entries: keys.length, records, problems };
}
