/**
 * Cache keys. The key is SHA-256 over canonical JSON with a fixed field order: kind, implementation hash, resolved
 * params, input artifact digests, seed, runtime fingerprint, declared outputs. The components are stored next to
 * the key so `plan` can say exactly which field changed.
 */
import { readFileSync } from 'node:fs';
import { canonicalJson } from './canonical-json.js';
import { sha256 } from './hash.js';
import type { ImplHash } from './impl-hash.js';

/** Everything that determines a node's outputs. */
export interface KeyComponents {
  readonly kind: string;
  readonly implementation: ImplHash;
  readonly params: Readonly<Record<string, unknown>>;
  /** Input name → where it came from (for messages only) and the artifact digest (hashed). */
  readonly inputs: Readonly<Record<string, { readonly from: string; readonly digest: string }>>;
  readonly seed: number;
  readonly runtime: Readonly<Record<string, string>>;
  readonly outputs: readonly string[];
}

/** The cache key of a set of components. Labels (`from`, per-file hashes) are not part of it. */
export function cacheKey(c: KeyComponents): string {
  const fields: [string, unknown][] = [
    ['kind', c.kind],
    ['implementation', c.implementation.hash],
    ['params', c.params],
    ['inputs', Object.fromEntries(Object.entries(c.inputs).map(([k, v]) => [k, v.digest]))],
    ['seed', c.seed],
    ['runtime', c.runtime],
    ['outputs', c.outputs],
  ];
  return sha256(`{${fields.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`);
}

let version: string | undefined;
/** pipe's version (package.json), part of every runtime fingerprint. */
export function pipeVersion(): string {
  version ??= (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  return version;
}

/** A value for messages: short JSON, strings unquoted when plain. */
function show(v: unknown): string {
  if (v === undefined) return '(unset)';
  if (typeof v === 'number') return formatNumber(v);
  if (typeof v === 'string') return /^[\w.\-+/:@]+$/.test(v) ? v : JSON.stringify(v);
  const s = canonicalJson(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** Numbers as people write them in YAML: `3e-5` rather than `0.00003` when that is shorter. */
export function formatNumber(n: number): string {
  const plain = String(n);
  const exp = n.toExponential().replace('e+', 'e');
  return exp.length < plain.length ? exp : plain;
}

function isFileRef(v: unknown): v is { $file: string; sha256: string } {
  return typeof v === 'object' && v !== null && '$file' in v && 'sha256' in v;
}

function diffValues(path: string, a: unknown, b: unknown, out: string[]): void {
  if (canonicalJson(a ?? null) === canonicalJson(b ?? null) && (a === undefined) === (b === undefined)) return;
  if (isFileRef(a) && isFileRef(b)) {
    out.push(a.$file === b.$file ? `${path}: ${b.$file} changed` : `${path}: ${a.$file} → ${b.$file}`);
    return;
  }
  const plain = (x: unknown): x is Record<string, unknown> =>
    typeof x === 'object' && x !== null && !Array.isArray(x) && !isFileRef(x);
  if (plain(a) && plain(b)) {
    for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) diffValues(`${path}.${k}`, a[k], b[k], out);
    return;
  }
  out.push(`${path}: ${show(isFileRef(a) ? a.$file : a)} → ${show(isFileRef(b) ? b.$file : b)}`);
}

/**
 * Field-level differences between the last recorded components and the new ones, one line each:
 * `params.lr: 1e-5 → 3e-5`, `code: src/nodes/x.ts changed`, `input a.first: new content`.
 */
export function diffComponents(prev: KeyComponents, next: KeyComponents): string[] {
  const out: string[] = [];
  if (prev.kind !== next.kind) out.push(`kind: ${prev.kind} → ${next.kind}`);
  if (prev.implementation.hash !== next.implementation.hash) {
    const files = [...new Set([...Object.keys(prev.implementation.files), ...Object.keys(next.implementation.files)])].sort();
    for (const f of files) {
      const a = prev.implementation.files[f];
      const b = next.implementation.files[f];
      if (a === b) continue;
      out.push(a === undefined ? `code: ${f} added` : b === undefined ? `code: ${f} removed` : `code: ${f} changed`);
    }
    if (files.every((f) => prev.implementation.files[f] === next.implementation.files[f])) out.push('code: changed');
  }
  diffValues('params', prev.params, next.params, out);
  for (const name of [...new Set([...Object.keys(prev.inputs), ...Object.keys(next.inputs)])].sort()) {
    const a = prev.inputs[name];
    const b = next.inputs[name];
    if (a === undefined) out.push(`input ${name}: added (${b?.from})`);
    else if (b === undefined) out.push(`input ${name}: removed`);
    else if (a.from !== b.from && a.digest !== b.digest) out.push(`input ${name}: ${a.from} → ${b.from}`);
    else if (a.digest !== b.digest) out.push(`input ${b.from}: new content`);
  }
  // The node seed is derived from the params: report it only when it changed on its own (pipeline seed).
  if (prev.seed !== next.seed && canonicalJson(prev.params) === canonicalJson(next.params)) out.push(`seed: ${prev.seed} → ${next.seed}`);
  diffValues('runtime', prev.runtime, next.runtime, out);
  if (canonicalJson(prev.outputs) !== canonicalJson(next.outputs)) out.push(`outputs: ${show(prev.outputs)} → ${show(next.outputs)}`);
  return out;
}
