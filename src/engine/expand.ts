/**
 * Matrix expansion: one instance per combination of a node's axes. A node that takes a plain reference to a
 * matrixed node is expanded along the same axes (axes with the same name are aligned, not crossed); a gathered
 * reference (`node[*].output`) collects every instance instead, and a selecting one (`node[axis=value].output`) fixes
 * the axes it names. File (and folder) params are resolved relative to the pipeline file and hashed into the key
 * params here.
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { canonicalJson } from './canonical-json.js';
import type { Checked } from './checked-node.js';
import type { Diagnostic } from './diagnostics.js';
import { paramDigest } from './file-digest.js';
import { expandPath, getPath, replaceAt, setPath } from './params-path.js';
import type { InputRef, NodeInstance } from './pipeline.js';
import { deriveSeed } from './seed.js';
import { locate } from './source-map.js';
import type { DocPath, YamlSource } from './source-map.js';
import { keyDefaultsSchema, validator } from './validate.js';

type Axis = readonly [string, readonly unknown[]];

/**
 * The most node instances a pipeline may expand to: far above any study (the paper's whole grid is a few hundred),
 * low enough that a matrix typo (three axes of 100 values) is an error in a second, not a load that never ends.
 */
export const MAX_INSTANCES = 10_000;

/**
 * An axis value as shown in instance ids (`seed=1`). A string that contains the id's own delimiters (`,` `=` `[` `]`
 * `"`), spaces or control characters, or is empty, is written quoted, so `x,env.B=y` can never read as two bindings.
 */
export function formatAxisValue(v: unknown): string {
  if (typeof v === 'string') return v !== '' && !/[,=[\]"\s\p{Cc}]/u.test(v) ? v : JSON.stringify(v);
  return typeof v === 'number' || typeof v === 'boolean' ? String(v) : canonicalJson(v);
}

/** Expands checked nodes (in topological order) into instances; diagnostics for conflicting axes and missing files. */
export function expand(
  src: YamlSource,
  order: readonly Checked[],
  pipelineSeed: number,
  dir: string,
  out: Diagnostic[],
  files: Set<string>,
  /** The pipeline's store: big file params' digests are memoized there. */
  store: string | null = null,
): NodeInstance[] {
  const axesOf = new Map<string, Axis[]>();
  const instancesOf = new Map<string, Map<string, string>>(); // base id → binding signature → instance id
  const result: NodeInstance[] = [];
  const fileHashes = new Map<string, string | Error>();
  let total = 0;
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
    // A selecting input fixes the axes it names (checked here, located at the input); it follows the others.
    const fixed = new Map<string, Record<string, unknown>>();
    for (const [name, ref] of Object.entries(c.inputs)) {
      if (ref.gather) continue; // a gathered input collects every instance instead of following its axes
      const upstream = axesOf.get(ref.node) ?? [];
      if (ref.select !== undefined) {
        const chosen = selectAxes(ref.node, ref.select, upstream);
        if (typeof chosen === 'string') {
          conflict = true;
          out.push({ code: 'selector', message: `input '${name}': ${chosen}`, location: locate(src, ['nodes', c.id, 'inputs', name]), hint: axesHint(ref.node, upstream) });
          continue;
        }
        fixed.set(name, chosen);
      }
      for (const axis of upstream) if (ref.select === undefined || !Object.hasOwn(ref.select, axis[0])) addAxis(axis, ref.node, ['inputs', name]);
    }
    for (const axis of c.matrix) addAxis(axis, c.id, ['matrix', axis[0]]);
    if (conflict) return result;
    const count = axes.reduce((n, [, values]) => n * values.length, 1);
    if (total + count > MAX_INSTANCES) {
      const sizes = axes.map(([n, values]) => `${values.length} ${n}`).join(' × ');
      out.push({
        code: 'matrix',
        message: `node '${c.id}' would expand to ${count} instances (${sizes})${total > 0 ? `, ${total + count} in the pipeline` : ''}; at most ${MAX_INSTANCES} are allowed`,
        location: locate(src, ['nodes', c.id, ...(c.matrix.length > 0 ? ['matrix'] : [])], 'key'),
        hint: 'a matrix crosses every axis with every other: split the sweep into several pipelines, or use fewer values',
      });
      return result;
    }
    total += count;
    axesOf.set(c.id, axes);
    const ids = new Map<string, string>();
    const names = new Set<string>();
    instancesOf.set(c.id, ids);
    for (const binding of cartesian(axes)) {
      const id = axes.length === 0 ? c.id : `${c.id}[${axes.map(([n]) => `${n}=${formatAxisValue(binding[n])}`).join(',')}]`;
      if (names.has(id)) {
        // Distinct values that print alike (the string '1' and the number 1): ids must name one instance each.
        out.push({ code: 'matrix', message: `two matrix instances of '${c.id}' would both be named ${id}; make the axis values distinct in type and text`, location: locate(src, ['nodes', c.id, 'matrix']) });
        continue;
      }
      const params = structuredClone(c.params);
      for (const [axis] of c.matrix) setPath(params, axis.split('.'), binding[axis]);
      // Both apply schema defaults (already validated): the key gets only those marked to be in it, the node all.
      const keyParams = structuredClone(params);
      validator(keyDefaultsSchema(c.kind.params))(keyParams);
      validator(c.kind.params)(params);
      const instanceFiles: string[] = [];
      let patterns = [...(c.kind.fileParams ?? []).map((p) => [p, false] as const), ...(c.kind.folderParams ?? []).map((p) => [p, true] as const)];
      if (c.kind.checkFiles !== undefined) {
        // The kind's own checks on its files (e.g. a model folder is complete), before any of them is hashed.
        const resolved = structuredClone(params);
        for (const [pattern] of patterns) {
          for (const path of expandPath(resolved, pattern.split('.'))) {
            const written = getPath(resolved, path);
            if (typeof written === 'string') replaceAt(resolved, path, resolve(dir, written));
          }
        }
        const problems = c.kind.checkFiles(resolved);
        for (const p of problems) {
          const d: Diagnostic = { code: 'file-param', message: `param '${p.path.join('.')}': ${p.message}`, location: locate(src, ['nodes', c.id, 'params', ...p.path]) };
          if (!out.some((x) => x.message === d.message)) out.push(d);
        }
        if (problems.length > 0) patterns = []; // reported: nothing to hash (the pipeline will not run)
      }
      for (const [pattern, folderOk] of patterns) {
        for (const path of expandPath(params, pattern.split('.'))) {
          const written = getPath(params, path);
          if (typeof written !== 'string') continue;
          const absPath = resolve(dir, written);
          let digest = fileHashes.get(absPath);
          if (digest === undefined) {
            try {
              if (!folderOk && !statSync(absPath).isFile()) throw new Error('not a regular file');
              digest = paramDigest(absPath, store);
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
        const pinned = fixed.get(name) ?? {};
        const sig = canonicalJson(upstreamAxes.map(([n]) => (Object.hasOwn(pinned, n) ? pinned[n] : binding[n])));
        const upstream = instancesOf.get(ref.node)?.get(sig);
        if (upstream === undefined) throw new Error(`Internal error: no instance of ${ref.node} for ${sig}`);
        inputs[name] = { node: upstream, output: ref.output };
      }
      ids.set(canonicalJson(axes.map(([n]) => binding[n])), id);
      names.add(id);
      result.push({
        id,
        baseId: c.id,
        kind: c.kind,
        params,
        keyParams,
        inputs,
        outputs: c.outputs,
        resources: c.resources,
        ...(c.priority !== undefined ? { priority: c.priority } : {}),
        seed: deriveSeed(pipelineSeed, c.id, keyParams),
        binding,
        overrides: {},
        files: instanceFiles,
      });
    }
  }
  return result;
}

/** The axis values a selector names (as typed values), or why it names none of `node`'s instances. */
function selectAxes(node: string, select: Readonly<Record<string, string>>, axes: readonly Axis[]): Record<string, unknown> | string {
  const chosen: Record<string, unknown> = {};
  for (const [axis, text] of Object.entries(select)) {
    const values = axes.find(([n]) => n === axis)?.[1];
    if (values === undefined) return axes.length === 0 ? `node '${node}' has no matrix axes to select` : `node '${node}' has no matrix axis '${axis}'`;
    const hit = values.find((v) => formatAxisValue(v) === text);
    if (hit === undefined) return `no instance of '${node}' has ${axis}=${text}`;
    chosen[axis] = hit;
  }
  return chosen;
}

function axesHint(node: string, axes: readonly Axis[]): string {
  return axes.length === 0 ? `'${node}' is a single instance: reference it as ${node}.<output>` : `instances of ${node}: ${axes.map(([n, vs]) => `${n} ∈ {${vs.map(formatAxisValue).join(', ')}}`).join('; ')}`;
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
