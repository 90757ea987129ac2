/**
 * User mistakes as values (wireit style): every problem in a pipeline file becomes a `Diagnostic` with the file
 * position it refers to, so the CLI can print all of them at once with the offending line and a caret.
 */

import { clip } from './clip.js';

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
  | 'input-format'
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

/** The widest stretch of a source line shown; a longer line is shown around the caret, cut with '…' at both ends. */
const MAX_SHOWN = 160;

/** A character that can drive a terminal or reorder what it shows: control characters and bidi marks/overrides. */
export const TERMINAL_UNSAFE = /[\p{Cc}\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

/**
 * Text from a pipeline file made safe to print: control characters (an ESC could drive the terminal) and bidi
 * overrides (which can make a line read differently than it parses) become one visible character each, so caret
 * columns stay aligned. Tabs stay.
 */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x20 ? String.fromCharCode(0x2400 + code) : code === 0x7f ? '\u2421' : '\ufffd';
  });
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
  const message = printable(clip(d.message, 2000));
  if (loc === undefined) {
    out.push(`error: ${message}`);
  } else {
    out.push(`${printable(displayFile(loc.file))}:${loc.line}:${loc.col} error: ${message}`);
    const text = sources.get(loc.file);
    const line = text?.split(/\r?\n/)[loc.line - 1];
    if (line !== undefined) {
      const gutter = String(loc.line);
      const pad = ' '.repeat(gutter.length);
      const width = Math.max(1, Math.min(loc.length, line.length - (loc.col - 1)));
      // A long line (a minified flow mapping, a huge string) is shown around the caret.
      const start = line.length <= MAX_SHOWN ? 0 : Math.max(0, Math.min(loc.col - 1 - 40, line.length - MAX_SHOWN));
      const end = Math.min(line.length, start + MAX_SHOWN);
      const shown = `${start > 0 ? '…' : ''}${printable(line.slice(start, end))}${end < line.length ? '…' : ''}`;
      const caretAt = loc.col - 1 - start + (start > 0 ? 1 : 0);
      out.push(` ${gutter} | ${shown}`);
      out.push(` ${pad} | ${' '.repeat(caretAt)}${'^'.repeat(Math.max(1, Math.min(width, shown.length - caretAt)))}`);
    }
  }
  if (d.hint !== undefined) out.push(`  hint: ${printable(clip(d.hint, 2000))}`);
  return out.join('\n');
}
