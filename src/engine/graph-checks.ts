/**
 * Whole-graph checks over every node, valid or not, so one pass reports every independent error: references to
 * missing nodes or outputs, dependency cycles (reported with their path); then the subset of sound nodes and a
 * stable topological order (declaration order where the DAG allows).
 */
import type { Checked, GraphNode, RawRef } from './checked-node.js';
import { nameList } from './diagnostics.js';
import type { Diagnostic, SourceLocation } from './diagnostics.js';
import { locate } from './source-map.js';
import type { YamlSource } from './source-map.js';

/**
 * Whether an input declared as `wanted` takes an output declared as `given`: the same format, or one the input
 * narrows by adding to its words (eval.curve takes a model folder "… with snapshots").
 */
export function takesFormat(wanted: string, given: string): boolean {
  return wanted.startsWith(given);
}

/**
 * Every input must name an existing node and one of its outputs, in a format the input takes where both kinds
 * declare theirs. Outputs are checked wherever the target's kind is known, even if the target has errors of its own.
 */
export function checkReferences(src: YamlSource, raw: Readonly<Record<string, unknown>>, graph: ReadonlyMap<string, GraphNode>, out: Diagnostic[]): void {
  let nodesHint: string | undefined;
  for (const g of graph.values()) {
    for (const [name, ref] of Object.entries(g.refs)) {
      // Located only on error: a lookup walks the nodes map, which would make valid pipelines quadratic.
      const location = (): SourceLocation => locate(src, ['nodes', g.id, 'inputs', name]);
      if (!Object.hasOwn(raw, ref.node)) {
        out.push({ code: 'unknown-node', message: `input '${name}' refers to unknown node '${ref.node}'`, location: location(), hint: (nodesHint ??= `nodes: ${nameList(Object.keys(raw))}`) });
        continue;
      }
      const outputs = graph.get(ref.node)?.outputs;
      if (outputs !== undefined && !outputs.includes(ref.output)) {
        out.push({
          code: 'unknown-output',
          message: `input '${name}' refers to unknown output '${ref.node}.${ref.output}'`,
          location: location(),
          hint: outputs.length > 0 ? `outputs of ${ref.node}: ${outputs.join(', ')}` : `node '${ref.node}' has no outputs`,
        });
        continue;
      }
      const wanted = g.inputFormats?.[name];
      const given = graph.get(ref.node)?.outputFormats?.[ref.output];
      if (wanted !== undefined && given !== undefined && !takesFormat(wanted, given)) {
        out.push({ code: 'input-format', message: `input '${name}' takes ${wanted}; ${ref.node}.${ref.output} is ${given}`, location: location() });
      }
    }
  }
}

/**
 * Reports each dependency cycle once, in data-flow order, over every edge whose target node exists. Iterative
 * depth-first search, so a long chain cannot overflow the stack.
 */
export function checkCycles(src: YamlSource, graph: ReadonlyMap<string, GraphNode>, out: Diagnostic[]): void {
  const state = new Map<string, 'active' | 'done'>();
  const reported = new Set<string>();
  for (const root of graph.keys()) {
    if (state.has(root)) continue;
    // Each frame: a node on the current path and its edges still to follow.
    const stack: { id: string; edges: [string, RawRef][] }[] = [];
    const enter = (id: string): void => {
      state.set(id, 'active');
      stack.push({ id, edges: Object.entries(graph.get(id)?.refs ?? {}).reverse() });
    };
    enter(root);
    while (stack.length > 0) {
      const frame = stack[stack.length - 1] as (typeof stack)[number];
      const edge = frame.edges.pop();
      if (edge === undefined) {
        state.set(frame.id, 'done');
        stack.pop();
        continue;
      }
      const [name, ref] = edge;
      const s = state.get(ref.node);
      if (s === 'active') {
        const path = stack.map((f) => f.id);
        const cycle = [...path.slice(path.indexOf(ref.node)), ref.node];
        const sig = [...new Set(cycle)].sort().join(',');
        if (!reported.has(sig)) {
          reported.add(sig);
          // Printed in data-flow order: each node feeds the next.
          out.push({
            code: 'cycle',
            message: `dependency cycle: ${cycleText([...cycle].reverse())}`,
            location: locate(src, ['nodes', frame.id, 'inputs', name]),
          });
        }
      } else if (s === undefined && graph.has(ref.node)) {
        enter(ref.node);
      }
    }
  }
}

/** `a -> b -> c -> a`; a very long cycle keeps its first and last ten nodes around a count. */
function cycleText(ids: readonly string[]): string {
  if (ids.length <= 24) return ids.join(' -> ');
  return `${ids.slice(0, 10).join(' -> ')} -> … (${ids.length - 20} more) … -> ${ids.slice(-10).join(' -> ')}`;
}

/**
 * The nodes that can be expanded even though the file has errors elsewhere: checked without errors, every reference
 * resolving to an output of such a node, and not on (or downstream of) a cycle. Declaration order.
 */
export function soundNodes(graph: ReadonlyMap<string, GraphNode>, checked: ReadonlyMap<string, Checked>): Map<string, Checked> {
  const sound = new Map<string, boolean>();
  const onPath = new Set<string>();
  const edgesOf = (id: string): RawRef[] => Object.values(graph.get(id)?.refs ?? {});
  for (const root of checked.keys()) {
    if (sound.has(root)) continue;
    // Iterative post-order: a node is sound once all its upstream nodes are known to be; meeting a node already on
    // the path means a cycle (unsound).
    const stack: { id: string; edges: RawRef[]; ok: boolean }[] = [{ id: root, edges: edgesOf(root), ok: checked.has(root) }];
    onPath.add(root);
    while (stack.length > 0) {
      const frame = stack[stack.length - 1] as (typeof stack)[number];
      const ref = frame.ok ? frame.edges.pop() : undefined;
      if (ref === undefined) {
        sound.set(frame.id, frame.ok);
        onPath.delete(frame.id);
        stack.pop();
        const parent = stack[stack.length - 1];
        if (parent !== undefined && !frame.ok) parent.ok = false;
        continue;
      }
      if (graph.get(ref.node)?.outputs?.includes(ref.output) !== true || onPath.has(ref.node)) {
        frame.ok = false;
      } else if (sound.has(ref.node)) {
        if (sound.get(ref.node) === false) frame.ok = false;
      } else {
        onPath.add(ref.node);
        stack.push({ id: ref.node, edges: edgesOf(ref.node), ok: checked.has(ref.node) });
      }
    }
  }
  return new Map([...checked].filter(([id]) => sound.get(id) === true));
}

/**
 * Kahn's algorithm, always taking the ready node declared first (stable, readable plans): O((n + e) log n) with a
 * binary heap of declaration indexes.
 */
export function topoOrder(checked: ReadonlyMap<string, Checked>): Checked[] {
  const nodes = [...checked.values()];
  const index = new Map(nodes.map((c, i) => [c.id, i]));
  const waiting = nodes.map((c) => new Set(Object.values(c.inputs).map((r) => r.node)).size);
  const dependents: number[][] = nodes.map(() => []);
  nodes.forEach((c, i) => {
    for (const up of new Set(Object.values(c.inputs).map((r) => r.node))) {
      const j = index.get(up);
      if (j === undefined) throw new Error(`Internal error: ${c.id} depends on unchecked node ${up}`);
      dependents[j]?.push(i);
    }
  });
  const heap = new MinHeap();
  waiting.forEach((w, i) => {
    if (w === 0) heap.push(i);
  });
  const order: Checked[] = [];
  for (let i = heap.pop(); i !== undefined; i = heap.pop()) {
    order.push(nodes[i] as Checked);
    for (const d of dependents[i] ?? []) {
      waiting[d] = (waiting[d] as number) - 1;
      if (waiting[d] === 0) heap.push(d);
    }
  }
  if (order.length !== nodes.length) throw new Error('Internal error: cycle survived validation');
  return order;
}

/** A binary min-heap of integers. */
class MinHeap {
  private readonly a: number[] = [];
  push(x: number): void {
    const a = this.a;
    a.push(x);
    for (let i = a.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if ((a[p] as number) <= x) break;
      a[i] = a[p] as number;
      a[p] = x;
      i = p;
    }
  }
  pop(): number | undefined {
    const a = this.a;
    if (a.length === 0) return undefined;
    const top = a[0] as number;
    const last = a.pop() as number;
    if (a.length > 0) {
      a[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && (a[l] as number) < (a[m] as number)) m = l;
        if (r < a.length && (a[r] as number) < (a[m] as number)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m] as number, a[i] as number];
        i = m;
      }
    }
    return top;
  }
}
