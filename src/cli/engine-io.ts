/**
 * Shared plumbing for the engine commands: loading a pipeline with the built-in library (lazily, so commands that
 * do not need node kinds never import them), printing diagnostics with carets, and small output helpers.
 */
import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
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
  return loadPipelineFast(file, { libraryKey: builtinLibraryKey(), ...(opts.overrides ? { overrides: opts.overrides } : {}), ...(opts.store ? { store: opts.store } : {}) });
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
    ...(opts.store ? { store: opts.store } : {}),
  });
  if (result.pipeline === undefined || result.diagnostics.length > 0) {
    await printDiagnostics(result.diagnostics, result.sources, err);
    return undefined;
  }
  return result as LoadResult & { pipeline: NonNullable<LoadResult['pipeline']> };
}

/** A bad-argument message on stderr; returns exit code 2. */
export function usageError(
  command: string,
  message: string,
  usage: string,
  err: (text: string) => void = (t) => process.stderr.write(t),
): number {
  err(`pipe ${command}: ${message}\n\n${usage}`);
  return 2;
}

type OptionSpecs = NonNullable<ParseArgsConfig['options']>;
type Parsed<O extends OptionSpecs> = ReturnType<typeof parseArgs<{ args: string[]; allowPositionals: true; options: O & { help: { type: 'boolean'; short: 'h' } } }>>;

/**
 * The shared front of every command: parses `args` against `options` (plus -h/--help) and checks the positional
 * count. A parse error or a wrong count prints the message and the usage (exit 2); --help prints the usage (exit 0);
 * either comes back as the exit code instead of the parsed arguments.
 */
export function parseCommandArgs<O extends OptionSpecs>(
  command: string,
  args: readonly string[],
  options: O,
  usage: string,
  positionals: { readonly min: number; readonly max: number; readonly what: string },
  env: Pick<CommandEnv, 'out' | 'err'> = {},
): number | Parsed<O> {
  let parsed: Parsed<O>;
  try {
    parsed = parseArgs({ args: [...args], allowPositionals: true, options: { ...options, help: { type: 'boolean', short: 'h' } } }) as Parsed<O>;
  } catch (e) {
    return usageError(command, (e as Error).message, usage, env.err);
  }
  if ((parsed.values as { help?: boolean }).help) {
    (env.out ?? ((t: string) => process.stdout.write(t)))(usage);
    return 0;
  }
  const n = parsed.positionals.length;
  if (n < positionals.min || n > positionals.max) return usageError(command, `expected ${positionals.what}`, usage, env.err);
  return parsed;
}

/** The positional of commands that take exactly one pipeline file. */
export const ONE_PIPELINE = { min: 1, max: 1, what: 'exactly one pipeline file' } as const;

/**
 * `parseCommandArgs` for commands on one pipeline file, then the load (with --set and --store when `options` has
 * them): diagnostics are printed and come back as exit 2, like every other usage problem.
 */
export async function parsePipelineCommand<O extends OptionSpecs>(
  command: string,
  args: readonly string[],
  options: O,
  usage: string,
  envIn: CommandEnv,
): Promise<number | { values: Parsed<O>['values']; env: Awaited<ReturnType<typeof resolveEnv>>; file: string; pipeline: Pipeline }> {
  const parsed = parseCommandArgs(command, args, options, usage, ONE_PIPELINE, envIn);
  if (typeof parsed === 'number') return parsed;
  const env = await resolveEnv(envIn);
  const file = parsed.positionals[0] as string;
  const loaded = await loadOrReport(file, env.library, loadOptionsOf(parsed.values as { set?: string[]; store?: string }), env.err);
  if (loaded === undefined) return 2;
  return { values: parsed.values, env, file, pipeline: loaded.pipeline };
}

/** Load options from the --set and --store flags that the pipeline commands share. */
export function loadOptionsOf(values: { readonly set?: string[]; readonly store?: string }): { overrides?: string[]; store?: string } {
  return { ...(values.set ? { overrides: values.set } : {}), ...(values.store ? { store: values.store } : {}) };
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
