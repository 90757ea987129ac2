/**
 * User mistakes as values (wireit style): every problem in a pipeline file becomes a `Diagnostic` with the file
 * position it refers to, so the CLI can print all of them at once with the offending line and a caret.
 */

/** A position in a source file, 1-based line and column; `length` is how many columns the caret underlines. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  readonly length: number;
}

/** One user-facing problem. `code` is stable (tests and tools match on it); `message` is for people. */
export interface Diagnostic {
  readonly code: DiagnosticCode;
  readonly message: string;
  readonly location?: SourceLocation;
  readonly hint?: string;
}

export type DiagnosticCode =
  | 'yaml-syntax'
  | 'duplicate-key'
  | 'alias-bomb'
  | 'schema'
  | 'unknown-kind'
  | 'unknown-param'
  | 'bad-param'
  | 'unknown-node'
  | 'unknown-output'
  | 'unknown-input'
  | 'missing-input'
  | 'cycle'
  | 'selector'
  | 'matrix'
  | 'output-name'
  | 'file-param'
  | 'override'
  | 'store'
  | 'io';

/** A list of names for a hint: all of them, or the first `max` and how many there are in all. */
export function nameList(names: readonly string[], max = 20): string {
  return names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')}, … (${names.length} in all)`;
}

/** Thrown (and caught at the CLI) when input is invalid; carries every diagnostic found. */
export class DiagnosticsError extends Error {
  constructor(readonly diagnostics: readonly Diagnostic[]) {
    super(diagnostics.map((d) => d.message).join('\n'));
    this.name = 'DiagnosticsError';
  }
}

/**
 * Formats one diagnostic as `file:line:col error: message`, then the source line and a caret under the span.
 * `sources` maps a file name (as in the location) to its text; `displayFile` maps it to the printed path.
 */
export function formatDiagnostic(
  d: Diagnostic,
  sources: ReadonlyMap<string, string>,
  displayFile: (file: string) => string = (f) => f,
): string {
  const out: string[] = [];
  const loc = d.location;
  if (loc === undefined) {
    out.push(`error: ${d.message}`);
  } else {
    out.push(`${displayFile(loc.file)}:${loc.line}:${loc.col} error: ${d.message}`);
    const text = sources.get(loc.file);
    const line = text?.split(/\r?\n/)[loc.line - 1];
    if (line !== undefined) {
      const gutter = String(loc.line);
      const pad = ' '.repeat(gutter.length);
      const width = Math.max(1, Math.min(loc.length, line.length - (loc.col - 1)));
      out.push(` ${gutter} | ${line}`);
      out.push(` ${pad} | ${' '.repeat(loc.col - 1)}${'^'.repeat(width)}`);
    }
  }
  if (d.hint !== undefined) out.push(`  hint: ${d.hint}`);
  return out.join('\n');
}
