/**
 * Whole-graph checks over every node, valid or not, so one pass reports every independent error: references to
 * missing nodes or outputs, dependency cycles (reported with their path); then the subset of sound nodes and a
 * stable topological order (declaration order where the DAG allows).
 */
import type { Checked, GraphNode } from './checked-node.js';
import type { Diagnostic } from './diagnostics.js';
import { locate } from './source-map.js';
import type { YamlSource } from './source-map.js';

/**
 * Every input must name an existing node and one of its outputs. Outputs are checked wherever the target's kind is
 * known, even if the target has errors of its own.
 */
export function checkReferences(src: YamlSource, raw: Readonly<Record<string, unknown>>, graph: ReadonlyMap<string, GraphNode>, out: Diagnostic[]): void {
  for (const g of graph.values()) {
    for (const [name, ref] of Object.entries(g.refs)) {
      const location = locate(src, ['nodes', g.id, 'inputs', name]);
      if (!Object.hasOwn(raw, ref.node)) {
        out.push({ code: 'unknown-node', message: `input '${name}' refers to unknown node '${ref.node}'`, location, hint: `nodes: ${Object.keys(raw).join(', ')}` });
        continue;
      }
      const outputs = graph.get(ref.node)?.outputs;
      if (outputs !== undefined && !outputs.includes(ref.output)) {
        out.push({
          code: 'unknown-output',
          message: `input '${name}' refers to unknown output '${ref.node}.${ref.output}'`,
          location,
          hint: outputs.length > 0 ? `outputs of ${ref.node}: ${outputs.join(', ')}` : `node '${ref.node}' has no outputs`,
        });
      }
    }
  }
}

/** Reports each dependency cycle once, in data-flow order, over every edge whose target node exists. */
export function checkCycles(src: YamlSource, graph: ReadonlyMap<string, GraphNode>, out: Diagnostic[]): void {
  const state = new Map<string, 'active' | 'done'>();
  const stack: string[] = [];
  const reported = new Set<string>();
  const visit = (id: string): void => {
    state.set(id, 'active');
    stack.push(id);
    for (const [name, ref] of Object.entries(graph.get(id)?.refs ?? {})) {
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
      } else if (s === undefined && graph.has(ref.node)) {
        visit(ref.node);
      }
    }
    stack.pop();
    state.set(id, 'done');
  };
  for (const id of graph.keys()) if (!state.has(id)) visit(id);
}

/**
 * The nodes that can be expanded even though the file has errors elsewhere: checked without errors, every reference
 * resolving to an output of such a node, and not on (or downstream of) a cycle. Declaration order.
 */
export function soundNodes(graph: ReadonlyMap<string, GraphNode>, checked: ReadonlyMap<string, Checked>): Map<string, Checked> {
  const memo = new Map<string, boolean | 'visiting'>();
  const ok = (id: string): boolean => {
    const m = memo.get(id);
    if (m === 'visiting') return false; // on the DFS stack again: a cycle
    if (m !== undefined) return m;
    memo.set(id, 'visiting');
    const refs = Object.values(graph.get(id)?.refs ?? {});
    const result = checked.has(id) && refs.every((r) => graph.get(r.node)?.outputs?.includes(r.output) === true && ok(r.node));
    memo.set(id, result);
    return result;
  };
  return new Map([...checked].filter(([id]) => ok(id)));
}

/** Kahn's algorithm, picking ready nodes in declaration order (stable, readable plans). */
export function topoOrder(checked: Map<string, Checked>): Checked[] {
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
