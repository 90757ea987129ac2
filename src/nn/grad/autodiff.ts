import type { Graph } from '../onnx/graph.js';
import type { Node, Value } from '../onnx/types.js';
import { fmtShape, isFloat } from '../onnx/types.js';
import { gradRules, type GradRule } from './rules.js';

/** Thrown when the backward pass meets an op without a gradient rule; names the op and node. */
export class MissingGradientError extends Error {
  constructor(op: string, node: string) {
    super(`No gradient rule for op ${op} (node '${node}'); add one to src/nn/grad/rules.ts`);
    this.name = 'MissingGradientError';
  }
}

/**
 * Reverse-mode autodiff: appends to `g` the nodes computing ∂loss/∂w for each `wrt` value and returns them (a zero
 * tensor where loss does not depend on w). The driver walks the forward nodes in reverse topological order, asks
 * each op's rule (one per op, in rules.ts) for its inputs' gradients, undoes broadcasts once (ReduceSum back to the
 * input's shape), and accumulates gradients of values used several times. Only nodes on a path from a `wrt` value
 * to the loss are differentiated; `g.detach` values stop the gradient.
 */
export function gradients(g: Graph, loss: Value, wrt: readonly Value[], rules: Readonly<Record<string, GradRule>> = gradRules): Value[] {
  const forward = g.nodes.slice();
  // Values that depend on some wrt value (through float edges and not detached).
  const active = new Set<number>(wrt.map((w) => w.id));
  for (const n of forward) {
    if (n.inputs.some((v) => v && active.has(v.id))) {
      for (const o of n.outputs) if (isFloat(o.dtype) && !g.stopGradient.has(o.id)) active.add(o.id);
    }
  }
  const pending = new Map<number, Value[]>();
  pending.set(loss.id, [g.expand(g.scalar(1, loss.dtype), loss.shape)]);
  const total = (v: Value): Value | null => {
    const parts = pending.get(v.id);
    if (!parts || parts.length === 0) return null;
    let sum = parts[0] as Value;
    for (let i = 1; i < parts.length; i++) sum = g.add(sum, parts[i] as Value);
    pending.set(v.id, [sum]);
    return sum;
  };
  for (let i = forward.length - 1; i >= 0; i--) {
    const node = forward[i] as Node;
    if (!node.outputs.some((o) => active.has(o.id) && pending.has(o.id))) continue;
    const out = node.outputs.find((o) => g.customGrads.has(o.id));
    const custom = out ? g.customGrads.get(out.id) : undefined;
    if (out && custom) {
      // A composite: its hand-written gradient replaces the walk through its inner nodes (which then never
      // receive a gradient and are skipped). Other outputs of its last node (Attention's probabilities) are the
      // composite's own intermediates: no gradient may reach them from outside.
      if (node.outputs.some((o) => o !== out && pending.has(o.id))) throw new Error(`Internal error: a gradient reached an intermediate output of composite '${node.name}'`);
      const d = total(out) as Value;
      const dX = g.scoped(`grad/${node.name}`, () => custom.grad(d));
      custom.inputs.forEach((v, k) => {
        const dv = dX[k];
        if (!dv || !active.has(v.id) || !isFloat(v.dtype)) return;
        const shaped = g.scoped(`grad/${node.name}`, () => unbroadcast(g, dv, v, node));
        const list = pending.get(v.id);
        if (list) list.push(shaped);
        else pending.set(v.id, [shaped]);
      });
      continue;
    }
    const needs = node.inputs.map((v) => v !== null && active.has(v.id) && isFloat(v.dtype));
    if (!needs.some(Boolean)) continue;
    const rule = rules[node.op];
    if (rule === undefined) throw new MissingGradientError(node.op, node.name);
    const dY = node.outputs.map((o) => (active.has(o.id) ? total(o) : null));
    const dX = g.scoped(`grad/${node.name}`, () => rule({ g, node, dY, needs }));
    node.inputs.forEach((v, k) => {
      const d = dX[k];
      if (!v || !needs[k] || !d) return;
      const shaped = g.scoped(`grad/${node.name}`, () => unbroadcast(g, d, v, node));
      const list = pending.get(v.id);
      if (list) list.push(shaped);
      else pending.set(v.id, [shaped]);
    });
  }
  return wrt.map((w) => total(w) ?? g.zeros(w.shape, w.dtype));
}

/** Reduces a gradient of a broadcast shape back to the shape of the input it belongs to. */
function unbroadcast(g: Graph, d: Value, input: Value, node: Node): Value {
  if (d.shape.join() === input.shape.join()) return d;
  const lead = d.shape.length - input.shape.length;
  const axes: number[] = [];
  d.shape.forEach((dim, i) => {
    const j = i - lead;
    if (j < 0) axes.push(i);
    else if (input.shape[j] === 1 && dim !== 1) axes.push(i);
    else if (input.shape[j] !== dim) {
      throw new Error(`Internal error: gradient ${fmtShape(d.shape)} of ${node.op} node '${node.name}' does not reduce to ${fmtShape(input.shape)}`);
    }
  });
  if (axes.length === 0) return g.reshape(d, input.shape);
  // Column sums of a 2-D gradient (biases, LayerNorm parameters) as 1ᵀ·dY: a matrix product is far faster than
  // an axis-0 ReduceSum on WebGPU. On the CPU EP a (1, N)·(N, C) MatMul is 2.6× faster than both the Gemm with
  // transA and ReduceSum (0.57 vs 1.5 ms at 7168×512, bench/train/README.md).
  if (d.shape.length === 2 && axes.length === 1 && axes[0] === 0 && (d.dtype === 'float32' || d.dtype === 'float64')) {
    if (g.cpuOnly) return g.reshape(g.matmul(g.filled(1, d.dtype, [1, d.shape[0] as number]), d), input.shape);
    const ones = g.filled(1, d.dtype, [d.shape[0] as number, 1]);
    return g.reshape(g.gemm(ones, d, null, { transA: true }), input.shape);
  }
  return g.reshape(g.reduceSum(d, axes, true), input.shape);
}
