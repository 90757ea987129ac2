/**
 * Loads a pipeline file: YAML (with source ranges) → schema checks → kinds, params, outputs, references, cycles,
 * matrix expansion, file params → a `Pipeline` of node instances. Every problem becomes a located diagnostic and all
 * of them are returned at once; nothing here writes anywhere.
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYamlScalar } from 'yaml';
import { canonicalJson } from './canonical-json.js';
import { clip } from './clip.js';
import type { Checked, GraphNode, RawRef } from './checked-node.js';
import { nameList } from './diagnostics.js';
import type { Diagnostic } from './diagnostics.js';
import { expand, formatAxisValue } from './expand.js';
import { parseInputRef } from './input-ref.js';
import { checkCycles, checkReferences, soundNodes, topoOrder } from './graph-checks.js';
import type { JsonSchema, NodeKind, NodeLibrary, Resources } from './node-kind.js';
import { ParamPathError, setPath, splitPath, UNSAFE_SEGMENTS } from './params-path.js';
import { attachProvenance, gitCommit, pipelineFileLabel } from './provenance.js';
import type { Pipeline } from './pipeline.js';
import { readPipelineFile } from './pipeline-file.js';
import { locate, parseYaml } from './source-map.js';
import type { DocPath, YamlSource } from './source-map.js';
import { plainNestingMessage, shapeProblems } from './yaml-shape.js';
import { storeLocationProblem } from './store/location.js';
import { closest } from '../util/did-you-mean.js';
import { pipelineSchemaObject, schemaDiagnostics, validator } from './validate.js';
import { inheritPriorities } from './priority.js';

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
  readonly priority?: unknown;
}

const NODE_ID = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const OUTPUT_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/** Loads and validates `file` against `opts.library`. Never throws for user mistakes. */
export function loadPipeline(file: string, opts: LoadOptions): LoadResult {
  const abs = resolve(file);
  const sources = new Map<string, string>();
  const read = readPipelineFile(abs);
  if ('error' in read) return { diagnostics: [{ code: 'io', message: `cannot read pipeline ${file}: ${read.error}` }], sources, files: [abs] };
  const { text } = read;
  sources.set(abs, text);
  const parsed = parseYaml(abs, text);
  if (parsed.diagnostics.length > 0) return { diagnostics: parsed.diagnostics.map(plainNestingMessage), sources, files: [abs] };
  const shape = shapeProblems(parsed.source);
  if (shape.length > 0) return { diagnostics: shape, sources, files: [abs] };
  const src = parsed.source;
  const value = parsed.value;
  const diagnostics: Diagnostic[] = [];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const location = locate(src, []);
    diagnostics.push({ code: 'schema', message: "a pipeline must be a YAML mapping with 'name' and 'nodes'", location });
    return { diagnostics, sources, files: [abs] };
  }
  // Numbers must be finite (.nan, .inf and 1e400 cannot be hashed into a key or given to a node).
  for (const path of nonFinitePaths(value)) {
    diagnostics.push({ code: 'schema', message: `not a finite number: ${String(getAt(value, path))} (write a number between -1.8e308 and 1.8e308)`, location: locate(src, path) });
  }
  if (diagnostics.length > 0) return { diagnostics, sources, files: [abs] };
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

  // One pass reports every independent error: each node's own checks, then references and cycles over every
  // node (valid or not), then expansion of the sound part (file params, matrix axes). Only what cannot be checked
  // is skipped (e.g. the params of an unknown kind).
  const checked = new Map<string, Checked>();
  const graph = new Map<string, GraphNode>();
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
    const kind = kinds.get((node as RawNode).kind as string);
    graph.set(id, {
      id,
      refs: c.refs,
      ...(c.outputs !== undefined ? { outputs: c.outputs } : {}),
      ...(kind?.inputFormats !== undefined ? { inputFormats: kind.inputFormats } : {}),
      ...(kind?.outputFormats !== undefined ? { outputFormats: kind.outputFormats } : {}),
    });
    if (c.checked !== undefined) checked.set(id, c.checked);
  }
  checkReferences(src, raw, graph, diagnostics);
  checkCycles(src, graph, diagnostics);

  const dir = dirname(abs);
  const seed = typeof top.seed === 'number' ? top.seed : 0;
  const files = new Set<string>([abs]);
  const sound = diagnostics.length === 0 ? checked : soundNodes(graph, checked);
  // `store:` is relative to the pipeline file; `--store` to the working directory.
  const store = opts.store !== undefined ? resolve(opts.store) : resolve(dir, typeof top.store === 'string' ? top.store : 'artifacts');
  const expanded = expand(src, topoOrder(sound), seed, dir, diagnostics, files, store);
  if (diagnostics.length > 0) return { diagnostics, sources, files: [...files] };
  const applied = [...overrides.entries()].flatMap(([node, list]) => list.map((o) => ({ node, path: o.path.join('.'), value: o.value, text: o.text })));
  const instances = attachProvenance(inheritPriorities(expanded), applied, { file: pipelineFileLabel(abs), name: String(top.name), commit: () => gitCommit(dir) });
  const storeProblem = storeLocationProblem(opts.store !== undefined ? opts.store : store);
  if (storeProblem !== undefined) {
    const location = opts.store === undefined && typeof top.store === 'string' ? { location: locate(src, ['store']) } : {};
    return { diagnostics: [{ code: 'store', message: opts.store !== undefined ? `--store: ${storeProblem}` : storeProblem, ...location }], sources, files: [...files] };
  }
  const pipeline: Pipeline = { name: String(top.name), file: abs, seed, store, instances };
  return { pipeline, diagnostics, sources, files: [...files] };
}

type Override = { readonly path: string[]; readonly value: unknown; readonly text: string };

function parseOverrides(specs: readonly string[], raw: Record<string, RawNode>, out: Diagnostic[]): Map<string, Override[]> {
  const byNode = new Map<string, Override[]>();
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    const lhs = eq === -1 ? '' : spec.slice(0, eq);
    const dot = lhs.indexOf('.');
    if (eq === -1 || dot <= 0 || dot === lhs.length - 1) {
      out.push({ code: 'override', message: `--set ${clip(spec)}: expected <node>.<param.path>=<value>` });
      continue;
    }
    const id = lhs.slice(0, dot);
    if (lhs.slice(dot + 1).split('.').some((seg) => UNSAFE_SEGMENTS.has(seg) || seg === '')) {
      out.push({ code: 'override', message: `--set ${clip(spec)}: invalid param path '${lhs.slice(dot + 1)}'` });
      continue;
    }
    if (!Object.hasOwn(raw, id)) {
      out.push({ code: 'override', message: `--set ${clip(spec)}: unknown node '${id}'`, hint: `nodes: ${nameList(Object.keys(raw))}` });
      continue;
    }
    let value: unknown;
    try {
      value = parseYamlScalar(spec.slice(eq + 1));
    } catch (e) {
      out.push({ code: 'override', message: `--set ${clip(spec)}: ${String((e as Error).message).split('\n')[0]}` });
      continue;
    }
    if (nonFinitePaths(value).length > 0) {
      out.push({ code: 'override', message: `--set ${clip(spec)}: not a finite number (write a number between -1.8e308 and 1.8e308)` });
      continue;
    }
    const list = byNode.get(id) ?? [];
    list.push({ path: splitPath(lhs.slice(dot + 1)), value, text: spec });
    byNode.set(id, list);
  }
  return byNode;
}

function schemaProps(schema: JsonSchema): string[] {
  const props = schema.properties;
  return typeof props === 'object' && props !== null ? Object.keys(props) : [];
}

/** A node's own checks: `checked` only when it has no errors; `refs` and (with a known kind) `outputs` always. */
interface NodeCheck {
  readonly checked?: Checked;
  readonly refs: Record<string, RawRef>;
  readonly outputs?: readonly string[];
}

function checkNode(
  src: YamlSource,
  id: string,
  node: RawNode,
  kinds: ReadonlyMap<string, NodeKind>,
  overrides: readonly Override[],
  out: Diagnostic[],
): NodeCheck {
  const base: DocPath = ['nodes', id];
  const kind = typeof node.kind === 'string' ? kinds.get(node.kind) : undefined;
  if (typeof node.kind === 'string' && kind === undefined) {
    out.push({
      code: 'unknown-kind',
      message: `unknown node kind '${node.kind}'${didYouMean(node.kind, [...kinds.keys()])}`,
      location: locate(src, [...base, 'kind']),
      hint: `known kinds: ${[...kinds.keys()].sort().join(', ')}`,
    });
  }
  // Without a kind its params, input names and outputs cannot be checked; its references still can.
  if (kind === undefined) return { refs: checkInputs(src, base, undefined, node.inputs, out).refs };
  const first = out.length;
  const owner = ` for kind '${kind.kind}'`;
  const params = structuredClone(
    typeof node.params === 'object' && node.params !== null && !Array.isArray(node.params) ? node.params : {},
  ) as Record<string, unknown>;
  for (const o of overrides) {
    try {
      setPath(params, o.path, o.value);
    } catch (e) {
      if (!(e instanceof ParamPathError)) throw e;
      out.push({ code: 'override', message: `--set ${clip(`${id}.${o.path.join('.')}`)}: ${e.message}` });
    }
  }

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
      try {
        setPath(structuredClone(params), axis.split('.'), values[0]);
      } catch (e) {
        if (!(e instanceof ParamPathError)) throw e;
        out.push({ code: 'matrix', message: `matrix axis ${e.message}`, location: locate(src, [...base, 'matrix', axis], 'key') });
        continue;
      }
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
  // Copies: validation fills in defaults, and the node's params stay as written (expand decides which enter the key).
  if (matrix.length === 0) variants.push({ params: structuredClone(params) });
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
    const remap = (p: DocPath): DocPath =>
      variant.axis !== undefined && p.join('.').startsWith(variant.axis) ? ['matrix', variant.axis, variant.index as number] : ['params', ...p];
    // validate() applies the schema's defaults to the variant (a copy), so kind checks see what the node will see.
    const diags = validate(variant.params)
      ? paramProblems(kind, variant.params, src, base, remap)
      : schemaDiagnostics(validate.errors ?? [], {
          source: src,
          base,
          noun: 'param',
          owner,
          remap,
          knownProperties: (p) => (p.length === 0 ? known : []),
        });
    for (const raw of diags) {
      const fromSet = overrides.find((o) => raw.message.includes(`'${o.path.join('.')}`));
      const d = fromSet !== undefined ? { ...raw, message: `${raw.message} (set by --set ${id}.${fromSet.path.join('.')})` } : raw;
      if (!out.slice(before).some((x) => x.message === d.message && x.location?.line === d.location?.line)) out.push(d);
    }
  }
  const outputs = checkOutputs(src, base, kind, node.outputs, out);
  const { refs, inputs } = checkInputs(src, base, kind, node.inputs, out);
  if (out.length > first) return { refs, outputs };
  const res = (node.resources ?? {}) as Resources;
  const mem = res.mem ?? kind.resources?.mem;
  const time = res.time ?? kind.resources?.time;
  return {
    checked: {
      id,
      kind,
      params,
      matrix,
      inputs,
      outputs,
      ...(typeof node.priority === 'number' && node.priority !== 0 ? { priority: node.priority } : {}),
      resources: {
        cpu: res.cpu ?? kind.resources?.cpu ?? 1,
        gpu: res.gpu ?? kind.resources?.gpu ?? 0,
        ...(mem !== undefined ? { mem } : {}),
        ...(time !== undefined ? { time } : {}),
      },
    },
    refs,
    outputs,
  };
}

/** The kind's own checks (`NodeKind.checkParams`) on schema-valid params, as located diagnostics. */
function paramProblems(kind: NodeKind, params: Record<string, unknown>, src: YamlSource, base: DocPath, remap: (p: DocPath) => DocPath): Diagnostic[] {
  if (kind.checkParams === undefined) return [];
  return kind.checkParams(params).map((p) => ({
    code: 'bad-param' as const,
    message: `param '${p.path.join('.')}' ${p.message}`,
    location: locate(src, [...base, ...remap([...p.path])], 'value'),
  }));
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

/**
 * Input references (`node.output`, `node[*].output`, `node[axis=value].output`) as edges (`refs`, every well-formed one), and with a known kind
 * the inputs it accepts (`inputs`), reporting unknown and missing input names.
 */
function checkInputs(
  src: YamlSource,
  base: DocPath,
  kind: NodeKind | undefined,
  raw: unknown,
  out: Diagnostic[],
): { refs: Record<string, RawRef>; inputs: Record<string, RawRef> } {
  const refs: Record<string, RawRef> = {};
  const inputs: Record<string, RawRef> = {};
  const given = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  for (const [name, ref] of Object.entries(given)) {
    const unknown = kind !== undefined && kind.inputs !== '*' && !kind.inputs.includes(name);
    if (unknown) {
      out.push({
        code: 'unknown-input',
        message: `unknown input '${name}' for kind '${kind.kind}'`,
        location: locate(src, [...base, 'inputs', name], 'key'),
        hint: kind.inputs.length > 0 ? `inputs of ${kind.kind}: ${kind.inputs.join(', ')}` : `kind '${kind.kind}' takes no inputs`,
      });
    }
    if (typeof ref !== 'string') continue;
    const edge = parseInputRef(ref);
    if (typeof edge === 'string') {
      out.push({ code: 'unknown-output', message: `input '${name}' ${edge}`, location: locate(src, [...base, 'inputs', name]) });
      continue;
    }
    refs[name] = edge;
    if (!unknown) inputs[name] = edge;
  }
  if (kind !== undefined && kind.inputs !== '*') {
    const missing = kind.inputs.filter((n) => !(n in given) && !(kind.optionalInputs ?? []).includes(n));
    if (missing.length > 0) {
      out.push({
        code: 'missing-input',
        message: `missing input${missing.length > 1 ? 's' : ''} ${missing.map((m) => `'${m}'`).join(', ')} for kind '${kind.kind}'`,
        location: locate(src, given === raw ? [...base, 'inputs'] : base, 'key'),
      });
    }
    const choices = kind.oneOfInputs ?? [];
    const chosen = choices.filter((n) => n in given);
    if (choices.length > 0 && chosen.length !== 1) {
      out.push({
        code: 'missing-input',
        message: `kind '${kind.kind}' takes exactly one of ${choices.map((c) => `'${c}'`).join(', ')}${chosen.length > 1 ? `; ${chosen.map((c) => `'${c}'`).join(' and ')} are wired` : ''}`,
        location: locate(src, given === raw ? [...base, 'inputs'] : base, 'key'),
      });
    }
  }
  return { refs, inputs };
}

/** Paths (in the parsed document) of numbers that are NaN or infinite. */
function nonFinitePaths(value: unknown, at: DocPath = []): DocPath[] {
  if (typeof value === 'number') return Number.isFinite(value) ? [] : [at];
  if (typeof value !== 'object' || value === null) return [];
  const out: DocPath[] = [];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...nonFinitePaths(v, [...at, i])));
  else for (const [k, v] of Object.entries(value)) out.push(...nonFinitePaths(v, [...at, k]));
  return out;
}

function getAt(value: unknown, path: DocPath): unknown {
  return path.reduce<unknown>((v, k) => (typeof v === 'object' && v !== null ? (v as Record<string | number, unknown>)[k] : undefined), value);
}

/** ` (did you mean x?)` when a known name is close to `name`, else ''. */
function didYouMean(name: string, known: readonly string[]): string {
  const near = closest(name, known);
  return near.length > 0 ? ` (did you mean ${near.join(' or ')}?)` : '';
}
