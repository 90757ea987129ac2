import type { Attr, DType, Value } from './types.js';
import { dtypeOfCode, fmtShape } from './types.js';

/** Thrown by shape inference; the message names the op and node, e.g. `Shape error in MatMul node 'mm_3': …`. */
export class ShapeError extends Error {
  constructor(op: string, node: string, detail: string) {
    super(`Shape error in ${op} node '${node}': ${detail}`);
    this.name = 'ShapeError';
  }
}

/** What shape inference sees of a node: input types, attributes, and the values of constant inputs. */
export interface InferContext {
  readonly op: string;
  readonly node: string;
  readonly inputs: readonly (Value | null)[];
  readonly attrs: Readonly<Record<string, Attr>>;
  /** The integer contents of a constant input (shape/axes/starts…), or undefined if not constant. */
  constInts(index: number): number[] | undefined;
}

export type OutType = { readonly dtype: DType; readonly shape: readonly number[] };

/** numpy-style broadcast of two shapes, or undefined if incompatible. */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] | undefined {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) return undefined;
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** Normalizes a possibly negative axis against a rank, or undefined when out of range. */
export function normAxis(axis: number, rank: number): number | undefined {
  const a = axis < 0 ? axis + rank : axis;
  return a >= 0 && a < rank ? a : undefined;
}

function intAttr(ctx: InferContext, name: string, dflt: number): number {
  const a = ctx.attrs[name];
  return a !== undefined && a.kind === 'int' ? a.value : dflt;
}

function input(ctx: InferContext, i: number): Value {
  const v = ctx.inputs[i];
  if (v === undefined || v === null) throw new ShapeError(ctx.op, ctx.node, `input ${i} is missing`);
  return v;
}

function need(ctx: InferContext, i: number): number[] {
  const v = ctx.constInts(i);
  if (v === undefined) throw new ShapeError(ctx.op, ctx.node, `input ${i} must be a constant`);
  return v;
}

function axisOf(ctx: InferContext, axis: number, rank: number): number {
  const a = normAxis(axis, rank);
  if (a === undefined) throw new ShapeError(ctx.op, ctx.node, `axis ${axis} is out of range for rank ${rank}`);
  return a;
}

const comparisons = new Set(['Equal', 'Less', 'Greater', 'LessOrEqual', 'GreaterOrEqual', 'And', 'Or']);
const binary = new Set(['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Max', 'Min', ...comparisons]);
const unary = new Set(['Neg', 'Sqrt', 'Exp', 'Log', 'Tanh', 'Erf', 'Relu', 'Sigmoid', 'Abs', 'Reciprocal', 'Identity', 'Not', 'Gelu', 'QuickGelu']);
const reductions = new Set(['ReduceSum', 'ReduceMean', 'ReduceMax', 'ReduceLogSumExp', 'ReduceSumSquare']);

/** Infers the output types of one node; throws ShapeError naming the op and node on any mismatch. */
export function inferNode(ctx: InferContext): OutType[] {
  const { op } = ctx;
  const fail = (detail: string): never => {
    throw new ShapeError(op, ctx.node, detail);
  };
  if (binary.has(op)) {
    const a = input(ctx, 0);
    const b = input(ctx, 1);
    if (op !== 'Pow' && a.dtype !== b.dtype) fail(`input types differ: ${a.dtype} vs ${b.dtype}`);
    const shape = broadcastShapes(a.shape, b.shape);
    if (shape === undefined) fail(`cannot broadcast ${fmtShape(a.shape)} with ${fmtShape(b.shape)}`);
    return [{ dtype: comparisons.has(op) ? 'bool' : a.dtype, shape: shape as number[] }];
  }
  if (unary.has(op)) {
    const x = input(ctx, 0);
    return [{ dtype: x.dtype, shape: x.shape }];
  }
  if (reductions.has(op)) {
    const x = input(ctx, 0);
    const keep = intAttr(ctx, 'keepdims', 1) === 1;
    const given = ctx.inputs[1] ? need(ctx, 1) : x.shape.map((_, i) => i);
    const axes = new Set(given.map((a) => axisOf(ctx, a, x.shape.length)));
    const shape: number[] = [];
    x.shape.forEach((d, i) => {
      if (!axes.has(i)) shape.push(d);
      else if (keep) shape.push(1);
    });
    return [{ dtype: x.dtype, shape }];
  }
  switch (op) {
    case 'MatMul': {
      const a = input(ctx, 0);
      const b = input(ctx, 1);
      if (a.shape.length < 2 || b.shape.length < 2) fail('both inputs must have rank ≥ 2');
      if (a.dtype !== b.dtype) fail(`input types differ: ${a.dtype} vs ${b.dtype}`);
      const k1 = a.shape[a.shape.length - 1];
      const k2 = b.shape[b.shape.length - 2];
      if (k1 !== k2) fail(`inner dimensions differ: ${fmtShape(a.shape)} · ${fmtShape(b.shape)}`);
      const batch = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2));
      if (batch === undefined) fail(`cannot broadcast batch dimensions of ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
      return [{ dtype: a.dtype, shape: [...(batch as number[]), a.shape[a.shape.length - 2] as number, b.shape[b.shape.length - 1] as number] }];
    }
    case 'GatherElements': {
      const x = input(ctx, 0);
      const idx = input(ctx, 1);
      if (idx.dtype !== 'int32' && idx.dtype !== 'int64') fail(`indices must be int32 or int64, got ${idx.dtype}`);
      if (idx.shape.length !== x.shape.length) fail(`indices ${fmtShape(idx.shape)} must have the rank of data ${fmtShape(x.shape)}`);
      const axis = axisOf(ctx, intAttr(ctx, 'axis', 0), x.shape.length);
      if (idx.shape.some((d, i) => i !== axis && d > (x.shape[i] as number))) fail(`indices ${fmtShape(idx.shape)} exceed data ${fmtShape(x.shape)}`);
      return [{ dtype: x.dtype, shape: idx.shape }];
    }
    case 'ScatterElements': {
      const x = input(ctx, 0);
      const idx = input(ctx, 1);
      const upd = input(ctx, 2);
      if (idx.dtype !== 'int32' && idx.dtype !== 'int64') fail(`indices must be int32 or int64, got ${idx.dtype}`);
      if (idx.shape.join() !== upd.shape.join()) fail(`indices ${fmtShape(idx.shape)} and updates ${fmtShape(upd.shape)} differ`);
      if (upd.dtype !== x.dtype) fail(`updates type ${upd.dtype} differs from data ${x.dtype}`);
      if (idx.shape.length !== x.shape.length) fail(`indices ${fmtShape(idx.shape)} must have the rank of data ${fmtShape(x.shape)}`);
      axisOf(ctx, intAttr(ctx, 'axis', 0), x.shape.length);
      return [{ dtype: x.dtype, shape: x.shape }];
    }
    case 'FusedMatMul': {
      // com.microsoft FusedMatMul: Y = alpha·op(A)·op(B), op transposing the last two axes (no copy on the CPU EP).
      const a = input(ctx, 0);
      const b = input(ctx, 1);
      if (a.shape.length < 2 || b.shape.length < 2) fail('both inputs must have rank ≥ 2');
      if (a.dtype !== b.dtype) fail(`input types differ: ${a.dtype} vs ${b.dtype}`);
      if (intAttr(ctx, 'transBatchA', 0) || intAttr(ctx, 'transBatchB', 0)) fail('transBatchA/transBatchB are not supported');
      const last2 = (s: readonly number[], t: boolean) => (t ? [s[s.length - 1], s[s.length - 2]] : [s[s.length - 2], s[s.length - 1]]) as [number, number];
      const [m, k1] = last2(a.shape, intAttr(ctx, 'transA', 0) === 1);
      const [k2, n] = last2(b.shape, intAttr(ctx, 'transB', 0) === 1);
      if (k1 !== k2) fail(`inner dimensions differ: ${fmtShape(a.shape)} · ${fmtShape(b.shape)} (transA=${intAttr(ctx, 'transA', 0)}, transB=${intAttr(ctx, 'transB', 0)})`);
      const batch = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2));
      if (batch === undefined) fail(`cannot broadcast batch dimensions of ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
      return [{ dtype: a.dtype, shape: [...(batch as number[]), m, n] }];
    }
    case 'Attention': {
      // ONNX Attention (opset 23) over 3-D inputs: Q (B, S, qh·hd), K (B, L, kvh·hd), V (B, L, kvh·hv) → Y (B, S, qh·hv);
      // output 3 (only with qk_matmul_output_mode) is the (B, qh, S, L) score matrix at the chosen stage.
      const [q, k, v] = [input(ctx, 0), input(ctx, 1), input(ctx, 2)];
      if (q.shape.length !== 3 || k.shape.length !== 3 || v.shape.length !== 3) fail('only 3-D Q, K, V are supported');
      if (ctx.inputs.slice(3).some((x) => x)) fail('masks and past keys/values are not supported (use is_causal)');
      const qh = intAttr(ctx, 'q_num_heads', 0);
      const kvh = intAttr(ctx, 'kv_num_heads', 0);
      const [B, S, qw] = q.shape as [number, number, number];
      const L = k.shape[1] as number;
      if (!(qh > 0 && kvh > 0 && qh % kvh === 0)) fail(`q_num_heads ${qh} must be a positive multiple of kv_num_heads ${kvh}`);
      if (qw % qh !== 0 || (k.shape[2] as number) !== (qw / qh) * kvh) fail(`Q ${fmtShape(q.shape)} and K ${fmtShape(k.shape)} do not split into ${qh} and ${kvh} heads of one size`);
      if (k.shape[0] !== B || v.shape[0] !== B || v.shape[1] !== L || (v.shape[2] as number) % kvh !== 0) fail(`K ${fmtShape(k.shape)} and V ${fmtShape(v.shape)} do not match Q ${fmtShape(q.shape)}`);
      const hv = (v.shape[2] as number) / kvh;
      const y = { dtype: q.dtype, shape: [B, S, qh * hv] };
      const none = { dtype: q.dtype, shape: [] as number[] };
      return [y, none, none, { dtype: q.dtype, shape: [B, qh, S, L] }];
    }
    case 'Gemm': {
      const a = input(ctx, 0);
      const b = input(ctx, 1);
      if (a.shape.length !== 2 || b.shape.length !== 2) fail(`inputs must be 2-D, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
      const [m, k1] = intAttr(ctx, 'transA', 0) ? [a.shape[1], a.shape[0]] : [a.shape[0], a.shape[1]];
      const [k2, n] = intAttr(ctx, 'transB', 0) ? [b.shape[1], b.shape[0]] : [b.shape[0], b.shape[1]];
      if (k1 !== k2) fail(`inner dimensions differ: ${fmtShape(a.shape)} · ${fmtShape(b.shape)}`);
      const shape = [m as number, n as number];
      const c = ctx.inputs[2];
      if (c) {
        const bc = broadcastShapes(shape, c.shape);
        if (bc === undefined || bc.join() !== shape.join()) fail(`bias ${fmtShape(c.shape)} does not broadcast to ${fmtShape(shape)}`);
      }
      return [{ dtype: a.dtype, shape }];
    }
    case 'Softmax':
    case 'LogSoftmax': {
      const x = input(ctx, 0);
      axisOf(ctx, intAttr(ctx, 'axis', -1), x.shape.length);
      return [{ dtype: x.dtype, shape: x.shape }];
    }
    case 'LayerNormalization': {
      const x = input(ctx, 0);
      const axis = axisOf(ctx, intAttr(ctx, 'axis', -1), x.shape.length);
      const norm = x.shape.slice(axis);
      for (const i of [1, 2]) {
        const p = ctx.inputs[i];
        if (p && p.shape.join() !== norm.join()) fail(`input ${i} has shape ${fmtShape(p.shape)}, expected ${fmtShape(norm)}`);
      }
      // Optional outputs Mean and InvStdDev keep the reduced axes as 1s (used by the gradient rule); their type is
      // stash_type's, float32 by default.
      const stat = x.shape.map((d, i) => (i < axis ? d : 1));
      return [{ dtype: x.dtype, shape: x.shape }, { dtype: 'float32', shape: stat }, { dtype: 'float32', shape: stat }];
    }
    case 'Cast': {
      const x = input(ctx, 0);
      const to = ctx.attrs['to'];
      const dtype = to !== undefined && to.kind === 'int' ? dtypeOfCode(to.value) : undefined;
      if (dtype === undefined) fail('attribute to is missing or not a supported type');
      return [{ dtype: dtype as DType, shape: x.shape }];
    }
    case 'Reshape': {
      const x = input(ctx, 0);
      const target = need(ctx, 1);
      const total = x.shape.reduce((p, d) => p * d, 1);
      const known = target.reduce((p, d, i) => p * (d === -1 ? 1 : d === 0 ? (x.shape[i] ?? 0) : d), 1);
      const shape = target.map((d, i) => (d === 0 ? (x.shape[i] ?? 0) : d === -1 ? total / known : d));
      if (shape.reduce((p, d) => p * d, 1) !== total || !shape.every(Number.isInteger)) {
        fail(`cannot reshape ${fmtShape(x.shape)} to ${fmtShape(target)}`);
      }
      return [{ dtype: x.dtype, shape }];
    }
    case 'Transpose': {
      const x = input(ctx, 0);
      const p = ctx.attrs['perm'];
      const perm = p && p.kind === 'ints' ? p.value : x.shape.map((_, i) => x.shape.length - 1 - i);
      if (perm.length !== x.shape.length || [...perm].sort().some((v, i) => v !== i)) {
        fail(`perm ${fmtShape(perm)} is not a permutation of rank ${x.shape.length}`);
      }
      return [{ dtype: x.dtype, shape: perm.map((i) => x.shape[i] as number) }];
    }
    case 'Unsqueeze': {
      const x = input(ctx, 0);
      const rank = x.shape.length + need(ctx, 1).length;
      const axes = new Set(need(ctx, 1).map((a) => axisOf(ctx, a, rank)));
      const shape: number[] = [];
      let j = 0;
      for (let i = 0; i < rank; i++) shape.push(axes.has(i) ? 1 : (x.shape[j++] as number));
      return [{ dtype: x.dtype, shape }];
    }
    case 'Squeeze': {
      const x = input(ctx, 0);
      const axes = new Set(need(ctx, 1).map((a) => axisOf(ctx, a, x.shape.length)));
      for (const a of axes) if (x.shape[a] !== 1) fail(`cannot squeeze axis ${a} of ${fmtShape(x.shape)}`);
      return [{ dtype: x.dtype, shape: x.shape.filter((_, i) => !axes.has(i)) }];
    }
    case 'Concat': {
      const xs = ctx.inputs.map((_, i) => input(ctx, i));
      const first = xs[0] as Value;
      const axis = axisOf(ctx, intAttr(ctx, 'axis', 0), first.shape.length);
      let total = 0;
      for (const x of xs) {
        const same = x.shape.length === first.shape.length && x.shape.every((d, i) => i === axis || d === first.shape[i]);
        if (!same || x.dtype !== first.dtype) fail(`inputs ${fmtShape(first.shape)} and ${fmtShape(x.shape)} differ off axis ${axis}`);
        total += x.shape[axis] as number;
      }
      return [{ dtype: first.dtype, shape: first.shape.map((d, i) => (i === axis ? total : d)) }];
    }
    case 'Slice': {
      const x = input(ctx, 0);
      const starts = need(ctx, 1);
      const ends = need(ctx, 2);
      const axes = ctx.inputs[3] ? need(ctx, 3) : starts.map((_, i) => i);
      const steps = ctx.inputs[4] ? need(ctx, 4) : starts.map(() => 1);
      const shape = [...x.shape];
      axes.forEach((a0, i) => {
        const a = axisOf(ctx, a0, x.shape.length);
        const dim = x.shape[a] as number;
        const step = steps[i] as number;
        if (step !== 1) fail('only step 1 is supported');
        const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + dim : v, 0), dim);
        const s = clamp(starts[i] as number);
        const e = clamp(ends[i] as number);
        if (e <= s) fail(`empty slice [${starts[i]}, ${ends[i]}) of axis ${a} (size ${dim})`);
        shape[a] = e - s;
      });
      return [{ dtype: x.dtype, shape }];
    }
    case 'Gather': {
      const data = input(ctx, 0);
      const idx = input(ctx, 1);
      if (idx.dtype !== 'int64' && idx.dtype !== 'int32') fail(`indices must be int64 or int32, got ${idx.dtype}`);
      const axis = axisOf(ctx, intAttr(ctx, 'axis', 0), data.shape.length);
      return [{ dtype: data.dtype, shape: [...data.shape.slice(0, axis), ...idx.shape, ...data.shape.slice(axis + 1)] }];
    }
    case 'Where': {
      const c = input(ctx, 0);
      const a = input(ctx, 1);
      const b = input(ctx, 2);
      if (c.dtype !== 'bool') fail(`condition must be bool, got ${c.dtype}`);
      if (a.dtype !== b.dtype) fail(`input types differ: ${a.dtype} vs ${b.dtype}`);
      const s1 = broadcastShapes(a.shape, b.shape);
      const shape = s1 && broadcastShapes(c.shape, s1);
      if (shape === undefined) fail(`cannot broadcast ${fmtShape(c.shape)}, ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
      return [{ dtype: a.dtype, shape: shape as number[] }];
    }
    case 'Expand': {
      const x = input(ctx, 0);
      const target = need(ctx, 1);
      const shape = broadcastShapes(x.shape, target);
      if (shape === undefined) fail(`cannot expand ${fmtShape(x.shape)} to ${fmtShape(target)}`);
      return [{ dtype: x.dtype, shape: shape as number[] }];
    }
    case 'SimplifiedLayerNormalization':
    case 'SkipLayerNormalization':
    case 'SkipSimplifiedLayerNormalization': {
      // Normalization over the last axis; the Skip forms add skip (x's shape) and an optional bias (C) first. Outputs:
      // y, then (Skip forms) mean and inverse std (unused here), and input + skip + bias.
      const x = input(ctx, 0);
      const C = x.shape[x.shape.length - 1] as number;
      const skip = op !== 'SimplifiedLayerNormalization';
      if (skip && input(ctx, 1).shape.join() !== x.shape.join()) fail(`skip ${fmtShape(input(ctx, 1).shape)} differs from input ${fmtShape(x.shape)}`);
      for (let i = skip ? 2 : 1; i < ctx.inputs.length; i++) {
        const p = ctx.inputs[i];
        if (p && p.shape.join() !== String(C)) fail(`input ${i} has shape ${fmtShape(p.shape)}, expected [${C}]`);
      }
      const stat = { dtype: 'float32' as const, shape: [...x.shape.slice(0, -1), 1] };
      const y = { dtype: x.dtype, shape: x.shape };
      return skip ? [y, stat, stat, y] : [y, stat];
    }
    case 'RotaryEmbedding': {
      const x = input(ctx, 0);
      const pos = input(ctx, 1);
      const cos = input(ctx, 2);
      const n = intAttr(ctx, 'num_heads', 0);
      if (x.shape.length !== 3 || n < 1 || (x.shape[2] as number) % n !== 0) fail(`input ${fmtShape(x.shape)} does not hold ${n} heads`);
      if (pos.dtype !== 'int64' || pos.shape.join() !== x.shape.slice(0, 2).join()) fail(`position ids must be int64 ${fmtShape(x.shape.slice(0, 2))}`);
      if (cos.shape.length !== 2 || (cos.shape[1] as number) * 2 * n !== x.shape[2] || input(ctx, 3).shape.join() !== cos.shape.join()) fail(`cos/sin tables ${fmtShape(cos.shape)} do not match heads of ${(x.shape[2] as number) / n}`);
      return [{ dtype: x.dtype, shape: x.shape }];
    }
    case 'MultiHeadAttention': {
      // com.microsoft MultiHeadAttention over keys and values already laid out in heads: q (B, T, n·hd), k and v
      // (B, n, L, hd), additive attention_bias (B, 1, T, L) → (B, T, n·hd).
      const q = input(ctx, 0);
      const k = input(ctx, 1);
      const n = intAttr(ctx, 'num_heads', 0);
      if (q.shape.length !== 3 || k.shape.length !== 4) fail(`query must be 3-D and key 4-D, got ${fmtShape(q.shape)} and ${fmtShape(k.shape)}`);
      const [B, T, D] = q.shape as [number, number, number];
      const [, , L, hd] = k.shape as [number, number, number, number];
      if (k.shape[0] !== B || k.shape[1] !== n || D !== n * hd || input(ctx, 2).shape.join() !== k.shape.join()) fail(`query ${fmtShape(q.shape)}, key and value ${fmtShape(k.shape)} do not hold ${n} heads`);
      const bias = ctx.inputs[5];
      if (bias && bias.shape.join() !== [B, 1, T, L].join()) fail(`attention_bias ${fmtShape(bias.shape)} should be [${B},1,${T},${L}]`);
      return [{ dtype: q.dtype, shape: [B, T, D] }];
    }
    case 'GroupQueryAttention': {
      // com.microsoft GroupQueryAttention over a cache of S slots: q (B, T, nh·hd) with k, v (B, T, nkv·hd), or q packed
      // (B, T, (nh + 2·nkv)·hd); past (B, nkv, S, hd) → output (B, T, nh·hd), present keys/values shaped like past.
      const q = input(ctx, 0);
      const past = input(ctx, 3);
      const nh = intAttr(ctx, 'num_heads', 0);
      const nkv = intAttr(ctx, 'kv_num_heads', 0);
      if (!(nh > 0 && nkv > 0 && nh % nkv === 0)) fail(`num_heads ${nh} must be a positive multiple of kv_num_heads ${nkv}`);
      if (q.shape.length !== 3 || past.shape.length !== 4) fail(`query must be 3-D and past 4-D, got ${fmtShape(q.shape)} and ${fmtShape(past.shape)}`);
      const [B, T, D] = q.shape as [number, number, number];
      const [, , , hd] = past.shape as [number, number, number, number];
      const packed = !ctx.inputs[1];
      if (D !== (packed ? nh + 2 * nkv : nh) * hd) fail(`query ${fmtShape(q.shape)} does not hold ${packed ? `${nh} + 2·${nkv}` : nh} heads of ${hd}`);
      if (past.shape[0] !== B || past.shape[1] !== nkv || input(ctx, 4).shape.join() !== past.shape.join()) fail(`past ${fmtShape(past.shape)} should be [${B},${nkv},S,${hd}] for keys and values`);
      if (!packed && (input(ctx, 1).shape.join() !== [B, T, nkv * hd].join() || input(ctx, 2).shape.join() !== [B, T, nkv * hd].join())) fail(`key and value should be [${B},${T},${nkv * hd}]`);
      const seqlens = input(ctx, 5);
      const total = input(ctx, 6);
      if (seqlens.dtype !== 'int32' || seqlens.shape.join() !== String(B) || total.dtype !== 'int32' || total.shape.join() !== '1') fail('seqlens_k must be int32 [B] and total_sequence_length int32 [1]');
      const cache = { dtype: past.dtype, shape: past.shape };
      return [{ dtype: q.dtype, shape: [B, T, nh * hd] }, cache, cache];
    }
    case 'Split': {
      const x = input(ctx, 0);
      const axis = axisOf(ctx, intAttr(ctx, 'axis', 0), x.shape.length);
      const sizes = need(ctx, 1);
      const total = sizes.reduce((a, b) => a + b, 0);
      if (total !== x.shape[axis] || sizes.some((n) => n < 1)) fail(`split sizes ${fmtShape(sizes)} do not partition axis ${axis} of ${fmtShape(x.shape)}`);
      return sizes.map((n) => ({ dtype: x.dtype, shape: x.shape.map((d, i) => (i === axis ? n : d)) }));
    }
    case 'RandomUniform': {
      const a = ctx.attrs['shape'];
      if (a === undefined || a.kind !== 'ints') fail('needs a shape attribute');
      return [{ dtype: 'float32', shape: (a as { value: readonly number[] }).value }];
    }
    case 'ScatterND': {
      const data = input(ctx, 0);
      const idx = input(ctx, 1);
      const upd = input(ctx, 2);
      const k = idx.shape[idx.shape.length - 1] as number;
      const expect = [...idx.shape.slice(0, -1), ...data.shape.slice(k)];
      if (upd.shape.join() !== expect.join()) fail(`updates ${fmtShape(upd.shape)} should be ${fmtShape(expect)}`);
      return [{ dtype: data.dtype, shape: data.shape }];
    }
    default:
      throw new ShapeError(op, ctx.node, `the graph builder has no shape rule for op ${op}`);
  }
}
