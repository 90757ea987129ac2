/**
 * The store: where results live, by content. Executors, the scheduler, `plan` and `audit` use only this interface,
 * never a path layout, so a node attempt can run wherever the store is reachable (this process, a child process, a
 * SLURM job, a queue worker). Its first implementation is the filesystem store (store/fs-store.ts), which a cluster
 * shares over NFS/Lustre.
 *
 * Trust rules, for every implementation:
 * - Store contents are untrusted input (stores are copied, shared, written by many hosts): everything read back is
 *   validated (store/untrusted.ts); a damaged record is reported and treated as absent, never a crash, and nothing
 *   read from a store can name a path outside it.
 * - Nodes are untrusted code: they get private, verified copies of their inputs (`checkout`), never a path into the
 *   store; an object whose bytes do not hash to its name is never served (`CorruptObject`), it is quarantined and its
 *   producer recomputed.
 * - Outputs are copied into the store (or moved, when the node created the file itself), never linked to a file the
 *   node did not create, so later edits elsewhere cannot change a stored object.
 * - Everything visible is published atomically; objects and entries are idempotent; records are whole lines.
 */
import type { Artifact, TreeManifest } from './artifact.js';
import type { KeyComponents } from './key.js';
import type { LockOptions } from './lock.js';
import type { RunMarker } from './run-status.js';
import { FsStore } from './store/fs-store.js';
import type { CorruptObject } from './store/untrusted.js';

export type { Artifact, TreeEntry, TreeManifest } from './artifact.js';
export { CorruptObject, StoreDamage } from './store/untrusted.js';

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

/** Base metadata tables. */
export type MetaTable = 'runs' | 'node_runs' | 'cache_keys' | 'artifacts' | 'metrics';

/** Something read from the store that failed validation (reported once per file, then treated as absent). */
export interface Damage {
  readonly file: string;
  readonly problem: string;
}

/** Options of a key lock (see lock.ts: a heartbeat lock that other hosts can see and break once its holder is silent). */
export type KeyLockOptions = Pick<LockOptions, 'signal' | 'onWait' | 'onBreak' | 'onLost' | 'attempt'>;

/** Locks on a store (cluster-safe where the implementation is shared between hosts). */
export interface StoreLocks {
  /** Exclusive work on one cache key; `onWait` is told the holder once. Resolves with a release function. */
  key(key: string, opts?: KeyLockOptions): Promise<() => void>;
  /** Whether a lock for `key` exists (an attempt in progress, or one that was killed). */
  keyHeld(key: string): boolean;
  /** Registers a run on the store (waiting out a gc in progress); resolves with the function that ends it. */
  beginRun(marker: RunMarker, signal?: AbortSignal): Promise<() => void>;
}

/** Per-key working areas of node attempts. */
export interface StoreAttempts {
  /** A fresh private directory on the store's filesystem (so publishing from it is a rename). */
  tempDir(label: string): Promise<string>;
  /** The resume directory a node keeps between attempts of one key. */
  resumeDir(key: string): string;
  /** Whether an earlier attempt of `key` saved resume state (a resume directory with something in it). */
  hasResume(key: string): boolean;
  clearResume(key: string): void;
  /** Notes that the latest attempt of `key` failed, and how (one line), until `clearFailure`. */
  noteFailure(key: string, message: string): void;
  /** The failure noted for `key`'s latest attempt, if it failed. */
  lastFailure(key: string): string | undefined;
  clearFailure(key: string): void;
  /** Starts (truncates) the log of `key`, named by `nodeId` when given, and returns a line appender. */
  openLog(key: string, nodeId?: string): (line: string) => void;
  /**
   * A file of a remote attempt (a SLURM job's task spec and output, the channel a remote attempt reports through),
   * on the store's filesystem so every machine that mounts the store sees it. `name`: letters, digits, '.', '-', '_'.
   */
  jobFile(name: string): string;
  /** Removes the scratch directory a dead attempt left (named by its lock's `attempt` note; see node-runner.ts). */
  discardTemp(name: string): void;
}

export interface Store {
  /** Where the store lives (a directory for the filesystem store), for messages. */
  readonly location: string;
  /** Creates the store if needed (idempotent). */
  init(): void;

  // ---- objects and trees
  /** Publishes a node output (file or directory) and returns its artifact. Symlinks are refused. */
  ingest(path: string, outputName: string): Promise<Artifact>;
  /** Stores text as an object (manifests), returning its digest. */
  putBytes(data: string): Promise<string>;
  /** Stores the manifest of a gathered input and returns its directory artifact. */
  putGather(parts: readonly { readonly label: string; readonly artifact: Artifact }[]): Promise<Artifact>;
  /** A directory artifact's manifest, validated; throws `CorruptObject` when missing or damaged. */
  readManifest(digest: string): TreeManifest;
  /** True when every object an artifact needs is present (not verified: see `checkout`). */
  hasArtifact(a: Artifact): boolean;
  /**
   * A private copy of an artifact at `dest` (reflinked where the filesystem can), every byte verified against its
   * digest; what a node does to it never reaches the store. Throws `CorruptObject`.
   */
  checkout(a: Artifact, dest: string): Promise<void>;
  /** A shared read-only view of an artifact for people (show, report) — never handed to nodes. */
  artifactPath(a: Artifact): Promise<string>;
  /**
   * Takes a bad object out of service (moved aside, not deleted) and invalidates the cache entries that took the
   * artifact needing it as an input, so its producer and those dependents are recomputed. Returns the keys invalidated.
   */
  quarantine(problem: CorruptObject): string[];

  // ---- cache entries
  readEntry(key: string): CacheEntry | undefined;
  /** Publishes a cache entry; call only after all its objects are published. */
  writeEntry(entry: CacheEntry): void;
  readLast(pipeline: string, nodeId: string): LastKey | undefined;
  writeLast(last: LastKey): void;

  // ---- records
  /** Appends rows to a base table as whole lines (concurrent writers interleave by line). */
  append(table: MetaTable, rows: readonly object[]): void;
  /** Appends rows to a node-recorded table (`ctx.record`). */
  appendTable(table: string, rows: readonly object[]): void;
  /** Damaged files met so far (each reported once). */
  damage(): readonly Damage[];

  readonly locks: StoreLocks;
  readonly attempts: StoreAttempts;
}

/** Opens the store at `location` (a directory: the filesystem store). Does not create it. */
export function openStore(location: string): FsStore {
  return new FsStore(location);
}
