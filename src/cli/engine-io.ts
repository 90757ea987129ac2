/**
 * Shared plumbing for the engine commands: loading a pipeline with the built-in library (lazily, so commands that
 * do not need node kinds never import them), printing diagnostics with carets, and small output helpers.
 */
import { relative } from 'node:path';
import type { Diagnostic } from '../engine/diagnostics.js';
import type { LoadResult } from '../engine/load.js';
import type { NodeLibrary } from '../engine/node-kind.js';
import type { Pipeline } from '../engine/pipeline.js';
import { registryHash } from '../engine/impl-hash.js';

/**
 * What an engine command writes to and runs with. The defaults are the real process streams and the built-in
 * library; tests pass their own (a fake library, captured output, an abort signal).
 */
export interface CommandEnv {
  readonly library?: NodeLibrary;
  readonly out?: (text: string) => void;
  readonly err?: (text: string) => void;
  readonly signal?: AbortSignal;
  /** Working directory for store discovery (default: process.cwd()). */
  readonly cwd?: string;
}

/** The env with defaults filled in. */
export async function resolveEnv(env: CommandEnv): Promise<Required<Omit<CommandEnv, 'signal'>> & { signal?: AbortSignal }> {
  return {
    library: env.library ?? (await builtinLibrary()),
    out: env.out ?? ((t) => process.stdout.write(t)),
    err: env.err ?? ((t) => process.stderr.write(t)),
    cwd: env.cwd ?? process.cwd(),
    ...(env.signal ? { signal: env.signal } : {}),
  };
}

let builtin: NodeLibrary | undefined;
/** Loads the built-in node library (src/nodes). Tests call the command functions with their own library instead. */
export async function builtinLibrary(): Promise<NodeLibrary> {
  builtin ??= (await import('../nodes/index.js')).library;
  return builtin;
}

/**
 * The built-in library's identity for the load memo: its index and the domain indexes it imports (where kinds are
 * registered), read, not imported. The code of each kind a pipeline uses is checked by the memo itself.
 */
export function builtinLibraryKey(): string {
  return registryHash(new URL(`../nodes/index${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url).href);
}

/**
 * The fast path of a cached run: the memoized pipeline, with each kind imported from its own module, without
 * importing the whole built-in library. Undefined when the memo does not apply.
 */
export async function loadBuiltinFast(file: string, opts: { overrides?: readonly string[]; store?: string }): Promise<LoadResult | undefined> {
  const { loadPipelineFast } = await import('../engine/load-cache.js');
  return loadPipelineFast(file, { libraryKey: builtinLibraryKey(), ...(opts.overrides ? { overrides: opts.overrides } : {}), ...(opts.store !== undefined ? { store: opts.store } : {}) });
}

/** Prints every diagnostic to stderr, `file:line:col error: …` with the source line and a caret. */
export async function printDiagnostics(
  diags: readonly Diagnostic[],
  sources: ReadonlyMap<string, string>,
  err: (text: string) => void = (t) => process.stderr.write(t),
): Promise<void> {
  const { formatDiagnostic } = await import('../engine/diagnostics.js');
  const show = (f: string): string => {
    const rel = relative(process.cwd(), f);
    return rel.startsWith('..') ? f : rel;
  };
  err(`${diags.map((d) => formatDiagnostic(d, sources, show)).join('\n')}\n`);
}

/** Loads a pipeline; on diagnostics prints them and returns undefined (the command then exits 2). */
export async function loadOrReport(
  file: string,
  library: NodeLibrary,
  opts: { overrides?: readonly string[]; store?: string } = {},
  err: (text: string) => void = (t) => process.stderr.write(t),
): Promise<LoadResult & { pipeline: NonNullable<LoadResult['pipeline']> } | undefined> {
  // The memoizing loader imports yaml/ajv only when the pipeline (or anything it depends on) changed.
  const { loadPipelineCached } = await import('../engine/load-cache.js');
  const libraryKey = library === builtin ? builtinLibraryKey() : undefined;
  const result = await loadPipelineCached(file, {
    library,
    ...(libraryKey ? { libraryKey } : {}),
    ...(opts.overrides ? { overrides: opts.overrides } : {}),
    ...(opts.store !== undefined ? { store: opts.store } : {}),
  });
  if (result.pipeline === undefined || result.diagnostics.length > 0) {
    await printDiagnostics(result.diagnostics, result.sources, err);
    return undefined;
  }
  return result as LoadResult & { pipeline: NonNullable<LoadResult['pipeline']> };
}

/**
 * The start of every command on one pipeline file: the load (with --set and --store when the command has them).
 * Diagnostics are printed and come back as exit 2, like every other usage problem.
 */
export async function loadPipelineArg(
  file: string,
  values: { readonly set?: string[]; readonly store?: string },
  envIn: CommandEnv,
): Promise<number | { env: Awaited<ReturnType<typeof resolveEnv>>; file: string; pipeline: Pipeline }> {
  const env = await resolveEnv(envIn);
  const loaded = await loadOrReport(file, env.library, loadOptionsOf(values), env.err);
  if (loaded === undefined) return 2;
  return { env, file, pipeline: loaded.pipeline };
}

/** Load options from the --set and --store flags that the pipeline commands share. */
export function loadOptionsOf(values: { readonly set?: string[]; readonly store?: string }): { overrides?: string[]; store?: string } {
  return { ...(values.set ? { overrides: values.set } : {}), ...(values.store !== undefined ? { store: values.store } : {}) };
}

/** Human-readable byte count. */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}
