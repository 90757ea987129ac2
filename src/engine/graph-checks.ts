/**
 * Whole-graph checks on checked nodes: references to missing nodes or outputs, dependency cycles (reported with
 * their path), and a stable topological order (declaration order where the DAG allows).
 */
import type { Checked } from './checked-node.js';
import type { Diagnostic } from './diagnostics.js';
import { locate } from './source-map.js';
import type { YamlSource } from './source-map.js';

/** Every input must name an existing node and one of its outputs. */
export function checkReferences(src: YamlSource, raw: Readonly<Record<string, unknown>>, checked: Map<string, Checked>, out: Diagnostic[]): void {
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

/** Reports each dependency cycle once, in data-flow order. */
export function checkCycles(src: YamlSource, checked: Map<string, Checked>, out: Diagnostic[]): void {
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
