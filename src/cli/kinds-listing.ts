/**
 * `pipe ls --kinds [KIND] [--json]`: every kind with its one-line description, or one kind documented from its
 * declaration (params with type, default, required and description; inputs with the format each expects; outputs).
 */
import type { NodeKind } from '../engine/node-kind.js';
import { kindDoc, type KindDoc } from '../engine/kind-doc.js';
import { closest } from '../util/did-you-mean.js';

/** Prints the listing; returns the exit code (2 for an unknown kind). */
export function listKinds(kinds: readonly NodeKind[], name: string | undefined, json: boolean, out: (t: string) => void, err: (t: string) => void): number {
  const sorted = [...kinds].sort((a, b) => (a.kind < b.kind ? -1 : 1));
  if (name === undefined) {
    if (json) {
      out(`${JSON.stringify(sorted.map(kindDoc))}\n`);
      return 0;
    }
    const w = Math.max(...sorted.map((k) => k.kind.length));
    out(`${sorted.map((k) => `${k.kind.padEnd(w)}  ${k.description}`).join('\n')}\n\nDetails of one kind: pipe ls --kinds KIND\n`);
    return 0;
  }
  const kind = sorted.find((k) => k.kind === name);
  if (kind === undefined) {
    const near = closest(name, sorted.map((k) => k.kind));
    const hint = near.length > 0 ? ` (did you mean ${near.join(' or ')}?)` : '';
    err(`pipe ls: unknown node kind '${name}'${hint}; pipe ls --kinds lists them\n`);
    return 2;
  }
  const doc = kindDoc(kind);
  out(json ? `${JSON.stringify(doc)}\n` : formatKindDoc(doc));
  return 0;
}

/** One kind as text: a header, then params, inputs and outputs as aligned columns. */
export function formatKindDoc(doc: KindDoc): string {
  const lines = [`${doc.kind}: ${doc.description}`, '', 'params:'];
  if (doc.params.length === 0) lines.push('  (none)');
  const rows = doc.params.map((p) => [p.name, p.type, p.required ? 'required' : 'default' in p ? `default ${JSON.stringify(p.default)}` : 'optional', p.description ?? '']);
  lines.push(...columns(rows));
  lines.push('', 'inputs:');
  if (doc.inputs === '*') lines.push('  any names the pipeline chooses');
  else if (doc.inputs.length === 0) lines.push('  (none)');
  else lines.push(...columns(doc.inputs.map((i) => [i.name, i.oneOf !== undefined ? `one of ${i.oneOf.join(', ')}` : i.optional ? 'optional' : 'required', i.format ?? ''])));
  lines.push('', 'outputs:');
  if (doc.outputs === '*') lines.push('  declared by the pipeline (outputs:)');
  else lines.push(...columns(doc.outputs.map((o) => [o.name, o.format ?? ''])));
  return `${lines.join('\n')}\n`;
}

/** Aligned columns; a column is at most 32 wide (a longer cell pushes the rest of its own row only). */
function columns(rows: readonly (readonly string[])[]): string[] {
  const n = Math.max(0, ...rows.map((r) => r.length));
  const widths = Array.from({ length: n - 1 }, (_, i) => Math.min(32, Math.max(...rows.map((r) => (r[i] ?? '').length))));
  return rows.map((r) => `  ${r.map((c, i) => (i < n - 1 ? c.padEnd(widths[i] as number) : c)).join('  ')}`.trimEnd());
}
