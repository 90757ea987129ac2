/**
 * The content-addressed store (default `artifacts/` beside the pipeline):
 *
 *   objects/<aa>/<sha256>   immutable file contents; a directory output is a JSON manifest object (a Merkle tree)
 *   trees/<sha256>/         a directory artifact materialized from its manifest (hard links into objects/)
 *   cache/<key>.json        cache entry: key components, output digests, metrics; written after its objects
 *   last/<hash>.json        the last key recorded per (pipeline, node id), for plan diffs
 *   meta/*.jsonl            append-only records (runs, node_runs, cache_keys, artifacts, metrics, tables/<t>.jsonl)
 *   locks/, resume/, logs/, tmp/
 *
 * Everything visible is published atomically (write to tmp/, fsync, rename), so a killed run never leaves a half
 * object or entry. Two processes may share a store: objects and entries are idempotent, records are O_APPEND lines,
 * and work on one cache key is serialized by a lock file (see lock.ts).
 */
import { appendFileSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { chmod, link, lstat, mkdir, open, readdir, rename, rm, copyFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { canonicalJson } from './canonical-json.js';
import { gatherManifest } from './gather.js';
import { hashFile, sha256 } from './hash.js';
import type { KeyComponents } from './key.js';

/** A stored output: a file object or a directory manifest object. */
export interface Artifact {
  readonly digest: string;
  readonly type: 'file' | 'dir';
  /** Total bytes (for a directory: the sum of its files). */
  readonly size: number;
}

/** A directory manifest: every entry sorted by path. */
export interface TreeManifest {
  readonly format: 'pipe-tree/1';
  readonly entries: readonly TreeEntry[];
}
export type TreeEntry =
  | { readonly path: string; readonly type: 'file'; readonly digest: string; readonly size: number; readonly executable: boolean }
  | { readonly path: string; readonly type: 'dir' };

/** What the store remembers about one successful execution, by cache key. */
export interface CacheEntry {
  readonly key: string;
  readonly components: KeyComponents;
  readonly outputs: Readonly<Record<string, Artifact>>;
  /** Metrics the node reported, kept for `pipe audit` of nondeterministic kinds. */
  readonly metrics: readonly (readonly [string, number, number | null])[];
  readonly pipeline: string;
  readonly nodeId: string;
  readonly runId: string;
  readonly created: string;
  readonly seconds: number;
}

/** The last key recorded for a node id in a pipeline. */
export interface LastKey {
  readonly pipeline: string;
  readonly nodeId: string;
  readonly key: string;
  readonly components: KeyComponents;
  readonly time: string;
}

/** Base metadata tables (JSONL under meta/). */
export type MetaTable = 'runs' | 'node_runs' | 'cache_keys' | 'artifacts' | 'metrics';

const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

export class Store {
  private tmpCounter = 0;
  private readonly ensured = new Set<string>();

  constructor(readonly root: string) {}

  objectPath(digest: string): string {
    return join(this.root, 'objects', digest.slice(0, 2), digest);
  }
  entryPath(key: string): string {
    return join(this.root, 'cache', `${key}.json`);
  }
  treePath(digest: string): string {
    return join(this.root, 'trees', digest);
  }
  resumePath(key: string): string {
    return join(this.root, 'resume', key);
  }
  lockPath(key: string): string {
    return join(this.root, 'locks', `${key}.lock`);
  }
  logPath(key: string): string {
    return join(this.root, 'logs', `${key}.log`);
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

  /** Creates the layout (idempotent). */
  init(): void {
    for (const d of ['objects', 'trees', 'cache', 'last', 'meta/tables', 'locks', 'resume', 'logs', 'tmp']) {
      mkdirSync(join(this.root, d), { recursive: true });
    }
  }

  /** A fresh directory under tmp/ (same filesystem as objects/, so publishing is a rename). */
  async tempDir(label: string): Promise<string> {
    const dir = join(this.root, 'tmp', `${process.pid}-${Date.now().toString(36)}-${this.tmpCounter++}-${label.replace(/[^\w.-]+/g, '_').slice(0, 40)}`);
    await mkdir(dir, { recursive: true });
    return dir;
  }

  // ---- objects ---------------------------------------------------------------------------------------------

  /** Moves a finished file into objects/ under its hash (fsync, read-only, rename). The source is consumed. */
  async ingestFile(path: string): Promise<{ digest: string; size: number }> {
    const { digest, size } = await hashFile(path);
    const target = this.objectPath(digest);
    if (existsSync(target)) {
      await rm(path, { force: true });
      return { digest, size };
    }
    const handle = await open(path, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await chmod(path, 0o444);
    await this.ensureDir(join(this.root, 'objects', digest.slice(0, 2)));
    await rename(path, target);
    return { digest, size };
  }

  /** Stores bytes as an object (used for manifests). */
  async putBytes(data: string): Promise<string> {
    const digest = sha256(data);
    const target = this.objectPath(digest);
    if (existsSync(target)) return digest;
    const tmp = join(await this.tempDir('obj'), 'data');
    await writeFile(tmp, data, { mode: 0o444, flush: true });
    await this.ensureDir(join(this.root, 'objects', digest.slice(0, 2)));
    await rename(tmp, target);
    return digest;
  }

  /** Publishes a node output (file or directory tree) and returns its artifact. Symlinks are refused. */
  async ingest(path: string, outputName: string): Promise<Artifact> {
    const art = await describeArtifact(path, outputName, (p) => this.ingestFile(p), (m) => this.putBytes(m));
    if (art.type === 'dir') await rm(path, { recursive: true, force: true });
    return art;
  }

  /** Stores the manifest of a gathered input (see gather.ts) and returns its directory artifact. */
  async putGather(parts: readonly { readonly label: string; readonly artifact: Artifact }[]): Promise<Artifact> {
    const { text, size } = gatherManifest(parts, (d) => this.readManifest(d));
    return { digest: await this.putBytes(text), type: 'dir', size };
  }

  /** Reads a directory manifest object. */
  readManifest(digest: string): TreeManifest {
    return JSON.parse(readFileSync(this.objectPath(digest), 'utf8')) as TreeManifest;
  }

  /** True when every object an artifact needs is present. */
  hasArtifact(a: Artifact): boolean {
    if (!existsSync(this.objectPath(a.digest))) return false;
    if (a.type === 'file') return true;
    try {
      return this.readManifest(a.digest).entries.every((e) => e.type === 'dir' || existsSync(this.objectPath(e.digest)));
    } catch {
      return false;
    }
  }

  /** A read-only path for an artifact: the object itself, or a materialized tree (built once, atomically). */
  async artifactPath(a: Artifact): Promise<string> {
    if (a.type === 'file') return this.objectPath(a.digest);
    const target = this.treePath(a.digest);
    if (existsSync(target)) return target;
    const tmp = join(await this.tempDir('tree'), 'tree');
    await mkdir(tmp);
    for (const e of this.readManifest(a.digest).entries) {
      const p = join(tmp, e.path);
      if (e.type === 'dir') {
        await mkdir(p, { recursive: true });
      } else if (e.executable) {
        await copyFile(this.objectPath(e.digest), p);
        await chmod(p, 0o555);
      } else {
        await link(this.objectPath(e.digest), p).catch(() => copyFile(this.objectPath(e.digest), p));
      }
    }
    await this.ensureDir(join(this.root, 'trees'));
    await rename(tmp, target).catch(async (e: NodeJS.ErrnoException) => {
      if (!existsSync(target)) throw e; // another process materialized it first: fine
      await rm(tmp, { recursive: true, force: true });
    });
    return target;
  }

  // ---- entries ---------------------------------------------------------------------------------------------

  readEntry(key: string): CacheEntry | undefined {
    return readJson<CacheEntry>(this.entryPath(key));
  }

  /** Publishes a cache entry; call only after all its objects are published. */
  writeEntry(entry: CacheEntry): void {
    this.writeJsonAtomic(this.entryPath(entry.key), entry);
  }

  readLast(pipeline: string, nodeId: string): LastKey | undefined {
    return readJson<LastKey>(this.lastPath(pipeline, nodeId));
  }

  writeLast(last: LastKey): void {
    this.writeJsonAtomic(this.lastPath(last.pipeline, last.nodeId), last);
  }

  /** tmp + fsync + rename. */
  writeJsonAtomic(path: string, value: unknown): void {
    const tmp = join(this.root, 'tmp', `${process.pid}-${this.tmpCounter++}.json`);
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, JSON.stringify(value));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSyncSafe(tmp, path);
  }

  // ---- records ---------------------------------------------------------------------------------------------

  /** Appends rows to a base table as one O_APPEND write (whole lines, so concurrent writers interleave by line). */
  append(table: MetaTable, rows: readonly object[]): void {
    if (rows.length === 0) return;
    appendFileSync(this.metaPath(table), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  }

  /** Appends rows to a node-recorded table (`ctx.record`). */
  appendTable(table: string, rows: readonly object[]): void {
    if (!TABLE_NAME.test(table)) throw new Error(`invalid table name '${table}' (letters, digits and '_')`);
    if (rows.length === 0) return;
    appendFileSync(this.tablePath(table), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  }

  private async ensureDir(dir: string): Promise<void> {
    if (this.ensured.has(dir)) return;
    await mkdir(dir, { recursive: true });
    this.ensured.add(dir);
  }
}

function readJson<T>(path: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

function renameSyncSafe(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    mkdirSync(join(to, '..'), { recursive: true });
    renameSync(from, to);
  }
}

/**
 * The artifact a path would become, computed the same way `Store.ingest` stores it: a file's SHA-256, or the
 * SHA-256 of a directory's canonical manifest. `onFile` hashes (and possibly publishes) each file; `onManifest`
 * stores the manifest text and returns its digest. Used directly (hash only) by `pipe audit`.
 */
export async function describeArtifact(
  path: string,
  outputName: string,
  onFile: (path: string) => Promise<{ digest: string; size: number }> = hashFile,
  onManifest: (text: string) => Promise<string> = async (t) => sha256(t),
): Promise<Artifact> {
  const st = await lstat(path);
  if (st.isFile()) {
    const { digest, size } = await onFile(path);
    return { digest, type: 'file', size };
  }
  if (!st.isDirectory()) throw new Error(`output '${outputName}' is neither a file nor a directory`);
  const entries: TreeEntry[] = [];
  let total = 0;
  const walk = async (dir: string): Promise<void> => {
    const names = (await readdir(dir)).sort();
    for (const name of names) {
      const p = join(dir, name);
      const rel = relative(path, p).split('\\').join('/');
      const s = await lstat(p);
      if (s.isDirectory()) {
        entries.push({ path: rel, type: 'dir' });
        await walk(p);
      } else if (s.isFile()) {
        const executable = (s.mode & 0o111) !== 0;
        const { digest, size } = await onFile(p);
        total += size;
        entries.push({ path: rel, type: 'file', digest, size, executable });
      } else {
        throw new Error(`output '${outputName}' contains ${rel}, which is not a regular file or directory (symlinks are not stored)`);
      }
    }
  };
  await walk(path);
  const manifest: TreeManifest = { format: 'pipe-tree/1', entries };
  return { digest: await onManifest(canonicalJson(manifest)), type: 'dir', size: total };
}
