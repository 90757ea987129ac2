/**
 * Loads a pipeline file: YAML (with source ranges) → schema checks → kinds, params, outputs, references, cycles,
 * matrix expansion, file params → a `Pipeline` of node instances. Every problem becomes a located diagnostic and all
 * of them are returned at once; nothing here writes anywhere.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYamlScalar } from 'yaml';
import { canonicalJson } from './canonical-json.js';
import type { Diagnostic } from './diagnostics.js';
import { sha256 } from './hash.js';
import type { JsonSchema, NodeKind, NodeLibrary } from './node-kind.js';
import { expandPath, getPath, replaceAt, setPath, splitPath, UNSAFE_SEGMENTS } from './params-path.js';
import type { InputRef, NodeInstance, Pipeline } from './pipeline.js';
import { locate, parseYaml } from './source-map.js';
import type { DocPath, YamlSource } from './source-map.js';
import { pipelineSchemaObject, schemaDiagnostics, validator } from './validate.js';
import { deriveSeed } from './seed.js';

export interface LoadOptions {
  readonly library: NodeLibrary;
  /** `--set node.param.path=value` (value parsed as a YAML scalar). */
  readonly overrides?: readonly string[];
  /** `--store DIR`, relative to the working directory. */
  readonly store?: string;
}

/** The pipeline, or the diagnostics that prevent it; `sources` has the texts needed to print carets. */
export interface LoadResult {
  readonly pipeline?: Pipeline;
  readonly diagnostics: readonly Diagnostic[];
  readonly sources: ReadonlyMap<string, string>;
  /** Files that affect the pipeline (the YAML itself and every file param that resolved), for `pipe watch`. */
  readonly files: readonly string[];
}

interface RawNode {
  readonly kind?: unknown;
  readonly params?: unknown;
  readonly inputs?: unknown;
  readonly outputs?: unknown;
  readonly matrix?: unknown;
  readonly resources?: unknown;
}

/** An input reference as written: `node.output`, or `node[*].output` to gather every matrix instance. */
interface RawRef {
  readonly node: string;
  readonly output: string;
  readonly gather: boolean;
}

interface Checked {
  readonly id: string;
  readonly kind: NodeKind;
  readonly params: Record<string, unknown>;
  readonly matrix: readonly (readonly [string, readonly unknown[]])[];
  readonly inputs: Readonly<Record<string, RawRef>>;
  readonly outputs: readonly string[];
  readonly resources: { cpu: number; gpu: number };
}

const NODE_ID = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const OUTPUT_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/** Loads and validates `file` against `opts.library`. Never throws for user mistakes. */
export function loadPipeline(file: string, opts: LoadOptions): LoadResult {
  const abs = resolve(file);
  const sources = new Map<string, string>();
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(e);
    return { diagnostics: [{ code: 'io', message: `cannot read pipeline ${file}: ${reason}` }], sources, files: [abs] };
  }
  sources.set(abs, text);
  const parsed = parseYaml(abs, text);
  if (parsed.diagnostics.length > 0) return { diagnostics: parsed.diagnostics, sources, files: [abs] };
  const src = parsed.source;
  const value = parsed.value;
  const diagnostics: Diagnostic[] = [];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const location = locate(src, []);
    diagnostics.push({ code: 'schema', message: "a pipeline must be a YAML mapping with 'name' and 'nodes'", location });
    return { diagnostics, sources, files: [abs] };
  }
  const validatePipeline = validator(pipelineSchemaObject());
  if (!validatePipeline(value)) {
    diagnostics.push(
      ...schemaDiagnostics(validatePipeline.errors ?? [], { source: src, base: [], noun: 'field', owner: '' }),
    );
  }
  const top = value as Record<string, unknown>;
  const nodesRaw = top.nodes;
  if (typeof nodesRaw !== 'object' || nodesRaw === null || Array.isArray(nodesRaw)) {
    return { diagnostics, sources, files: [abs] };
  }
  const kinds = new Map(opts.library.kinds.map((k) => [k.kind, k]));
  const raw = nodesRaw as Record<string, RawNode>;
  const overrides = parseOverrides(opts.overrides ?? [], raw, diagnostics);

  const checked = new Map<string, Checked>();
  for (const [id, node] of Object.entries(raw)) {
    if (!NODE_ID.test(id)) {
      diagnostics.push({
        code: 'schema',
        message: `invalid node id '${id}' (letters, digits, '_' and '-', not starting with a digit)`,
        location: locate(src, ['nodes', id], 'key'),
      });
      continue;
    }
    if (typeof node !== 'object' || node === null) continue;
    const c = checkNode(src, id, node, kinds, overrides.get(id) ?? [], diagnostics);
    if (c !== undefined) checked.set(id, c);
  }
  checkReferences(src, raw, checked, diagnostics);
  if (diagnostics.length === 0) checkCycles(src, checked, diagnostics);
  if (diagnostics.length > 0) return { diagnostics, sources, files: [abs] };

  const dir = dirname(abs);
  const seed = typeof top.seed === 'number' ? top.seed : 0;
  const files = new Set<string>([abs]);
  const instances = expand(src, topoOrder(checked), seed, dir, diagnostics, files);
  const store = opts.store !== undefined ? resolve(opts.store) : resolve(dir, typeof top.store === 'string' ? top.store : 'artifacts');
  if (diagnostics.length > 0) return { diagnostics, sources, files: [...files] };
  const pipeline: Pipeline = { name: String(top.name), file: abs, seed, store, instances };
  return { pipeline, diagnostics, sources, files: [...files] };
}

type Override = { readonly path: string[]; readonly value: unknown };

function parseOverrides(specs: readonly string[], raw: Record<string, RawNode>, out: Diagnostic[]): Map<string, Override[]> {
  const byNode = new Map<string, Override[]>();
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    const lhs = eq === -1 ? '' : spec.slice(0, eq);
    const dot = lhs.indexOf('.');
    if (eq === -1 || dot <= 0 || dot === lhs.length - 1) {
      out.push({ code: 'override', message: `--set ${spec}: expected <node>.<param.path>=<value>` });
      continue;
    }
    const id = lhs.slice(0, dot);
    if (lhs.slice(dot + 1).split('.').some((seg) => UNSAFE_SEGMENTS.has(seg) || seg === '')) {
      out.push({ code: 'override', message: `--set ${spec}: invalid param path '${lhs.slice(dot + 1)}'` });
      continue;
    }
    if (!Object.hasOwn(raw, id)) {
      out.push({ code: 'override', message: `--set ${spec}: unknown node '${id}'`, hint: `nodes: ${Object.keys(raw).join(', ')}` });
      continue;
    }
    let value: unknown;
    try {
      value = parseYamlScalar(spec.slice(eq + 1));
    } catch (e) {
      out.push({ code: 'override', message: `--set ${spec}: ${String((e as Error).message).split('\n')[0]}` });
      continue;
    }
    const list = byNode.get(id) ?? [];
    list.push({ path: splitPath(lhs.slice(dot + 1)), value });
    byNode.set(id, list);
  }
  return byNode;
}

function schemaProps(schema: JsonSchema): string[] {
  const props = schema.properties;
  return typeof props === 'object' && props !== null ? Object.keys(props) : [];
}

function checkNode(
  src: YamlSource,
  id: string,
  node: RawNode,
  kinds: ReadonlyMap<string, NodeKind>,
  overrides: readonly Override[],
  out: Diagnostic[],
): Checked | undefined {
  const base: DocPath = ['nodes', id];
  if (typeof node.kind !== 'string') return undefined;
  const kind = kinds.get(node.kind);
  if (kind === undefined) {
    out.push({
      code: 'unknown-kind',
      message: `unknown node kind '${node.kind}'`,
      location: locate(src, [...base, 'kind']),
      hint: `known kinds: ${[...kinds.keys()].sort().join(', ')}`,
    });
    return undefined;
  }
  const owner = ` for kind '${kind.kind}'`;
  const params = structuredClone(
    typeof node.params === 'object' && node.params !== null && !Array.isArray(node.params) ? node.params : {},
  ) as Record<string, unknown>;
  for (const o of overrides) setPath(params, o.path, o.value);

  // Matrix axes must name params of the kind.
  const matrix: [string, unknown[]][] = [];
  const known = schemaProps(kind.params);
  const closed = kind.params.additionalProperties === false;
  if (typeof node.matrix === 'object' && node.matrix !== null) {
    for (const [axis, values] of Object.entries(node.matrix as Record<string, unknown>)) {
      const head = axis.split('.')[0] as string;
      if ((closed && !known.includes(head)) || axis.split('.').some((seg) => UNSAFE_SEGMENTS.has(seg) || seg === '')) {
        out.push({
          code: 'matrix',
          message: `matrix over unknown param '${axis}'${owner}`,
          location: locate(src, [...base, 'matrix', axis], 'key'),
          ...(known.length > 0 ? { hint: `known params: ${known.join(', ')}` } : {}),
        });
        continue;
      }
      if (!Array.isArray(values) || values.length === 0) continue;
      const seen = new Set<string>();
      values.forEach((v, i) => {
        const sig = canonicalJson(v);
        if (seen.has(sig)) {
          out.push({
            code: 'matrix',
            message: `matrix value ${formatAxisValue(v)} of '${axis}' is repeated`,
            location: locate(src, [...base, 'matrix', axis, i]),
          });
        }
        seen.add(sig);
      });
      matrix.push([axis, values]);
    }
  }

  // Validate params once per matrix value (other axes at their first value), errors pointing at the value.
  const variants: { params: Record<string, unknown>; axis?: string; index?: number }[] = [];
  if (matrix.length === 0) variants.push({ params });
  for (const [axis, values] of matrix) {
    values.forEach((v, index) => {
      const p = structuredClone(params);
      for (const [a, vs] of matrix) setPath(p, a.split('.'), a === axis ? v : vs[0]);
      variants.push({ params: p, axis, index });
    });
  }
  const before = out.length;
  for (const variant of variants) {
    const validate = validator(kind.params);
    if (validate(variant.params)) continue;
    const diags = schemaDiagnostics(validate.errors ?? [], {
      source: src,
      base,
      noun: 'param',
      owner,
      remap: (p) =>
        variant.axis !== undefined && p.join('.').startsWith(variant.axis) ? ['matrix', variant.axis, variant.index as number] : ['params', ...p],
      knownProperties: (p) => (p.length === 0 ? known : []),
    });
    for (const raw of diags) {
      const fromSet = overrides.find((o) => raw.message.includes(`'${o.path.join('.')}`));
      const d = fromSet !== undefined ? { ...raw, message: `${raw.message} (set by --set ${id}.${fromSet.path.join('.')})` } : raw;
      if (!out.slice(before).some((x) => x.message === d.message && x.location?.line === d.location?.line)) out.push(d);
    }
  }
  const paramsOk = out.length === before;
  const outputs = checkOutputs(src, base, kind, node.outputs, out);
  const inputs = checkInputNames(src, base, kind, node.inputs, out);
  if (!paramsOk) return undefined;
  const res = (node.resources ?? {}) as { cpu?: number; gpu?: number };
  return {
    id,
    kind,
    params,
    matrix,
    inputs,
    outputs,
    resources: { cpu: res.cpu ?? kind.resources?.cpu ?? 1, gpu: res.gpu ?? kind.resources?.gpu ?? 0 },
  };
}

function checkOutputs(src: YamlSource, base: DocPath, kind: NodeKind, declared: unknown, out: Diagnostic[]): string[] {
  const list = Array.isArray(declared) ? declared.filter((x): x is string => typeof x === 'string') : undefined;
  if (kind.outputs !== '*') {
    if (list !== undefined && canonicalJson(list) !== canonicalJson(kind.outputs)) {
      out.push({
        code: 'output-name',
        message: `kind '${kind.kind}' declares its own outputs (${kind.outputs.join(', ') || 'none'}); remove 'outputs'`,
        location: locate(src, [...base, 'outputs'], 'key'),
      });
    }
    return [...kind.outputs];
  }
  (list ?? []).forEach((name, i) => {
    const escapes = isAbsolute(name) || name.split(/[\\/]/).includes('..') || /^[A-Za-z]:/.test(name);
    if (escapes) {
      out.push({ code: 'output-name', message: `output name '${name}' would escape the store`, location: locate(src, [...base, 'outputs', i]) });
    } else if (!OUTPUT_NAME.test(name) || name.includes('..')) {
      out.push({
        code: 'output-name',
        message: `invalid output name '${name}' (letters, digits, '_', '-' and '.', not starting with '.' or '-')`,
        location: locate(src, [...base, 'outputs', i]),
      });
    }
  });
  return list ?? [];
}

function checkInputNames(
  src: YamlSource,
  base: DocPath,
  kind: NodeKind,
  raw: unknown,
  out: Diagnostic[],
): Record<string, RawRef> {
  const inputs: Record<string, RawRef> = {};
  const given = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  for (const [name, ref] of Object.entries(given)) {
    if (kind.inputs !== '*' && !kind.inputs.includes(name)) {
      out.push({
        code: 'unknown-input',
        message: `unknown input '${name}' for kind '${kind.kind}'`,
        location: locate(src, [...base, 'inputs', name], 'key'),
        hint: kind.inputs.length > 0 ? `inputs of ${kind.kind}: ${kind.inputs.join(', ')}` : `kind '${kind.kind}' takes no inputs`,
      });
      continue;
    }
    if (typeof ref !== 'string') continue;
    const dot = ref.indexOf('.');
    if (dot <= 0 || dot === ref.length - 1) {
      out.push({
        code: 'unknown-output',
        message: `input '${name}' must reference '<node>.<output>', got '${ref}'`,
        location: locate(src, [...base, 'inputs', name]),
      });
      continue;
    }
    const nodePart = ref.slice(0, dot);
    const gather = nodePart.endsWith('[*]');
    inputs[name] = { node: gather ? nodePart.slice(0, -3) : nodePart, output: ref.slice(dot + 1), gather };
  }
  if (kind.inputs !== '*') {
    const missing = kind.inputs.filter((n) => !(n in given) && !(kind.optionalInputs ?? []).includes(n));
    if (missing.length > 0) {
      out.push({
        code: 'missing-input',
        message: `missing input${missing.length > 1 ? 's' : ''} ${missing.map((m) => `'${m}'`).join(', ')} for kind '${kind.kind}'`,
        location: locate(src, given === raw ? [...base, 'inputs'] : base, 'key'),
      });
    }
  }
  return inputs;
}

function checkReferences(src: YamlSource, raw: Record<string, RawNode>, checked: Map<string, Checked>, out: Diagnostic[]): void {
  for (const c of checked.values()) {
    for (const [name, ref] of Object.entries(c.inputs)) {
      const location = locate(src, ['nodes', c.id, 'inputs', name]);
      if (!Object.hasOwn(raw, ref.node)) {
        out.push({ code: 'unknown-node', message: `input '${name}' refers to unknown node '${ref.node}'`, location, hint: `nodes: ${Object.keys(raw).join(', ')}` });
        continue;
      }
      const target = checked.get(ref.node);
      if (target !== undefined && !target.outputs.includes(ref.output)) {
        out.push({
          code: 'unknown-output',
          message: `input '${name}' refers to unknown output '${ref.node}.${ref.output}'`,
          location,
          hint: target.outputs.length > 0 ? `outputs of ${ref.node}: ${target.outputs.join(', ')}` : `node '${ref.node}' has no outputs`,
        });
      }
    }
  }
}

function checkCycles(src: YamlSource, checked: Map<string, Checked>, out: Diagnostic[]): void {
  const state = new Map<string, 'active' | 'done'>();
  const stack: string[] = [];
  const reported = new Set<string>();
  const visit = (id: string): void => {
    state.set(id, 'active');
    stack.push(id);
    const node = checked.get(id);
    for (const [name, ref] of Object.entries(node?.inputs ?? {})) {
      const s = state.get(ref.node);
      if (s === 'active') {
        const cycle = [...stack.slice(stack.indexOf(ref.node)), ref.node];
        const sig = [...new Set(cycle)].sort().join(',');
        if (!reported.has(sig)) {
          reported.add(sig);
          // Printed in data-flow order: each node feeds the next.
          out.push({
            code: 'cycle',
            message: `dependency cycle: ${[...cycle].reverse().join(' -> ')}`,
            location: locate(src, ['nodes', id, 'inputs', name]),
          });
        }
      } else if (s === undefined && checked.has(ref.node)) {
        visit(ref.node);
      }
    }
    stack.pop();
    state.set(id, 'done');
  };
  for (const id of checked.keys()) if (!state.has(id)) visit(id);
}

/** Kahn's algorithm, picking ready nodes in declaration order (stable, readable plans). */
function topoOrder(checked: Map<string, Checked>): Checked[] {
  const order: Checked[] = [];
  const done = new Set<string>();
  const pending = [...checked.values()];
  while (pending.length > 0) {
    const i = pending.findIndex((c) => Object.values(c.inputs).every((r) => done.has(r.node)));
    if (i === -1) throw new Error('Internal error: cycle survived validation');
    const [c] = pending.splice(i, 1) as [Checked];
    order.push(c);
    done.add(c.id);
  }
  return order;
}

type Axis = readonly [string, readonly unknown[]];

function formatAxisValue(v: unknown): string {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : canonicalJson(v);
}

function expand(
  src: YamlSource,
  order: readonly Checked[],
  pipelineSeed: number,
  dir: string,
  out: Diagnostic[],
  files: Set<string>,
): NodeInstance[] {
  const axesOf = new Map<string, Axis[]>();
  const instancesOf = new Map<string, Map<string, string>>(); // base id → binding signature → instance id
  const result: NodeInstance[] = [];
  const fileHashes = new Map<string, string | Error>();
  for (const c of order) {
    // A dependent of a matrixed node is expanded along the same axes; equal axis names are aligned, not crossed.
    const axes: Axis[] = [];
    let conflict = false;
    const addAxis = (axis: Axis, from: string, where: DocPath): void => {
      const existing = axes.find(([n]) => n === axis[0]);
      if (existing === undefined) axes.push(axis);
      else if (canonicalJson(existing[1]) !== canonicalJson(axis[1])) {
        conflict = true;
        out.push({
          code: 'matrix',
          message: `matrix axis '${axis[0]}' of node '${c.id}' has different values in '${from}'`,
          location: locate(src, ['nodes', c.id, ...where], 'key'),
          hint: 'a node is expanded along the matrix axes of its inputs; axes with the same name must have the same values',
        });
      }
    };
    for (const [name, ref] of Object.entries(c.inputs)) {
      if (ref.gather) continue; // a gathered input collects every instance instead of following its axes
      for (const axis of axesOf.get(ref.node) ?? []) addAxis(axis, ref.node, ['inputs', name]);
    }
    for (const axis of c.matrix) addAxis(axis, c.id, ['matrix', axis[0]]);
    if (conflict) return result;
    axesOf.set(c.id, axes);
    const ids = new Map<string, string>();
    instancesOf.set(c.id, ids);
    for (const binding of cartesian(axes)) {
      const id = axes.length === 0 ? c.id : `${c.id}[${axes.map(([n]) => `${n}=${formatAxisValue(binding[n])}`).join(',')}]`;
      const params = structuredClone(c.params);
      for (const [axis] of c.matrix) setPath(params, axis.split('.'), binding[axis]);
      validator(c.kind.params)(params); // applies schema defaults (already validated)
      const keyParams = structuredClone(params);
      const instanceFiles: string[] = [];
      for (const pattern of c.kind.fileParams ?? []) {
        for (const path of expandPath(params, pattern.split('.'))) {
          const written = getPath(params, path);
          if (typeof written !== 'string') continue;
          const absPath = resolve(dir, written);
          let digest = fileHashes.get(absPath);
          if (digest === undefined) {
            try {
              if (!statSync(absPath).isFile()) throw new Error('not a regular file');
              digest = sha256(readFileSync(absPath));
            } catch (e) {
              digest = e instanceof Error ? e : new Error(String(e));
            }
            fileHashes.set(absPath, digest);
          }
          files.add(absPath);
          if (digest instanceof Error) {
            const why = (digest as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : `cannot read file (${digest.message})`;
            const d: Diagnostic = { code: 'file-param', message: `param '${path.join('.')}': ${why}: ${written}`, location: locate(src, ['nodes', c.id, 'params', ...path]) };
            if (!out.some((x) => x.message === d.message)) out.push(d);
            continue;
          }
          replaceAt(params, path, absPath);
          replaceAt(keyParams, path, { $file: written, sha256: digest });
          instanceFiles.push(absPath);
        }
      }
      const inputs: Record<string, InputRef> = {};
      for (const [name, ref] of Object.entries(c.inputs)) {
        if (ref.gather) {
          const all = [...(instancesOf.get(ref.node)?.values() ?? [])];
          const labels = new Set<string>();
          const gather = all.map((node) => {
            let label = gatherLabel(node, ref.node);
            while (labels.has(label)) label = `${label}_`;
            labels.add(label);
            return { label, node };
          });
          inputs[name] = { node: ref.node, output: ref.output, gather };
          continue;
        }
        const upstreamAxes = axesOf.get(ref.node) ?? [];
        const sig = canonicalJson(upstreamAxes.map(([n]) => binding[n]));
        const upstream = instancesOf.get(ref.node)?.get(sig);
        if (upstream === undefined) throw new Error(`Internal error: no instance of ${ref.node} for ${sig}`);
        inputs[name] = { node: upstream, output: ref.output };
      }
      ids.set(canonicalJson(axes.map(([n]) => binding[n])), id);
      result.push({
        id,
        baseId: c.id,
        kind: c.kind,
        params,
        keyParams,
        inputs,
        outputs: c.outputs,
        resources: c.resources,
        seed: deriveSeed(pipelineSeed, c.id, keyParams),
        binding,
        files: instanceFiles,
      });
    }
  }
  return result;
}

/** The entry name of one gathered instance: its axis values (`seed=1,lr=0.1`), made safe as a file name. */
function gatherLabel(instanceId: string, baseId: string): string {
  const inner = instanceId === baseId ? baseId : instanceId.slice(baseId.length + 1, -1);
  return inner.replace(/[\\/]/g, '_').replace(/^\./, '_');
}

function cartesian(axes: readonly Axis[]): Record<string, unknown>[] {
  let acc: Record<string, unknown>[] = [{}];
  for (const [name, values] of axes) acc = acc.flatMap((b) => values.map((v) => ({ ...b, [name]: v })));
  return acc;
}
