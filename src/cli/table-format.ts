/**
 * Query results as an aligned text table, CSV (RFC 4180) or JSON rows. The table is for reading, so its
 * floating-point numbers are rounded to 6 significant digits (0.7950000000000002 → 0.795); CSV and JSON are for
 * programs and keep every digit. Table cells (records, model outputs: anything) show control characters as visible
 * symbols, so a value can never drive the terminal.
 */

import { printable } from '../engine/diagnostics.js';

type Cell = unknown;

/** A number for the eye: integers whole, others to 6 significant digits (all integer digits kept). */
export function roundForDisplay(v: number): string {
  if (Number.isInteger(v) || !Number.isFinite(v)) return String(v);
  const intDigits = Math.abs(v) >= 1 ? Math.floor(Math.log10(Math.abs(v))) + 1 : 0;
  const rounded = intDigits > 0 ? Number(v.toFixed(Math.max(0, 6 - intDigits))) : Number(v.toPrecision(6));
  return String(rounded);
}

function text(v: Cell): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** Aligned columns with a header rule; numbers right-aligned and rounded; `round` columns with fixed decimals. */
export function formatTable(
  columns: readonly string[],
  rows: readonly (readonly Cell[])[],
  opts: { readonly round?: { readonly columns: ReadonlySet<string>; readonly digits: number } } = {},
): string {
  const fixed = columns.map((c) => opts.round?.columns.has(c) === true);
  const cells = rows.map((r) =>
    r.map((v, i) => (typeof v === 'number' ? (fixed[i] ? v.toFixed(opts.round?.digits) : roundForDisplay(v)) : printable(text(v).replace(/\n/g, '\\n')))),
  );
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => (r[i] ?? '').length)));
  const numeric = columns.map((_, i) => rows.length > 0 && rows.every((r) => r[i] === null || typeof r[i] === 'number'));
  const line = (vals: readonly string[]): string =>
    vals.map((v, i) => (numeric[i] ? v.padStart(widths[i] as number) : v.padEnd(widths[i] as number))).join('  ').trimEnd();
  const out = [line(columns), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const r of cells) out.push(line(r));
  out.push(`(${rows.length} row${rows.length === 1 ? '' : 's'})`);
  return `${out.join('\n')}\n`;
}

/** CSV with a header row; fields quoted when needed. */
export function formatCsv(columns: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const field = (v: Cell): string => {
    const s = text(v);
    return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  return [columns.map(field).join(','), ...rows.map((r) => r.map(field).join(','))].join('\n') + '\n';
}

/** One JSON array of row objects. */
export function formatJson(columns: readonly string[], rows: readonly (readonly Cell[])[]): string {
  return `${JSON.stringify(rows.map((r) => Object.fromEntries(columns.map((c, i) => [c, r[i] ?? null]))))}\n`;
}
