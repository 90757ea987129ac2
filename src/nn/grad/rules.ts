import type { Graph } from '../onnx/graph.js';
import { normAxis } from '../onnx/shape.js';
import type { Attr, Node, Value } from '../onnx/types.js';
import { dtypeOfCode } from '../onnx/types.js';

/** What a gradient rule receives: the node, the gradient of each output (null if none) and which inputs need one. */
export interface RuleContext {
  readonly g: Graph;
  readonly node: Node;
  readonly dY: readonly (Value | null)[];
  readonly needs: readonly boolean[];
}

/**
 * A gradient rule: one gradient per input (null where not needed or not differentiable). A returned gradient may
 * have the broadcast shape of the output; the driver reduces it back to the input's shape.
 */
export type GradRule = (ctx: RuleContext) => (Value | null)[];

function x(node: Node, i: number): Value {
  const v = node.inputs[i];
  if (!v) throw new Error(`Internal error: ${node.op} node '${node.name}' lacks input ${i}`);
  return v;
}
function y(node: Node, i = 0): Value {
  return node.outputs[i] as Value;
}
function dy(ctx: RuleContext, i = 0): Value {
  const d = ctx.dY[i];
  if (!d) throw new Error(`Internal error: ${ctx.node.op} node '${ctx.node.name}' has no output gradient`);
  return d;
}
function c(g: Graph, value: number, like: Value): Value {
  return g.scalar(value, like.dtype);
}
function intAttr(node: Node, name: string, dflt: number): number {
  const a: Attr | undefined = node.attrs[name];
  return a !== undefined && a.kind === 'int' ? a.value : a !== undefined && a.kind === 'float' ? a.value : dflt;
}
function floatAttr(node: Node, name: string, dflt: number): number {
  const a: Attr | undefined = node.attrs[name];
  return a !== undefined && (a.kind === 'float' || a.kind === 'int') ? a.value : dflt;
}
/** The reduced axes of a Reduce* node (all axes when the axes input is absent). */
function reducedAxes(g: Graph, node: Node): number[] {
  const inp = x(node, 0);
  const given = g.constInts(node.inputs[1]) ?? inp.shape.map((_, i) => i);
  return given.map((a) => normAxis(a, inp.shape.length) as number);
}
/** dY of a reduction reshaped to keepdims form, so it broadcasts against the input. */
function keptGrad(ctx: RuleContext): Value {
  const { g, node } = ctx;
  const inp = x(node, 0);
  const axes = new Set(reducedAxes(g, node));
  return g.reshape(dy(ctx), inp.shape.map((d, i) => (axes.has(i) ? 1 : d)));
}
function keptOut(g: Graph, node: Node): Value {
  const inp = x(node, 0);
  const axes = new Set(reducedAxes(g, node));
  return g.reshape(y(node), inp.shape.map((d, i) => (axes.has(i) ? 1 : d)));
}
/** Swaps the last two axes. */
function swapLast(g: Graph, v: Value): Value {
  const r = v.shape.length;
  const perm = v.shape.map((_, i) => i);
  perm[r - 2] = r - 1;
  perm[r - 1] = r - 2;
  return g.transpose(v, perm);
}

/** The gradient rules, one per op. The math of each is in its comment (dX means ∂loss/∂X). */
export const gradRules: Readonly<Record<string, GradRule>> = {
  // Y = A + B: dA = dY, dB = dY (broadcasts undone by the driver)
  Add: (ctx) => [ctx.needs[0] ? dy(ctx) : null, ctx.needs[1] ? dy(ctx) : null],
  // Y = A − B: dA = dY, dB = −dY
  Sub: (ctx) => [ctx.needs[0] ? dy(ctx) : null, ctx.needs[1] ? ctx.g.neg(dy(ctx)) : null],
  // Y = A·B: dA = dY·B, dB = dY·A
  Mul: ({ g, node, needs, dY }) => {
    const d = dY[0] as Value;
    return [needs[0] ? g.mul(d, x(node, 1)) : null, needs[1] ? g.mul(d, x(node, 0)) : null];
  },
  // Y = A/B: dA = dY/B, dB = −dY·Y/B
  Div: ({ g, node, needs, dY }) => {
    const d = dY[0] as Value;
    const b = x(node, 1);
    return [needs[0] ? g.div(d, b) : null, needs[1] ? g.neg(g.div(g.mul(d, y(node)), b)) : null];
  },
  // Y = −X: dX = −dY
  Neg: (ctx) => [ctx.g.neg(dy(ctx))],
  // Y = A^B: dA = dY·B·A^(B−1), dB = dY·Y·ln A
  Pow: ({ g, node, needs, dY }) => {
    const d = dY[0] as Value;
    const a = x(node, 0);
    const b = x(node, 1);
    const bb = b.dtype === a.dtype ? b : g.cast(b, a.dtype);
    const da = needs[0] ? g.mul(d, g.mul(bb, g.pow(a, g.sub(bb, c(g, 1, bb))))) : null;
    const db = needs[1] ? g.mul(d, g.mul(y(node), g.log(a))) : null;
    return [da, db];
  },
  // Y = √X: dX = dY / (2Y)
  Sqrt: ({ g, node, dY }) => [g.div(dY[0] as Value, g.mul(c(g, 2, y(node)), y(node)))],
  // Y = eˣ: dX = dY·Y
  Exp: ({ g, node, dY }) => [g.mul(dY[0] as Value, y(node))],
  // Y = ln X: dX = dY / X
  Log: ({ g, node, dY }) => [g.div(dY[0] as Value, x(node, 0))],
  // Y = tanh X: dX = dY·(1 − Y²)
  Tanh: ({ g, node, dY }) => [g.mul(dY[0] as Value, g.sub(c(g, 1, y(node)), g.mul(y(node), y(node))))],
  // Y = erf X: dX = dY·(2/√π)·e^(−X²)
  Erf: ({ g, node, dY }) => {
    const a = x(node, 0);
    return [g.mul(dY[0] as Value, g.mul(c(g, 2 / Math.sqrt(Math.PI), a), g.exp(g.neg(g.mul(a, a)))))];
  },
  // Y = max(X, 0): dX = dY where X > 0, else 0
  Relu: ({ g, node, dY }) => {
    const a = x(node, 0);
    return [g.where(g.greater(a, c(g, 0, a)), dY[0] as Value, c(g, 0, a))];
  },
  // Y = σ(X): dX = dY·Y·(1 − Y)
  Sigmoid: ({ g, node, dY }) => [g.mul(dY[0] as Value, g.mul(y(node), g.sub(c(g, 1, y(node)), y(node))))],
  // Y = X: dX = dY
  Identity: (ctx) => [dy(ctx)],
  // Y = softmax(X) along axis: dX = Y·(dY − Σ_axis dY·Y)
  Softmax: ({ g, node, dY }) => {
    const out = y(node);
    const axis = intAttr(node, 'axis', -1);
    const d = dY[0] as Value;
    return [g.mul(out, g.sub(d, g.reduceSum(g.mul(d, out), [axis], true)))];
  },
  // Y = X − logΣexp X: dX = dY − e^Y·Σ_axis dY
  LogSoftmax: ({ g, node, dY }) => {
    const axis = intAttr(node, 'axis', -1);
    const d = dY[0] as Value;
    return [g.sub(d, g.mul(g.exp(y(node)), g.reduceSum(d, [axis], true)))];
  },
  // Y = Σ_axes X: dX = dY broadcast back over the reduced axes
  ReduceSum: (ctx) => [ctx.g.expand(keptGrad(ctx), x(ctx.node, 0).shape)],
  // Y = mean_axes X: dX = dY / n broadcast back
  ReduceMean: (ctx) => {
    const { g, node } = ctx;
    const inp = x(node, 0);
    const n = reducedAxes(g, node).reduce((p, a) => p * (inp.shape[a] as number), 1);
    return [g.expand(g.div(keptGrad(ctx), c(g, n, inp)), inp.shape)];
  },
  // Y = max_axes X: dX = dY·[X = Y] / #ties (ties share the gradient)
  ReduceMax: (ctx) => {
    const { g, node } = ctx;
    const inp = x(node, 0);
    const hit = g.cast(g.equal(inp, keptOut(g, node)), inp.dtype);
    const count = g.reduceSum(hit, reducedAxes(g, node), true);
    return [g.mul(hit, g.div(keptGrad(ctx), count))];
  },
  // Y = log Σ_axes eˣ: dX = dY·e^(X − Y)
  ReduceLogSumExp: (ctx) => {
    const { g, node } = ctx;
    const inp = x(node, 0);
    return [g.mul(keptGrad(ctx), g.exp(g.sub(inp, keptOut(g, node))))];
  },
  // Y = Σ_axes X²: dX = 2·X·dY
  ReduceSumSquare: (ctx) => {
    const { g, node } = ctx;
    const inp = x(node, 0);
    return [g.mul(g.mul(c(g, 2, inp), inp), keptGrad(ctx))];
  },
  // Y = A·B (batched): dA = dY·Bᵀ, dB = Aᵀ·dY (batch broadcasts undone by the driver). Where transposing the big
  // operand costs more than transposing dY and the result, use dA = (B·dYᵀ)ᵀ, dB = (dYᵀ·A)ᵀ instead (attention's
  // dV = attᵀ·dO would otherwise transpose the (T, T) attention matrix).
  MatMul: ({ g, node, needs, dY }) => {
    const d = dY[0] as Value;
    const a = x(node, 0);
    const b = x(node, 1);
    if (a.shape.length === 2 && b.shape.length === 2) {
      return [needs[0] ? g.gemm(d, b, null, { transB: true }) : null, needs[1] ? g.gemm(a, d, null, { transA: true }) : null];
    }
    if (g.cpuOnly) {
      // FusedMatMul reads transposed operands in place: no transpose copies at all.
      return [needs[0] ? g.fusedMatMul(d, b, { transB: true }) : null, needs[1] ? g.fusedMatMul(a, d, { transA: true }) : null];
    }
    const size = (v: Value) => v.shape.reduce((p, n) => p * n, 1);
    let da: Value | null = null;
    let db: Value | null = null;
    if (needs[0]) da = size(b) <= size(d) + size(a) ? g.matmul(d, swapLast(g, b)) : swapLast(g, g.matmul(b, swapLast(g, d)));
    if (needs[1]) db = size(a) <= size(d) + size(b) ? g.matmul(swapLast(g, a), d) : swapLast(g, g.matmul(swapLast(g, d), a));
    return [da, db];
  },
  // Y = α·op(A)·op(B) (batched, op = transpose of the last two axes). As for Gemm: with op(A)=A, op(B)=B,
  // dA = α·dY·Bᵀ, dB = α·Aᵀ·dY; Y = α·A·Bᵀ: dA = α·dY·B, dB = α·dYᵀ·A; Y = α·Aᵀ·B: dA = α·B·dYᵀ, dB = α·A·dY;
  // Y = α·Aᵀ·Bᵀ: dA = α·Bᵀ·dYᵀ, dB = α·dYᵀ·Aᵀ — each again one FusedMatMul (batch broadcasts undone by the driver).
  FusedMatMul: ({ g, node, needs, dY }) => {
    const d = dY[0] as Value;
    const a = x(node, 0);
    const b = x(node, 1);
    const tA = intAttr(node, 'transA', 0) === 1;
    const tB = intAttr(node, 'transB', 0) === 1;
    const alpha = floatAttr(node, 'alpha', 1);
    const da = !needs[0] ? null : !tA ? g.fusedMatMul(d, b, { transB: !tB, alpha }) : g.fusedMatMul(b, d, { transA: tB, transB: true, alpha });
    const db = !needs[1] ? null : !tB ? g.fusedMatMul(a, d, { transA: !tA, alpha }) : g.fusedMatMul(d, a, { transA: true, transB: tA, alpha });
    return [da, db];
  },
  // Y = α·op(A)·op(B) + β·C. With op(A)=A, op(B)=B: dA = α·dY·Bᵀ, dB = α·Aᵀ·dY; the transposed cases follow
  // from (XY)ᵀ = YᵀXᵀ (e.g. Y = A·Bᵀ: dA = α·dY·B, dB = α·dYᵀ·A); dC = β·dY.
  Gemm: ({ g, node, needs, dY }) => {
    const d = dY[0] as Value;
    const a = x(node, 0);
    const b = x(node, 1);
    const tA = intAttr(node, 'transA', 0) === 1;
    const tB = intAttr(node, 'transB', 0) === 1;
    const alpha = floatAttr(node, 'alpha', 1);
    const beta = floatAttr(node, 'beta', 1);
    let da: Value | null = null;
    let db: Value | null = null;
    if (needs[0]) {
      da = !tA
        ? g.gemm(d, b, null, { transB: !tB, alpha })
        : g.gemm(b, d, null, { transA: tB, transB: true, alpha });
    }
    if (needs[1]) {
      db = !tB
        ? g.gemm(a, d, null, { transA: !tA, alpha })
        : g.gemm(d, a, null, { transA: true, transB: tA, alpha });
    }
    const dc = needs[2] ? (beta === 1 ? d : g.mul(d, c(g, beta, d))) : null;
    return [da, db, dc];
  },
  // LayerNorm over the last axis: x̂ = (X − μ)·r with r = 1/√(σ² + ε) (μ and r are the node's Mean and InvStdDev
  // outputs); Y = x̂·γ + β. dx̂ = dY·γ; dX = r·(dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂)); dγ = Σ dY·x̂; dβ = Σ dY (sums by the driver).
  LayerNormalization: ({ g, node, needs, dY }) => {
    const inp = x(node, 0);
    const gamma = x(node, 1);
    if (intAttr(node, 'axis', -1) !== -1 && intAttr(node, 'axis', -1) !== inp.shape.length - 1) {
      throw new Error(`Gradient of LayerNormalization node '${node.name}' supports only the last axis`);
    }
    const d = dY[0] as Value;
    const ax = [-1];
    let mean = node.outputs[1];
    let r = node.outputs[2];
    if (mean && r && mean.dtype !== inp.dtype) {
      mean = g.cast(mean, inp.dtype);
      r = g.cast(r, inp.dtype);
    }
    if (!mean || !r) {
      const eps = floatAttr(node, 'epsilon', 1e-5);
      mean = g.reduceMean(inp, ax, true);
      const xc0 = g.sub(inp, mean);
      r = g.div(c(g, 1, inp), g.sqrt(g.add(g.reduceMean(g.mul(xc0, xc0), ax, true), c(g, eps, inp))));
    }
    const xhat = g.mul(g.sub(inp, mean), r);
    let dx: Value | null = null;
    if (needs[0]) {
      const dxhat = g.mul(d, gamma);
      const inner = g.sub(g.sub(dxhat, g.reduceMean(dxhat, ax, true)), g.mul(xhat, g.reduceMean(g.mul(dxhat, xhat), ax, true)));
      dx = g.mul(r, inner);
    }
    return [dx, needs[1] ? g.mul(d, xhat) : null, needs[2] ? d : null];
  },
  // Y₁…Yₙ = split(X, axis): dX = concat(dY₁…dYₙ) with zeros for outputs that carry no gradient
  Split: ({ g, node, dY }) => {
    const axis = normAxis(intAttr(node, 'axis', 0), x(node, 0).shape.length) as number;
    const parts = node.outputs.map((o, i) => dY[i] ?? g.zeros(o.shape, o.dtype));
    return [g.concat(parts, axis), null];
  },
  // Shape-only ops: dX = dY reshaped back to X's shape
  Reshape: ({ g, node, dY }) => [g.reshape(dY[0] as Value, x(node, 0).shape), null],
  Unsqueeze: ({ g, node, dY }) => [g.reshape(dY[0] as Value, x(node, 0).shape), null],
  Squeeze: ({ g, node, dY }) => [g.reshape(dY[0] as Value, x(node, 0).shape), null],
  // Y = transpose(X, p): dX = transpose(dY, p⁻¹)
  Transpose: ({ g, node, dY }) => {
    const a = node.attrs['perm'];
    const rank = x(node, 0).shape.length;
    const perm = a && a.kind === 'ints' ? a.value : Array.from({ length: rank }, (_, i) => rank - 1 - i);
    const inv: number[] = new Array(rank);
    perm.forEach((p, i) => (inv[p] = i));
    return [g.transpose(dY[0] as Value, inv)];
  },
  // Y = concat(X₁…Xₙ, axis): dXᵢ = the slice of dY that Xᵢ occupies
  Concat: ({ g, node, needs, dY }) => {
    const d = dY[0] as Value;
    const axis = normAxis(intAttr(node, 'axis', 0), d.shape.length) as number;
    let start = 0;
    return node.inputs.map((inp, i) => {
      const len = (inp as Value).shape[axis] as number;
      const s = start;
      start += len;
      return needs[i] ? g.slice(d, [s], [s + len], [axis]) : null;
    });
  },
  // Y = X[starts:ends] (step 1): dX = dY padded with zeros back to X's shape (Concat of zero blocks, axis by axis)
  Slice: ({ g, node, dY }) => {
    const inp = x(node, 0);
    const starts = g.constInts(node.inputs[1]) as number[];
    const axes = g.constInts(node.inputs[3]) ?? starts.map((_, i) => i);
    let cur = dY[0] as Value;
    axes.forEach((a0, i) => {
      const a = normAxis(a0, inp.shape.length) as number;
      const dim = inp.shape[a] as number;
      const s0 = starts[i] as number;
      const s = Math.min(Math.max(s0 < 0 ? s0 + dim : s0, 0), dim);
      const len = cur.shape[a] as number;
      const parts: Value[] = [];
      const zeros = (n: number) => g.zeros(cur.shape.map((d, j) => (j === a ? n : d)), cur.dtype);
      if (s > 0) parts.push(zeros(s));
      parts.push(cur);
      if (dim - s - len > 0) parts.push(zeros(dim - s - len));
      cur = g.concat(parts, a);
    });
    return [cur, null, null, null, null];
  },
  // Y = data[indices] along axis 0: dData[v] = Σ over positions i with indices[i] = v of dY[i] (repeated ids
  // accumulate). As one GEMM, onehot(indices)ᵀ·dY — deterministic, and fast on every EP — for tables of ≤ 4096 rows
  // (embeddings over a byte vocabulary) and, in CPU-EP graphs, for any table (a Hugging Face vocabulary: the
  // (M, rows) one-hot is the size of the logits): ScatterND(reduction=add)'s CPU kernel races (wrong sums) when
  // updates collide across more than two threads in onnxruntime 1.30. Other EPs' large tables use ScatterND.
  Gather: ({ g, node, dY }) => {
    const data = x(node, 0);
    const idx = x(node, 1);
    const axis = normAxis(intAttr(node, 'axis', 0), data.shape.length);
    if (axis !== 0) throw new Error(`Gradient of Gather node '${node.name}' supports only axis 0`);
    const d = dY[0] as Value;
    const rows = data.shape[0] as number;
    const M = idx.shape.reduce((p, n) => p * n, 1);
    const D = data.shape.slice(1).reduce((p, n) => p * n, 1);
    if (rows <= 4096 || g.cpuOnly) {
      const ids = g.constant(idx.dtype === 'int64' ? BigInt64Array.from({ length: rows }, (_, i) => BigInt(i)) : Int32Array.from({ length: rows }, (_, i) => i), idx.dtype, [rows]);
      const onehot = g.cast(g.equal(g.reshape(idx, [M, 1]), ids), d.dtype); // (M, rows)
      return [g.reshape(g.gemm(onehot, g.reshape(d, [M, D]), null, { transA: true }), data.shape), null];
    }
    const i64 = idx.dtype === 'int64' ? idx : g.cast(idx, 'int64');
    return [g.scatterNDAdd(g.zeros(data.shape, data.dtype), g.unsqueeze(i64, [idx.shape.length]), d), null];
  },
  // Y = C ? A : B: dA = C ? dY : 0, dB = C ? 0 : dY
  Where: ({ g, node, needs, dY }) => {
    const d = dY[0] as Value;
    const cond = x(node, 0);
    const zero = c(g, 0, d);
    return [null, needs[1] ? g.where(cond, d, zero) : null, needs[2] ? g.where(cond, zero, d) : null];
  },
  // Y = cast(X): dX = cast(dY) back to X's type (only float→float casts carry gradient)
  Cast: ({ g, node, dY }) => {
    const inp = x(node, 0);
    const to = node.attrs['to'];
    if (to && to.kind === 'int' && dtypeOfCode(to.value) === inp.dtype) return [dY[0] as Value];
    return [g.cast(dY[0] as Value, inp.dtype)];
  },
  // Y = expand(X, shape): dX = dY summed over the broadcast axes (done by the driver)
  Expand: ({ dY }) => [dY[0] as Value, null],
  // Y = max(A, B): the gradient goes to the larger input (to A on ties)
  Max: ({ g, node, needs, dY }) => {
    const d = dY[0] as Value;
    const takeA = g.less(x(node, 1), x(node, 0));
    const ge = g.where(g.equal(x(node, 0), x(node, 1)), d, c(g, 0, d));
    return [needs[0] ? g.add(g.where(takeA, d, c(g, 0, d)), ge) : null, needs[1] ? g.where(g.less(x(node, 0), x(node, 1)), d, c(g, 0, d)) : null];
  },
  // Y = min(A, B): the gradient goes to the smaller input (to A on ties)
  Min: ({ g, node, needs, dY }) => {
    const d = dY[0] as Value;
    const takeA = g.less(x(node, 0), x(node, 1));
    const ge = g.where(g.equal(x(node, 0), x(node, 1)), d, c(g, 0, d));
    return [needs[0] ? g.add(g.where(takeA, d, c(g, 0, d)), ge) : null, needs[1] ? g.where(g.less(x(node, 1), x(node, 0)), d, c(g, 0, d)) : null];
  },
};
