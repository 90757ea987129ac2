/**
 * Store contents are untrusted input: stores are copied, shared and (scaled out) written by many hosts, and a node or
 * a person can edit any file in them. Everything read back from a store goes through these parsers, which accept
 * only well-formed values — digests and keys of 64 lowercase hex digits, manifest paths that stay inside their
 * tree, records of the expected shape — and throw a `StoreDamage` naming the file otherwise. Callers treat a damaged
 * record as absent (and report it); nothing read from a store can name a path outside it.
 */
import { TERMINAL_UNSAFE } from '../diagnostics.js';
import type { KeyComponents } from '../key.js';
import { pipelineStructureSchema } from '../pipeline-schema.js';
import type { Artifact, CacheEntry, LastKey, TreeEntry, TreeManifest } from '../store.js';

/** A store file that is not what pipe wrote. */
export class StoreDamage extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`damaged store file ${file}: ${problem}`);
    this.name = 'StoreDamage';
  }
}

/** An object that is missing, or whose bytes do not hash to its name; `artifact` is the artifact that needed it. */
export class CorruptObject extends Error {
  constructor(
    readonly artifact: string,
    readonly object: string,
    readonly problem: 'missing' | 'corrupt' | 'damaged',
  ) {
    super(
      problem === 'missing'
        ? `object ${object.slice(0, 12)} is missing from the store`
        : problem === 'corrupt'
          ? `object ${object.slice(0, 12)} does not hash to its name (corrupt)`
          : `manifest ${object.slice(0, 12)} is damaged`,
    );
    this.name = 'CorruptObject';
  }
}

const HEX64 = /^[0-9a-f]{64}$/;
const PIPELINE_NAME = new RegExp(pipelineStructureSchema.properties.name.pattern);

/** A SHA-256 digest or cache key as the store names things: 64 lowercase hex digits. */
export function isDigest(v: unknown): v is string {
  return typeof v === 'string' && HEX64.test(v);
}

/**
 * A manifest path: relative, '/'-separated, no empty, '.' or '..' segment, no NUL or backslash — so joining it to a
 * tree root can only name something inside that root.
 */
export function isSafeRelativePath(v: unknown): v is string {
  if (typeof v !== 'string' || v.length === 0 || v.length > 4096) return false;
  if (v.includes('\0') || v.includes('\\') || v.startsWith('/')) return false;
  return v.split('/').every((s) => s !== '' && s !== '.' && s !== '..');
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isSize = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** Parses JSON text, turning a syntax error into damage of `file`. */
export function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new StoreDamage(file, 'not valid JSON');
  }
}

/** A stored artifact reference `{digest, type, size}`. */
export function checkArtifact(v: unknown, file: string, what = 'artifact'): Artifact {
  if (!isObj(v) || !isDigest(v.digest) || (v.type !== 'file' && v.type !== 'dir') || !isSize(v.size)) {
    throw new StoreDamage(file, `${what} is not {digest: 64 hex digits, type: file|dir, size}`);
  }
  return { digest: v.digest, type: v.type, size: v.size };
}

/** A directory manifest; every entry path must be unique and safe, every file a valid digest. */
export function checkManifest(v: unknown, file: string): TreeManifest {
  if (!isObj(v) || v.format !== 'pipe-tree/1' || !Array.isArray(v.entries)) throw new StoreDamage(file, 'not a pipe-tree/1 manifest');
  const entries: TreeEntry[] = [];
  const seen = new Set<string>();
  for (const [i, e] of v.entries.entries()) {
    if (!isObj(e) || !isSafeRelativePath(e.path)) throw new StoreDamage(file, `entry ${i}: path is not relative inside the tree`);
    if (seen.has(e.path)) throw new StoreDamage(file, `entry ${i}: '${e.path}' appears twice`);
    seen.add(e.path);
    if (e.type === 'dir') {
      entries.push({ path: e.path, type: 'dir' });
    } else if (e.type === 'file' && isDigest(e.digest) && isSize(e.size) && typeof e.executable === 'boolean') {
      entries.push({ path: e.path, type: 'file', digest: e.digest, size: e.size, executable: e.executable });
    } else {
      throw new StoreDamage(file, `entry ${i}: not a file {digest, size, executable} or a dir`);
    }
  }
  // A file cannot also be a folder of another entry ('a' and 'a/b'): checking that out would fail half-way.
  const files = new Set(entries.filter((e) => e.type === 'file').map((e) => e.path));
  for (const [i, e] of entries.entries()) {
    const parts = e.path.split('/');
    for (let n = 1; n < parts.length; n++) {
      if (files.has(parts.slice(0, n).join('/'))) throw new StoreDamage(file, `entry ${i}: '${e.path}' is inside '${parts.slice(0, n).join('/')}', which is a file`);
    }
  }
  return { format: 'pipe-tree/1', entries };
}

function checkComponents(v: unknown, file: string): KeyComponents {
  if (
    !isObj(v) ||
    typeof v.kind !== 'string' ||
    !isObj(v.implementation) ||
    typeof v.implementation.hash !== 'string' ||
    !isObj(v.params) ||
    !isObj(v.inputs) ||
    typeof v.seed !== 'number' ||
    !isObj(v.runtime) ||
    !Array.isArray(v.outputs) ||
    !v.outputs.every((o) => typeof o === 'string')
  ) {
    throw new StoreDamage(file, 'key components are malformed');
  }
  for (const [name, input] of Object.entries(v.inputs)) {
    if (!isObj(input) || typeof input.from !== 'string' || !isDigest(input.digest)) throw new StoreDamage(file, `input '${name}' is malformed`);
  }
  return v as unknown as KeyComponents;
}

/** A cache entry, which must be for `key`. */
export function checkEntry(v: unknown, file: string, key: string): CacheEntry {
  if (!isObj(v) || v.key !== key) throw new StoreDamage(file, 'not a cache entry for its key');
  checkComponents(v.components, file);
  if (!isObj(v.outputs)) throw new StoreDamage(file, 'outputs are malformed');
  for (const [name, a] of Object.entries(v.outputs)) checkArtifact(a, file, `output '${name}'`);
  const metricOk = (m: unknown): boolean =>
    Array.isArray(m) && m.length === 3 && typeof m[0] === 'string' && typeof m[1] === 'number' && (m[2] === null || typeof m[2] === 'number');
  if (!Array.isArray(v.metrics) || !v.metrics.every(metricOk)) throw new StoreDamage(file, 'metrics are malformed');
  for (const f of ['pipeline', 'nodeId', 'runId', 'created'] as const) {
    if (typeof v[f] !== 'string') throw new StoreDamage(file, `${f} is not a string`);
  }
  checkNames(v, file);
  if (typeof v.seconds !== 'number') throw new StoreDamage(file, 'seconds is not a number');
  return v as unknown as CacheEntry;
}

/**
 * Names that commands print (`ls`, `show`, `gc`): a pipeline name as the schema allows it, a node instance id
 * without control characters or bidi overrides (a crafted record could otherwise drive the terminal of whoever
 * lists the store).
 */
function checkNames(v: Obj, file: string): void {
  if (typeof v.pipeline !== 'string' || !PIPELINE_NAME.test(v.pipeline)) throw new StoreDamage(file, 'pipeline is not a pipeline name');
  if (typeof v.nodeId !== 'string' || v.nodeId.length > 4096 || !/^[A-Za-z_]/.test(v.nodeId) || TERMINAL_UNSAFE.test(v.nodeId)) {
    throw new StoreDamage(file, 'nodeId is not a node instance id');
  }
}

/** A last-key record. */
export function checkLast(v: unknown, file: string): LastKey {
  if (!isObj(v) || typeof v.pipeline !== 'string' || typeof v.nodeId !== 'string' || !isDigest(v.key) || typeof v.time !== 'string') {
    throw new StoreDamage(file, 'not a last-key record');
  }
  checkNames(v, file);
  checkComponents(v.components, file);
  return v as unknown as LastKey;
}

/** The longest failure note pipe writes (`failureLine`), with room to spare. */
const MAX_FAILURE_NOTE = 1000;

/** A failure note (failures/<key>.json): one printable line, as plan reasons are printed as they are. */
export function checkFailure(v: unknown, file: string): string {
  if (!isObj(v) || typeof v.message !== 'string' || v.message.length > MAX_FAILURE_NOTE || TERMINAL_UNSAFE.test(v.message)) {
    throw new StoreDamage(file, 'not a failure note');
  }
  return v.message;
}

/** One JSONL line of a record table: a JSON object (its columns are typed by the reader). */
export function checkRecordLine(line: string, file: string, lineNo: number): Obj {
  let v: unknown;
  try {
    v = JSON.parse(line) as unknown;
  } catch {
    throw new StoreDamage(`${file}:${lineNo}`, 'not a JSON line');
  }
  if (!isObj(v)) throw new StoreDamage(`${file}:${lineNo}`, 'not a JSON object');
  return v;
}
