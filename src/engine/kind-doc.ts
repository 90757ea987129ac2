/**
 * A node kind as documentation, read from its declaration: each param's type, default, whether it is required and
 * its one-line description (from the params JSON Schema), each input with the format it expects, each output.
 * `pipe ls --kinds KIND` prints it; nothing here is written twice.
 */
import type { JsonSchema, NodeKind } from './node-kind.js';

/** One param (nested object params are listed by dotted name after their parent). */
export interface ParamDoc {
  readonly name: string;
  /** A short type: `integer`, `number ≥ 0`, `'cpu' | 'webgpu' | 'cuda'`, `string[]`, `object`. */
  readonly type: string;
  readonly required: boolean;
  /** Absent when the param has no default. */
  readonly default?: unknown;
  readonly description?: string;
}

export interface KindDoc {
  readonly kind: string;
  readonly description: string;
  readonly params: readonly ParamDoc[];
  /** `oneOf`: the alternatives this input is one of (exactly one of them is wired). */
  readonly inputs: readonly { readonly name: string; readonly optional: boolean; readonly oneOf?: readonly string[]; readonly format?: string }[] | '*';
  readonly outputs: readonly { readonly name: string; readonly format?: string }[] | '*';
}

/** The documentation of `kind`. */
export function kindDoc(kind: NodeKind): KindDoc {
  const params: ParamDoc[] = [];
  collect(kind.params, '', params);
  const optional = new Set(kind.optionalInputs ?? []);
  const oneOf = kind.oneOfInputs ?? [];
  return {
    kind: kind.kind,
    description: kind.description,
    params,
    inputs:
      kind.inputs === '*'
        ? '*'
        : kind.inputs.map((name) => ({ name, optional: optional.has(name), ...(oneOf.includes(name) ? { oneOf } : {}), ...fmt(kind.inputFormats?.[name]) })),
    outputs: kind.outputs === '*' ? '*' : kind.outputs.map((name) => ({ name, ...fmt(kind.outputFormats?.[name]) })),
  };
}

function fmt(format: string | undefined): { format?: string } {
  return format === undefined ? {} : { format };
}

function collect(schema: JsonSchema, prefix: string, out: ParamDoc[]): void {
  const props = (schema['properties'] ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema['required'] ?? []) as string[]);
  for (const [name, sub] of Object.entries(props)) {
    const full = `${prefix}${name}`;
    const description = typeof sub['description'] === 'string' ? sub['description'] : undefined;
    out.push({
      name: full,
      type: typeOf(sub),
      required: required.has(name),
      ...('default' in sub ? { default: sub['default'] } : {}),
      ...(description !== undefined ? { description } : {}),
    });
    if (sub['type'] === 'object' && sub['properties'] !== undefined) collect(sub, `${full}.`, out);
  }
}

/** A JSON Schema as a short type for people. */
export function typeOf(s: JsonSchema): string {
  if (Array.isArray(s['enum'])) return (s['enum'] as unknown[]).map((v) => JSON.stringify(v).replaceAll('"', "'")).join(' | ');
  if ('const' in s) return JSON.stringify(s['const']).replaceAll('"', "'");
  const alts = (s['anyOf'] ?? s['oneOf']) as JsonSchema[] | undefined;
  if (Array.isArray(alts)) return [...new Set(alts.map(typeOf))].join(' | ');
  const t = s['type'];
  if (t === 'array') {
    const item = s['items'] as JsonSchema | undefined;
    const inner = item === undefined ? 'any' : typeOf(item);
    return inner.includes(' ') ? `(${inner})[]` : `${inner}[]`;
  }
  if (t === 'integer' || t === 'number') {
    const bounds: string[] = [];
    if (typeof s['minimum'] === 'number') bounds.push(`≥ ${s['minimum']}`);
    if (typeof s['exclusiveMinimum'] === 'number') bounds.push(`> ${s['exclusiveMinimum']}`);
    if (typeof s['maximum'] === 'number') bounds.push(`≤ ${s['maximum']}`);
    if (typeof s['exclusiveMaximum'] === 'number') bounds.push(`< ${s['exclusiveMaximum']}`);
    return bounds.length > 0 ? `${t} ${bounds.join(', ')}` : t;
  }
  if (Array.isArray(t)) return t.join(' | ');
  return typeof t === 'string' ? t : 'any';
}
