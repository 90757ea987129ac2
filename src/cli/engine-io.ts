/**
 * Shared plumbing for the engine commands: loading a pipeline with the built-in library (lazily, so commands that
 * do not need node kinds never import them), printing diagnostics with carets, and small output helpers.
 */
import { relative } from 'node:path';
import type { Diagnostic } from '../engine/diagnostics.js';
import type { LoadResult } from '../engine/load.js';
import type { NodeLibrary } from '../engine/node-kind.js';

/**
 * What an engine command writes to and runs with. The defaults are the real process streams and the built-in
 * library; tests pass their own (a fake library, captured output, an abort signal).
 */
export interface CommandEnv {
  readonly library?: NodeLibrary;
  readonly out?: (text: string) => void;
  readonly err?: (text: string) => void;
  readonly signal?: AbortSignal;
}

/** The env with defaults filled in. */
export async function resolveEnv(env: CommandEnv): Promise<Required<Omit<CommandEnv, 'signal'>> & { signal?: AbortSignal }> {
  return {
    library: env.library ?? (await builtinLibrary()),
    out: env.out ?? ((t) => process.stdout.write(t)),
    err: env.err ?? ((t) => process.stderr.write(t)),
    ...(env.signal ? { signal: env.signal } : {}),
  };
}

/** Loads the built-in node library (src/nodes). Tests call the command functions with their own library instead. */
export async function builtinLibrary(): Promise<NodeLibrary> {
  const { library } = await import('../nodes/index.js');
  return library;
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
  const { loadPipeline } = await import('../engine/load.js');
  const result = loadPipeline(file, { library, ...(opts.overrides ? { overrides: opts.overrides } : {}), ...(opts.store ? { store: opts.store } : {}) });
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
