/**
 * The filesystem store (default `artifacts/` beside the pipeline):
 *
 *   objects/<aa>/<sha256>   immutable file contents; a directory output is a JSON manifest object (a Merkle tree)
 *   trees/<sha256>/         a directory artifact materialized (copied) from its manifest, for people to browse
 *   cache/<key>.json        cache entry: key components, output digests, metrics; written after its objects
 *   last/<hash>.json        the last key recorded per (pipeline, node id), for plan diffs
 *   meta/*.jsonl            append-only records (runs, node_runs, cache_keys, artifacts, metrics, tables/<t>.jsonl)
 *   quarantine/             objects that failed verification and the cache entries they invalidated
 *   failures/<key>.json     how the latest attempt of a key failed (until its next attempt starts), for plan reasons
 *   locks/, resume/, logs/, tmp/
 *   jobs/<id>.*             files of remote attempts (SLURM task spec and output, the channel an attempt reports on)
 *
 * Everything visible is published atomically (write to tmp/, fsync, rename), so a killed run never leaves a half
 * object or entry. Two processes may share a store: objects and entries are idempotent, records are O_APPEND lines,
 * and work on one cache key is serialized by a lock file (see lock.ts). Everything read back is validated
 * (untrusted.ts). Only store-maintenance code (gc, fsck, query, inventory) may use the path methods below.
 */
import { randomUUID } from 'node:crypto';
import { closeSync, constants, existsSync, fstatSync, fsyncSync, lstatSync, mkdirSync, openSync, readdirSync, readSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { chmod, copyFile, lstat, mkdir, mkdtemp, open, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { gatherManifest } from '../gather.js';
import { hashFile, sha256 } from '../hash.js';
import { acquireLock, tempPrefix } from '../lock.js';
import { recordInterruptedRuns } from '../run-status.js';
import type { RunMarker } from '../run-status.js';
import type { Artifact, CacheEntry, Damage, LastKey, MetaTable, Store, StoreAttempts, StoreLocks, TreeManifest } from '../store.js';
import { describeArtifact } from './describe.js';
import { isLogOf, logFileName } from './log-name.js';
import { appendStoreText, createStoreFile, hashStoreFile, isRegularFile, isStoreFolder, listStoreFolder, openForAppend, readStoreText } from './safe-fs.js';
import { clip } from '../clip.js';
import { printable } from '../diagnostics.js';
import { checkEntry, checkFailure, checkLast, checkManifest, CorruptObject, isDigest, parseJson, StoreDamage } from './untrusted.js';

const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
const LAYOUT = ['objects', 'trees', 'cache', 'last', 'meta/tables', 'locks', 'resume', 'failures', 'logs', 'tmp', 'quarantine', 'jobs'];

/** A single path component that names nothing outside its directory. */
const PLAIN_NAME = /^(?!\.\.?$)[\w.-]+$/;

export class FsStore implements Store {
  private readonly ensured = new Set<string>();
  private readonly damaged = new Map<string, Damage>();
  readonly locks: StoreLocks;
  readonly attempts: StoreAttempts;

  constructor(readonly root: string) {
    this.locks = {
      key: (key, opts = {}) => acquireLock(this.lockPath(key), opts),
      keyHeld: (key) => existsSync(this.lockPath(key)),
      beginRun: (marker, signal) => this.beginRun(marker, signal),
    };
    this.attempts = {
      tempDir: (label) => this.tempDir(label),
      resumeDir: (key) => {
        // Handed to a node, which writes checkpoints there: a link planted anywhere in it would send those writes
        // (and its reads) outside the store, so resume state holding anything but files and folders is discarded.
        const path = this.resumePath(key);
        if (!onlyFilesAndFolders(path)) rmSync(path, { recursive: true, force: true });
        return path;
      },
      hasResume: (key) => {
        // runAttempt creates the folder for every attempt; only what a node wrote there can be resumed from.
        const path = this.resumePath(key);
        return isStoreFolder(path, this.rel(path)) && readdirSync(path).length > 0;
      },
      clearResume: (key) => rmSync(this.resumePath(key), { recursive: true, force: true }),
      noteFailure: (key, message) => this.writeJsonAtomic(this.failurePath(key), { message: failureLine(message), time: new Date().toISOString() }),
      lastFailure: (key) => this.readChecked(this.failurePath(key), (v) => checkFailure(v, this.rel(this.failurePath(key)))),
      clearFailure: (key) => rmSync(this.failurePath(key), { force: true }),
      openLog: (key, nodeId) => {
        const name = logFileName(checkedKey(key), nodeId);
        const file = join(this.root, 'logs', name);
        createStoreFile(file, '');
        return (line) => appendStoreText(file, line.endsWith('\n') ? line : `${line}\n`, `logs/${name}`);
      },
      jobFile: (name) => {
        if (!PLAIN_NAME.test(name)) throw new Error(`invalid job file name '${name}'`);
        return join(this.root, 'jobs', name);
      },
      discardTemp: (name) => {
        // The name comes from a lock file (untrusted): only a plain name directly under tmp/ is removed.
        if (PLAIN_NAME.test(name)) rmSync(join(this.root, 'tmp', name), { recursive: true, force: true });
      },
    };
  }

  get location(): string {
    return this.root;
  }

  // ---- paths (filesystem maintenance only) ------------------------------------------------------------------

  objectPath(digest: string): string {
    if (!isDigest(digest)) throw new StoreDamage(String(digest).slice(0, 80), 'not a digest (64 hex digits)');
    return join(this.root, 'objects', digest.slice(0, 2), digest);
  }
  /** The log the last attempt of `key` wrote (what `pipe show` points people to); `<key>.log` when there is none. */
  logPath(key: string): string {
    const dir = join(this.root, 'logs');
    const k = checkedKey(key);
    const logs = listStoreFolder(dir, 'logs').filter((f) => isLogOf(f, k)).map((f) => join(dir, f));
    if (logs.length === 0) return join(dir, `${k}.log`);
    return logs.map((f) => [f, lstatSync(f).mtimeMs] as const).sort((a, b) => b[1] - a[1])[0]![0];
  }
  entryPath(key: string): string {
    return join(this.root, 'cache', `${checkedKey(key)}.json`);
  }
  treePath(digest: string): string {
    if (!isDigest(digest)) throw new StoreDamage(String(digest).slice(0, 80), 'not a digest (64 hex digits)');
    return join(this.root, 'trees', digest);
  }
  resumePath(key: string): string {
    return join(this.root, 'resume', checkedKey(key));
  }
  failurePath(key: string): string {
    return join(this.root, 'failures', `${checkedKey(key)}.json`);
  }
  lockPath(key: string): string {
    return join(this.root, 'locks', `${checkedKey(key)}.lock`);
  }
  metaPath(table: string): string {
    return join(this.root, 'meta', `${table}.jsonl`);
  }
  tablePath(table: string): string {
    return join(this.root, 'meta', 'tables', `${table}.jsonl`);
  }
  lastPath(pipeline: string, nodeId: string): string {
    return join(this.root, 'last', `${sha256(`${pipeline}\0${nodeId}`).slice(0, 32)}.json`);
  }
  /** A store-relative path, for messages. */
  private rel(path: string): string {
    return path.startsWith(this.root) ? path.slice(this.root.length).replace(/^\//, '') : path;
  }

  /** Creates the layout; a folder of it that is a link (or a file) is damage: nothing is written through it. */
  init(): void {
    for (const d of LAYOUT) {
      const parts = d.split('/');
      for (let i = 1; i <= parts.length; i++) {
        const sub = parts.slice(0, i).join('/');
        if (!isStoreFolder(join(this.root, sub), sub)) mkdirSync(join(this.root, sub), { recursive: true });
      }
    }
  }

  /**
   * A fresh directory under tmp/ (same filesystem as objects/, so publishing is a rename). mkdtemp makes the name
   * unique: several store instances in one process (a worker serving jobs at once) and hosts sharing the store must
   * never write into one scratch directory. The prefix names the owner so `gc` can tell a dead one from a live one.
   */
  async tempDir(label: string): Promise<string> {
    await this.ensureDir(join(this.root, 'tmp')); // a link there is damage: nothing is written through it
    return mkdtemp(join(this.root, 'tmp', `${tempPrefix()}${label.replace(/[^\w.-]+/g, '_').slice(0, 40)}-`));
  }

  // ---- objects ---------------------------------------------------------------------------------------------

  /**
   * Moves a finished file into objects/ under its hash (fsync, read-only, rename); the source is consumed. A file
   * with other hard links (a node linked a file it did not create) is copied instead, so the store never shares an
   * inode with anything outside it.
   */
  async ingestFile(path: string): Promise<{ digest: string; size: number }> {
    let source = path;
    if ((await lstat(path)).nlink > 1) {
      source = join(await this.tempDir('copy'), 'data');
      await copyFile(path, source, constants.COPYFILE_FICLONE);
      await rm(path, { force: true });
    }
    const { digest, size } = await hashFile(source);
    const target = this.objectPath(digest);
    if (await this.intact(target, digest)) {
      await rm(source, { force: true });
      return { digest, size };
    }
    const handle = await open(source, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await chmod(source, 0o444);
    await this.ensureDir(dirname(target));
    await rename(source, target);
    return { digest, size };
  }

  async putBytes(data: string): Promise<string> {
    const digest = sha256(data);
    const target = this.objectPath(digest);
    if (await this.intact(target, digest)) return digest;
    const tmp = join(await this.tempDir('obj'), 'data');
    await writeFile(tmp, data, { mode: 0o444, flush: true });
    await this.ensureDir(dirname(target));
    await rename(tmp, target);
    return digest;
  }

  /** Whether an object is already stored with the right bytes (a damaged copy is replaced by the fresh one). */
  private async intact(target: string, digest: string): Promise<boolean> {
    try {
      return (await hashStoreFile(target, this.rel(target)))?.digest === digest;
    } catch {
      // A link, FIFO or unreadable file there is replaced by the fresh object (rename replaces it); a folder
      // squatting on the name would make the rename fail, so it goes first.
      if (lstatSync(target, { throwIfNoEntry: false })?.isDirectory() === true) rmSync(target, { recursive: true, force: true });
      return false;
    }
  }

  async ingest(path: string, outputName: string): Promise<Artifact> {
    const art = await describeArtifact(path, outputName, (p) => this.ingestFile(p), (m) => this.putBytes(m));
    if (art.type === 'dir') await rm(path, { recursive: true, force: true });
    return art;
  }

  async putGather(parts: readonly { readonly label: string; readonly artifact: Artifact }[]): Promise<Artifact> {
    const { text, size } = gatherManifest(parts, (d) => this.readManifest(d));
    return { digest: await this.putBytes(text), type: 'dir', size };
  }

  readManifest(digest: string): TreeManifest {
    const path = this.objectPath(digest);
    let text: string | undefined;
    try {
      text = readStoreText(path, this.rel(path));
    } catch {
      throw new CorruptObject(digest, digest, 'corrupt'); // a link, a FIFO, a huge file: not what pipe stored
    }
    if (text === undefined) throw new CorruptObject(digest, digest, 'missing');
    if (sha256(text) !== digest) throw new CorruptObject(digest, digest, 'corrupt');
    try {
      return checkManifest(parseJson(text, this.rel(path)), this.rel(path));
    } catch (e) {
      if (e instanceof StoreDamage) this.report(e);
      throw new CorruptObject(digest, digest, 'damaged');
    }
  }

  hasArtifact(a: Artifact): boolean {
    if (!isDigest(a.digest) || !isRegularFile(this.objectPath(a.digest))) return false;
    if (a.type === 'file') return true;
    try {
      return this.readManifest(a.digest).entries.every((e) => e.type === 'dir' || isRegularFile(this.objectPath(e.digest)));
    } catch {
      return false;
    }
  }

  async checkout(a: Artifact, dest: string): Promise<void> {
    if (a.type === 'file') {
      await mkdir(dirname(dest), { recursive: true });
      await this.copyVerified(a.digest, a.digest, dest, false);
      return;
    }
    const manifest = this.readManifest(a.digest);
    await mkdir(dest, { recursive: true });
    for (const e of manifest.entries) {
      const p = join(dest, e.path);
      if (e.type === 'dir') await mkdir(p, { recursive: true });
      else {
        await mkdir(dirname(p), { recursive: true });
        await this.copyVerified(a.digest, e.digest, p, e.executable);
      }
    }
  }

  /** Copies object `digest` to `dest` (a reflink where supported) and hashes the copy: what the reader gets is verified. */
  private async copyVerified(artifact: string, digest: string, dest: string, executable: boolean): Promise<void> {
    const src = this.objectPath(digest);
    const st = lstatSync(src, { throwIfNoEntry: false });
    if (st === undefined) throw new CorruptObject(artifact, digest, 'missing');
    if (!st.isFile()) throw new CorruptObject(artifact, digest, 'corrupt'); // a link or a FIFO is never read
    try {
      await copyFile(src, dest, constants.COPYFILE_FICLONE);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' && !existsSync(src)) throw new CorruptObject(artifact, digest, 'missing');
      throw e;
    }
    if ((await hashFile(dest)).digest !== digest) {
      await rm(dest, { force: true });
      throw new CorruptObject(artifact, digest, 'corrupt');
    }
    await chmod(dest, executable ? 0o555 : 0o444);
  }

  async artifactPath(a: Artifact): Promise<string> {
    if (a.type === 'file') return this.objectPath(a.digest);
    const target = this.treePath(a.digest);
    const st = lstatSync(target, { throwIfNoEntry: false });
    if (st?.isDirectory() === true) return target;
    if (st !== undefined) rmSync(target, { force: true }); // a link or file where the tree belongs: rebuilt
    const tmp = join(await this.tempDir('tree'), 'tree');
    await this.checkout(a, tmp);
    await this.ensureDir(join(this.root, 'trees'));
    await rename(tmp, target).catch(async (e: NodeJS.ErrnoException) => {
      if (!existsSync(target)) throw e; // another process materialized it first: fine
      await rm(tmp, { recursive: true, force: true });
    });
    return target;
  }

  quarantine(problem: CorruptObject): string[] {
    const dir = join(this.root, 'quarantine');
    if (!isStoreFolder(dir, 'quarantine')) mkdirSync(dir, { recursive: true });
    const stamp = new Date().toISOString().replace(/[-:.]/g, '');
    const moveAside = (from: string, name: string): void => {
      try {
        renameSync(from, join(dir, `${name}.${stamp}`));
      } catch {
        /* already gone */
      }
    };
    moveAside(this.objectPath(problem.object), problem.object);
    rmSync(this.treePath(problem.artifact), { recursive: true, force: true });
    const invalidated: string[] = [];
    for (const key of this.entryKeys()) {
      const entry = this.readEntry(key);
      if (entry === undefined) continue;
      const uses = Object.values(entry.components.inputs).some((i) => i.digest === problem.artifact || i.digest === problem.object);
      if (!uses) continue;
      moveAside(this.entryPath(key), `${key}.json`);
      invalidated.push(key);
    }
    appendStoreText(
      join(dir, 'log.jsonl'),
      `${JSON.stringify({ time: new Date().toISOString(), object: problem.object, artifact: problem.artifact, problem: problem.problem, invalidated })}\n`,
      'quarantine/log.jsonl',
    );
    return invalidated;
  }

  // ---- entries ---------------------------------------------------------------------------------------------

  readEntry(key: string): CacheEntry | undefined {
    const path = this.entryPath(key);
    return this.readChecked(path, (v) => checkEntry(v, this.rel(path), key));
  }

  writeEntry(entry: CacheEntry): void {
    this.writeJsonAtomic(this.entryPath(entry.key), entry);
  }

  readLast(pipeline: string, nodeId: string): LastKey | undefined {
    const path = this.lastPath(pipeline, nodeId);
    const last = this.readChecked(path, (v) => checkLast(v, this.rel(path)));
    return last !== undefined && last.pipeline === pipeline && last.nodeId === nodeId ? last : undefined;
  }

  writeLast(last: LastKey): void {
    this.writeJsonAtomic(this.lastPath(last.pipeline, last.nodeId), last);
  }

  /** Every cache key with an entry file (names that are not keys are ignored). */
  entryKeys(): string[] {
    return listStoreFolder(join(this.root, 'cache'), 'cache')
      .filter((f) => f.endsWith('.json') && isDigest(f.slice(0, -5)))
      .map((f) => f.slice(0, -5));
  }

  /** Every last-key record, validated (damaged ones reported and skipped). */
  lastKeys(): LastKey[] {
    const dir = join(this.root, 'last');
    const out: LastKey[] = [];
    for (const f of listStoreFolder(dir, 'last')) {
      const path = join(dir, f);
      const last = this.readChecked(path, (v) => checkLast(v, this.rel(path)));
      if (last !== undefined) out.push(last);
    }
    return out.sort((a, b) => (a.pipeline + a.nodeId < b.pipeline + b.nodeId ? -1 : 1));
  }

  /** tmp + fsync + rename. */
  writeJsonAtomic(path: string, value: unknown): void {
    const tmp = join(this.root, 'tmp', `${tempPrefix()}${randomUUID()}.json`);
    const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
    try {
      writeSync(fd, JSON.stringify(value));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    try {
      renameSync(tmp, path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      mkdirSync(dirname(path), { recursive: true });
      renameSync(tmp, path);
    }
  }

  /** Reads and validates a JSON file; absent → undefined; damaged → reported once, undefined. */
  private readChecked<T>(path: string, check: (v: unknown) => T): T | undefined {
    let text: string | undefined;
    try {
      text = readStoreText(path, this.rel(path));
    } catch (e) {
      this.report(e instanceof StoreDamage ? e : new StoreDamage(this.rel(path), `unreadable (${(e as NodeJS.ErrnoException).code ?? 'error'})`));
      return undefined;
    }
    if (text === undefined) return undefined;
    try {
      return check(parseJson(text, this.rel(path)));
    } catch (e) {
      if (!(e instanceof StoreDamage)) throw e;
      this.report(e);
      return undefined;
    }
  }

  private report(d: StoreDamage): void {
    if (!this.damaged.has(d.file)) this.damaged.set(d.file, { file: d.file, problem: d.problem });
  }

  damage(): readonly Damage[] {
    return [...this.damaged.values()];
  }

  // ---- records ---------------------------------------------------------------------------------------------

  append(table: MetaTable, rows: readonly object[]): void {
    appendLines(this.metaPath(table), rows, `meta/${table}.jsonl`);
  }

  appendTable(table: string, rows: readonly object[]): void {
    if (!TABLE_NAME.test(table)) throw new Error(`invalid table name '${table}' (letters, digits and '_')`);
    appendLines(this.tablePath(table), rows, `meta/tables/${table}.jsonl`);
  }

  // ---- runs ------------------------------------------------------------------------------------------------

  private async beginRun(marker: RunMarker, signal?: AbortSignal): Promise<() => void> {
    const locks = join(this.root, 'locks');
    const file = join(locks, `run-${marker.run_id}.run`);
    createStoreFile(file, JSON.stringify(marker));
    // Wait out a gc in progress (it checks for run markers after taking its lock; see gc.ts).
    (await acquireLock(join(locks, 'gc.lock'), signal ? { signal } : {}))();
    recordInterruptedRuns(locks, (rows) => this.append('runs', rows));
    return () => rmSync(file, { force: true });
  }

  /** Creates a folder of the store once per process; one that is a link is damage (never written through). */
  private async ensureDir(dir: string): Promise<void> {
    if (this.ensured.has(dir)) return;
    await mkdir(dir, { recursive: true });
    isStoreFolder(dir, this.rel(dir));
    this.ensured.add(dir);
  }
}

/** Whether `path` is absent, or a real folder holding only regular files and real folders (no links, FIFOs…). */
function onlyFilesAndFolders(path: string): boolean {
  const st = lstatSync(path, { throwIfNoEntry: false });
  if (st === undefined) return true;
  if (!st.isDirectory()) return false;
  const stack = [path];
  for (let dir = stack.pop(); dir !== undefined; dir = stack.pop()) {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) stack.push(join(dir, e.name));
      else if (!e.isFile()) return false;
    }
  }
  return true;
}

/** Keys name files: only 64 hex digits may (a key is always computed, but never trust a caller with a path). */
function checkedKey(key: string): string {
  if (!isDigest(key)) throw new StoreDamage(String(key).slice(0, 80), 'not a cache key (64 hex digits)');
  return key;
}

/**
 * Appends rows as one O_APPEND write of whole lines. A file whose last line was cut off (a writer killed mid-line, a
 * full disk) first gets a newline, so the torn line stays one bad line instead of swallowing the next row.
 */
function appendLines(path: string, rows: readonly object[], label: string): void {
  if (rows.length === 0) return;
  const text = rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
  let fd: number;
  try {
    fd = openForAppend(path, label);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    mkdirSync(dirname(path), { recursive: true });
    fd = openForAppend(path, label);
  }
  try {
    const size = fstatSync(fd).size;
    let prefix = '';
    if (size > 0) {
      const last = Buffer.alloc(1);
      readSync(fd, last, 0, 1, size - 1);
      if (last[0] !== 0x0a) prefix = '\n';
    }
    writeSync(fd, prefix + text);
  } finally {
    closeSync(fd);
  }
}

/** A failure message as a note keeps it: its first line, cut to a reason's length, control characters made visible. */
function failureLine(message: string): string {
  return clip(printable((message.split('\n')[0] ?? '').replace(/\t/g, ' ')), 300);
}

/** Whether `path` is a directory (an existing non-directory is not a store). */
export function isDirectory(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;
}
