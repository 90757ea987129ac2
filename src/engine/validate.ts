/**
 * JSON Schema validation (ajv, draft 2020-12) whose errors become diagnostics that point into the YAML source:
 * an unknown property points at its key, a wrong value at the value, a missing property at the object's key.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { Diagnostic, DiagnosticCode } from './diagnostics.js';
import type { JsonSchema } from './node-kind.js';
import { pipelineStructureSchema } from './pipeline-schema.js';
import { locate } from './source-map.js';
import type { DocPath, YamlSource } from './source-map.js';

let ajv: Ajv2020 | undefined;
function instance(): Ajv2020 {
  // validateSchema: false skips compiling the draft-2020 meta-schema (most of ajv's start-up cost).
  ajv ??= new Ajv2020({ allErrors: true, strict: false, useDefaults: true, validateSchema: false });
  return ajv;
}

const compiled = new WeakMap<object, ValidateFunction>();

/** A compiled validator for a schema object (cached per object, so each kind's schema is compiled once). */
export function validator(schema: JsonSchema): ValidateFunction {
  let fn = compiled.get(schema);
  if (fn === undefined) {
    const { $schema: _s, $id: _i, ...rest } = schema as Record<string, unknown>;
    fn = instance().compile(rest);
    compiled.set(schema, fn);
  }
  return fn;
}

const keySchemas = new WeakMap<object, JsonSchema>();

/**
 * The schema whose defaults are filled in before a node's cache key and seed are computed: `schema` without the
 * `default`s that are not marked `defaultInKey: true`. A default lives in the kind's source, which is hashed into the
 * key as its implementation, so it need not be in the params as well; keeping it out means declaring a new default
 * changes no node seed (and so no output). The marked ones were filled into keys before and stay there.
 */
export function keyDefaultsSchema(schema: JsonSchema): JsonSchema {
  let out = keySchemas.get(schema);
  if (out === undefined) {
    out = stripDefaults(schema) as JsonSchema;
    keySchemas.set(schema, out);
  }
  return out;
}

/** A copy of a schema without unmarked `default`s (walking subschemas; property names are never dropped). */
function stripDefaults(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripDefaults);
  if (typeof v !== 'object' || v === null) return v;
  const o = v as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(o)) {
    if (k === 'default') {
      if (o['defaultInKey'] === true) out[k] = x;
    } else if (k === 'enum' || k === 'const' || k === 'examples') {
      out[k] = x;
    } else if ((k === 'properties' || k === 'patternProperties' || k === '$defs') && typeof x === 'object' && x !== null) {
      out[k] = Object.fromEntries(Object.entries(x).map(([name, sub]) => [name, stripDefaults(sub)]));
    } else {
      out[k] = stripDefaults(x);
    }
  }
  return out;
}

/** The pipeline structure the loader validates (params are checked per kind). */
export function pipelineSchemaObject(): JsonSchema {
  return pipelineStructureSchema;
}

/** How error paths are described: params get "param 'x'", pipeline fields get "field 'x'". */
export interface SchemaContext {
  readonly source: YamlSource;
  /** Where the validated value sits in the document (e.g. ['nodes', 'a', 'params']). */
  readonly base: DocPath;
  readonly noun: 'param' | 'field';
  /** Appended to unknown-property messages, e.g. " for kind 'exec'". */
  readonly owner: string;
  /** Param names that come from the matrix: errors there point at the matrix entry. */
  readonly remap?: (path: DocPath) => DocPath;
  readonly knownProperties?: (path: DocPath) => readonly string[];
}

/** Converts ajv errors to diagnostics (deduplicated; anyOf/oneOf noise reduced to its most useful branch). */
export function schemaDiagnostics(errors: readonly ErrorObject[], ctx: SchemaContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    if (e.keyword === 'if' || e.keyword === 'anyOf' || e.keyword === 'oneOf') continue;
    if (e.keyword === 'propertyNames') continue;
    const propertyName = (e as { propertyName?: string }).propertyName;
    const rel = pointerToPath(e.instancePath);
    const abs = (p: DocPath): DocPath => [...ctx.base, ...(ctx.remap ? ctx.remap(p) : p)];
    let d: Diagnostic;
    let code: DiagnosticCode = ctx.noun === 'param' ? 'bad-param' : 'schema';
    const name = (p: DocPath): string => p.join('.');
    if (e.keyword === 'additionalProperties') {
      const prop = String((e.params as { additionalProperty: string }).additionalProperty);
      const path = [...rel, prop];
      code = ctx.noun === 'param' ? 'unknown-param' : 'schema';
      const known = ctx.knownProperties?.(rel) ?? [];
      const what = ctx.noun === 'field' && rel.length > 0 ? `'${prop}' in '${name(rel)}'` : `'${name(path)}'`;
      d = {
        code,
        message: `unknown ${ctx.noun} ${what}${ctx.owner}`,
        location: locate(ctx.source, abs(path), 'key'),
        ...(known.length > 0 ? { hint: `known ${ctx.noun}s: ${known.join(', ')}` } : {}),
      };
    } else if (e.keyword === 'required') {
      const prop = String((e.params as { missingProperty: string }).missingProperty);
      const where = rel.length === 0 ? '' : ` in '${name(rel)}'`;
      const missingWhat = ctx.noun === 'param' ? `param '${name([...rel, prop])}'` : `field '${prop}'${where}`;
      d = { code, message: `missing required ${missingWhat}${ctx.owner}`, location: locate(ctx.source, abs(rel), 'key') };
    } else if (propertyName !== undefined) {
      // Node ids are checked (with a better message) by the loader.
      if (ctx.noun === 'field' && rel.length === 1 && rel[0] === 'nodes') continue;
      d = { code, message: `invalid name '${propertyName}' in '${name(rel)}' (${e.message})`, location: locate(ctx.source, abs([...rel, propertyName]), 'key') };
    } else if (e.message === undefined) {
      continue;
    } else {
      let message = e.message;
      if (e.keyword === 'enum') {
        const allowed = (e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v));
        message = `must be one of ${allowed.join(', ')}`;
      }
      const subject = rel.length === 0 ? `${ctx.noun}s` : `${ctx.noun} '${name(rel)}'`;
      d = { code, message: `${subject} ${message}`, location: locate(ctx.source, abs(rel), 'value') };
    }
    const sig = `${d.message}@${d.location?.line}:${d.location?.col}`;
    if (!seen.has(sig)) {
      seen.add(sig);
      out.push(d);
    }
  }
  return out;
}

/** `/nodes/a~1b/0` → ['nodes', 'a/b', 0]. */
export function pointerToPath(pointer: string): DocPath {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}
