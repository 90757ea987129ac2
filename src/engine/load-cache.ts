/**
 * A start-up shortcut for the common case of running an unchanged pipeline: the resolved pipeline is memoized on
 * disk (default ~/.cache/pipe/load, or $PIPE_CACHE_DIR), keyed by everything the loader reads — the YAML text, the
 * overrides, the node library (kind names and implementation hashes), the pipeline schema and the loader's own
 * code — and revalidated on every hit by re-hashing the files its params name. A hit skips YAML parsing and
 * schema compilation (most of a cached `pipe run`'s time); a miss or any doubt falls back to the full loader.
 * This module deliberately imports neither yaml nor ajv.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pipelineStructureSchema } from './pipeline-schema.js';
import { canonicalJson } from './canonical-json.js';
import { paramDigest } from './file-digest.js';
import { sha256 } from './hash.js';
import { implementationHash } from './impl-hash.js';
import { pipeVersion } from './key.js';
import type { LoadOptions, LoadResult } from './load.js';
import type { NodeKind, PipelineContext } from './node-kind.js';
import type { NodeInstance, Pipeline } from './pipeline.js';
import { gitCommit, pipelineFileLabel } from './provenance.js';
import { readPipelineFile } from './pipeline-file.js';
import { storeLocationProblem } from './store/location.js';

const FORMAT = 'pipe-load/1';

type StoredInstance = Omit<NodeInstance, 'kind'> & { readonly kind: string };
interface Stored {
  readonly format: string;
  readonly pipeline: Omit<Pipeline, 'instances'> & { readonly instances: readonly StoredInstance[] };
  readonly files: readonly string[];
  /** File param path → content hash at the time of the load. */
  readonly fileHashes: Readonly<Record<string, string>>;
  /** Kind name → its module URL and implementation hash. */
  readonly kinds: Readonly<Record<string, { readonly module: string; readonly hash: string }>>;
}

function cacheDir(): string {
  return process.env.PIPE_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'pipe', 'load');
}

/** Memo options: `libraryKey` identifies the node library (e.g. the hash of its module tree). */
export interface MemoOptions {
  readonly overrides?: readonly string[];
  readonly store?: string;
  readonly libraryKey: string;
}

/** A library key for an in-memory library (kind names and module URLs). */
export function libraryKeyOf(kinds: readonly NodeKind[]): string {
  return sha256(canonicalJson(kinds.map((k) => [k.kind, k.module])));
}

function keyOf(file: string, text: string, opts: MemoOptions): string {
  return sha256(
    canonicalJson({
      format: FORMAT,
      pipe: pipeVersion(),
      loader: implementationHash(new URL('./load.js', import.meta.url).href.replace(/\.js$/, import.meta.url.endsWith('.ts') ? '.ts' : '.js')).hash,
      schema: sha256(canonicalJson(pipelineStructureSchema)),
      file,
      text: sha256(text),
      overrides: opts.overrides ?? [],
      store: opts.store === undefined ? null : opts.store.trim() === '' ? '' : resolve(opts.store),
      library: opts.libraryKey,
    }),
  );
}

function memoPath(file: string, opts: MemoOptions): { abs: string; text?: string; path?: string } {
  const abs = resolve(file);
  const read = readPipelineFile(abs);
  if ('error' in read) return { abs }; // the full loader reports it
  return { abs, text: read.text, path: join(cacheDir(), `${keyOf(abs, read.text, opts)}.json`) };
}

/**
 * The memoized pipeline without any library object: each kind is found by importing its own module (so a cached
 * run loads only the node modules it uses). Undefined on a miss or any doubt.
 */
export async function loadPipelineFast(file: string, opts: MemoOptions): Promise<LoadResult | undefined> {
  const { abs, text, path } = memoPath(file, opts);
  if (path === undefined || text === undefined) return undefined;
  return revive(path, abs, text, async (name, module) => {
    const mod = (await import(module)) as Record<string, unknown>;
    const isKind = (v: unknown): v is NodeKind =>
      typeof v === 'object' && v !== null && (v as NodeKind).kind === name && typeof (v as NodeKind).run === 'function';
    for (const v of Object.values(mod)) {
      if (isKind(v)) return v;
      if (Array.isArray(v)) {
        const found = v.find(isKind);
        if (found !== undefined) return found;
      }
    }
    return undefined;
  });
}

/** Loads a pipeline, using the memoized result when everything it depends on is unchanged. */
export async function loadPipelineCached(file: string, opts: LoadOptions & { readonly libraryKey?: string }): Promise<LoadResult> {
  const memo: MemoOptions = { ...opts, libraryKey: opts.libraryKey ?? libraryKeyOf(opts.library.kinds) };
  const { abs, text, path } = memoPath(file, memo);
  if (path !== undefined && text !== undefined) {
    const byName = new Map(opts.library.kinds.map((k) => [k.kind, k]));
    const hit = await revive(path, abs, text, async (name, module) => {
      const k = byName.get(name);
      return k?.module === module ? k : undefined;
    });
    if (hit !== undefined) return hit;
  }
  const { loadPipeline } = await import('./load.js');
  const result = loadPipeline(file, opts);
  if (result.pipeline !== undefined && path !== undefined) {
    try {
      save(path, result);
    } catch {
      /* the memo is an optimisation; an unwritable cache dir is fine */
    }
  }
  return result;
}

async function revive(
  path: string,
  file: string,
  text: string,
  findKind: (name: string, module: string) => Promise<NodeKind | undefined>,
): Promise<LoadResult | undefined> {
  if (!existsSync(path)) return undefined;
  let stored: Stored;
  try {
    stored = JSON.parse(readFileSync(path, 'utf8')) as Stored;
  } catch {
    return undefined;
  }
  // The memo is a file anyone could have edited: anything unexpected is a miss, never a crash.
  if (typeof stored !== 'object' || stored === null || stored.format !== FORMAT) return undefined;
  if (typeof stored.kinds !== 'object' || stored.kinds === null || typeof stored.fileHashes !== 'object' || stored.fileHashes === null) return undefined;
  if (typeof stored.pipeline?.store !== 'string' || !Array.isArray(stored.pipeline.instances) || !Array.isArray(stored.files)) return undefined;
  if (storeLocationProblem(stored.pipeline.store) !== undefined) return undefined; // the full loader reports it
  const kinds = new Map<string, NodeKind>();
  for (const [name, k] of Object.entries(stored.kinds)) {
    if (typeof k !== 'object' || k === null || typeof k.module !== 'string' || typeof k.hash !== 'string') return undefined;
    const { module, hash } = k;
    if (implementationHash(module).hash !== hash) return undefined;
    const kind = await findKind(name, module).catch(() => undefined);
    if (kind === undefined) return undefined;
    kinds.set(name, kind);
  }
  for (const [f, hash] of Object.entries(stored.fileHashes)) {
    try {
      if (paramDigest(f, stored.pipeline.store) !== hash) return undefined;
    } catch {
      return undefined;
    }
  }
  if (!stored.pipeline.instances.every((i) => typeof i === 'object' && i !== null && kinds.has(i.kind))) return undefined;
  // A pipeline context names the file as seen from here and the commit checked out: both must still hold.
  const context = stored.pipeline.instances.map((i) => i.params.$pipeline as PipelineContext | undefined).find((c) => c !== undefined);
  if (context !== undefined && (context.file !== pipelineFileLabel(file) || context.commit !== gitCommit(dirname(file)))) return undefined;
  const instances = stored.pipeline.instances.map((i) => ({ ...i, kind: kinds.get(i.kind) as NodeKind }));
  const pipeline: Pipeline = { ...stored.pipeline, instances };
  return { pipeline, diagnostics: [], sources: new Map([[file, text]]), files: stored.files };
}

function save(path: string, result: LoadResult): void {
  const p = result.pipeline as Pipeline;
  const fileHashes: Record<string, string> = {};
  const kinds: Record<string, { module: string; hash: string }> = {};
  for (const inst of p.instances) {
    kinds[inst.kind.kind] = { module: inst.kind.module, hash: implementationHash(inst.kind.module).hash };
    for (const f of inst.files) fileHashes[f] = paramDigest(f, p.store);
  }
  const stored: Stored = {
    format: FORMAT,
    pipeline: { ...p, instances: p.instances.map((i) => ({ ...i, kind: i.kind.kind })) },
    files: result.files,
    fileHashes,
    kinds,
  };
  mkdirSync(cacheDir(), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(stored));
  renameSync(tmp, path);
  prune(cacheDir());
}

/** Keeps the memo directory bounded: past MAX_MEMOS files, the least recently written quarter goes. */
const MAX_MEMOS = 400;
function prune(dir: string): void {
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  if (files.length <= MAX_MEMOS) return;
  const byAge = files.map((f) => ({ f, t: statSync(join(dir, f)).mtimeMs })).sort((a, b) => a.t - b.t);
  for (const { f } of byAge.slice(0, Math.ceil(MAX_MEMOS / 4))) rmSync(join(dir, f), { force: true });
}
