import { inferNode } from './shape.js';
import type { Attr, ConstData, DType, Node, Value } from './types.js';
import { attr, dtypeCode } from './types.js';

/** A graph output: an ONNX output name bound to a value (the encoder gives the value that name). */
export interface GraphOutput {
  readonly name: string;
  readonly value: Value;
}

/**
 * Builds an ONNX graph with static shapes. Every op call runs shape inference at once, so a mistake fails where it
 * is made with the op and node named (`Shape error in MatMul node 'h.0/attn/MatMul_12': …`). Nodes are kept in
 * creation order, which is a topological order. Constant integer inputs (shapes, axes, slice bounds) are kept as
 * host values so inference and gradient rules can read them.
 */
export class Graph {
  readonly nodes: Node[] = [];
  readonly inputs: Value[] = [];
  readonly outputs: GraphOutput[] = [];
  /** Constant data by value id (emitted as initializers). */
  readonly constants = new Map<number, ConstData>();
  /** Values through which no gradient flows (see `detach`). */
  readonly stopGradient = new Set<number>();
  /** Hand-written gradients of composite values by value id (see `composite`). */
  readonly customGrads = new Map<number, CustomGrad>();
  private readonly producers = new Map<number, Node>();
  private readonly constCache = new Map<string, Value>();
  private readonly names = new Set<string>();
  private nextId = 0;
  private prefix = '';

  /**
   * Whether the graph is run only by onnxruntime's CPU EP, so builders may use its com.microsoft contrib ops
   * (FusedMatMul: products of transposed operands without transpose copies) and ops other EPs lack or run on the
   * host (GatherElements/ScatterElements in the loss). Plain, portable ONNX otherwise.
   */
  readonly cpuOnly: boolean;

  constructor(opts: { cpuOnly?: boolean } = {}) {
    this.cpuOnly = opts.cpuOnly ?? false;
  }

  /** The node that produced a value (undefined for inputs and constants). */
  producer(v: Value): Node | undefined {
    return this.producers.get(v.id);
  }

  /** Runs `fn` with node names prefixed by `name/`, so errors and profiles say where a node belongs. */
  scoped<T>(name: string, fn: () => T): T {
    const saved = this.prefix;
    this.prefix = `${saved}${name}/`;
    try {
      return fn();
    } finally {
      this.prefix = saved;
    }
  }

  /** Declares a graph input. */
  input(name: string, dtype: DType, shape: readonly number[]): Value {
    this.claim(name);
    const v: Value = { id: this.nextId++, name, dtype, shape: [...shape] };
    this.inputs.push(v);
    return v;
  }

  /** A constant tensor (an initializer). Small constants are deduplicated by content. */
  constant(data: ConstData, dtype: DType, shape: readonly number[]): Value {
    const small = data.length <= 16;
    const key = small ? `${dtype}|${shape.join(',')}|${Array.from(data as ArrayLike<number | bigint>).join(',')}` : '';
    if (small) {
      const hit = this.constCache.get(key);
      if (hit) return hit;
    }
    const id = this.nextId++;
    const v: Value = { id, name: `const_${id}`, dtype, shape: [...shape] };
    this.constants.set(id, data);
    if (small) this.constCache.set(key, v);
    return v;
  }

  /** A scalar constant of the given float or int dtype. */
  scalar(value: number, dtype: DType): Value {
    return this.constant(makeData(dtype, [value]), dtype, []);
  }

  /** A 1-D int64 constant (shapes, axes, slice bounds). */
  ints(values: readonly number[]): Value {
    return this.constant(BigInt64Array.from(values.map((v) => BigInt(v))), 'int64', [values.length]);
  }

  /** The integer contents of a constant value, or undefined. */
  constInts(v: Value | null | undefined): number[] | undefined {
    if (!v) return undefined;
    const data = this.constants.get(v.id);
    if (data === undefined || data instanceof Float32Array || data instanceof Float64Array) return undefined;
    return Array.from(data as ArrayLike<number | bigint>, (x) => Number(x));
  }

  /**
   * Binds a value to a graph output name. The encoder renames the value itself (no Identity copy) when a node
   * produced it and no other output uses it; inputs, constants and values bound twice go through an Identity.
   */
  output(value: Value, name: string): void {
    this.claim(name);
    const direct = this.producers.has(value.id) && !this.outputs.some((o) => o.value.id === value.id);
    if (direct) {
      this.outputs.push({ name, value });
      return;
    }
    const [out] = this.apply('Identity', [value], {}, 1, `${name}__value`);
    this.outputs.push({ name, value: out as Value });
  }

  /**
   * Applies any op: infers its outputs' types (throwing ShapeError on a mismatch) and appends the node.
   * `outName` names the single output value (used for graph outputs).
   */
  apply(op: string, inputs: readonly (Value | null)[], attrs: Readonly<Record<string, Attr>> = {}, nOut = 1, outName?: string): Value[] {
    const name = this.uniqueName(`${this.prefix}${op}`);
    const types = inferNode({
      op,
      node: name,
      inputs,
      attrs,
      constInts: (i) => this.constInts(inputs[i]),
    });
    const outputs = types.slice(0, nOut).map((t, i): Value => {
      const vname = outName !== undefined && i === 0 ? outName : nOut === 1 ? name : `${name}:${i}`;
      if (outName !== undefined) this.claim(outName);
      return { id: this.nextId++, name: vname, dtype: t.dtype, shape: t.shape };
    });
    const node: Node = { name, op, inputs, outputs, attrs };
    this.nodes.push(node);
    for (const o of outputs) this.producers.set(o.id, node);
    return outputs;
  }

  private one(op: string, inputs: readonly (Value | null)[], attrs: Readonly<Record<string, Attr>> = {}): Value {
    return this.apply(op, inputs, attrs)[0] as Value;
  }

  private claim(name: string): void {
    if (this.names.has(name)) throw new Error(`Internal error: duplicate graph name '${name}'`);
    this.names.add(name);
  }

  private uniqueName(base: string): string {
    let n = 0;
    let name = base;
    while (this.names.has(name)) name = `${base}_${++n}`;
    this.names.add(name);
    return name;
  }

  // ---- elementwise ----
  add(a: Value, b: Value): Value { return this.one('Add', [a, b]); }
  sub(a: Value, b: Value): Value { return this.one('Sub', [a, b]); }
  mul(a: Value, b: Value): Value { return this.one('Mul', [a, b]); }
  div(a: Value, b: Value): Value { return this.one('Div', [a, b]); }
  pow(a: Value, b: Value): Value { return this.one('Pow', [a, b]); }
  max(a: Value, b: Value): Value { return this.one('Max', [a, b]); }
  min(a: Value, b: Value): Value { return this.one('Min', [a, b]); }
  neg(x: Value): Value { return this.one('Neg', [x]); }
  sqrt(x: Value): Value { return this.one('Sqrt', [x]); }
  exp(x: Value): Value { return this.one('Exp', [x]); }
  log(x: Value): Value { return this.one('Log', [x]); }
  tanh(x: Value): Value { return this.one('Tanh', [x]); }
  erf(x: Value): Value { return this.one('Erf', [x]); }
  relu(x: Value): Value { return this.one('Relu', [x]); }
  sigmoid(x: Value): Value { return this.one('Sigmoid', [x]); }
  identity(x: Value): Value { return this.one('Identity', [x]); }
  equal(a: Value, b: Value): Value { return this.one('Equal', [a, b]); }
  less(a: Value, b: Value): Value { return this.one('Less', [a, b]); }
  greater(a: Value, b: Value): Value { return this.one('Greater', [a, b]); }
  where(c: Value, a: Value, b: Value): Value { return this.one('Where', [c, a, b]); }
  cast(x: Value, to: DType): Value { return this.one('Cast', [x], { to: attr.int(dtypeCode[to]) }); }

  /** Uniform [0, 1) float32 draws of a shape, fresh every run (onnxruntime seeds the generator once per session). */
  randomUniform(shape: readonly number[], seed: number): Value {
    return this.one('RandomUniform', [], { shape: attr.ints(shape), seed: attr.float(seed), dtype: attr.int(dtypeCode.float32) });
  }

  /** A value equal to x through which autodiff passes no gradient (for terms whose gradient cancels, e.g. max). */
  detach(x: Value): Value {
    const y = this.one('Identity', [x]);
    this.stopGradient.add(y.id);
    return y;
  }

  /**
   * A composite op with a hand-written gradient: `forward` builds the value from `inputs` with ordinary nodes, and
   * autodiff, instead of walking those nodes, asks `grad` for the inputs' gradients (one per input, null where
   * none) given the output's gradient. For elementwise chains whose generic backward would take many more passes
   * over memory than the closed form (GELU). The output must be made by a node inside `forward`.
   */
  composite(inputs: readonly Value[], forward: (xs: readonly Value[]) => Value, grad: CustomGrad['grad']): Value {
    const y = forward(inputs);
    if (!this.producers.has(y.id) || inputs.some((x) => x.id === y.id)) throw new Error('Internal error: a composite must produce a new value');
    this.customGrads.set(y.id, { inputs, grad });
    return y;
  }

  // ---- linear algebra ----
  matmul(a: Value, b: Value): Value { return this.one('MatMul', [a, b]); }
  /** alpha·op(A)·op(B), op transposing the last two axes: com.microsoft FusedMatMul (see `cpuOnly`). */
  fusedMatMul(a: Value, b: Value, o: { transA?: boolean; transB?: boolean; alpha?: number } = {}): Value {
    const attrs: Record<string, Attr> = {};
    if (o.transA) attrs['transA'] = attr.int(1);
    if (o.transB) attrs['transB'] = attr.int(1);
    if (o.alpha !== undefined && o.alpha !== 1) attrs['alpha'] = attr.float(o.alpha);
    return this.one('FusedMatMul', [a, b], attrs);
  }
  /**
   * ONNX Attention (opset 23) over (B, S, heads·hd) inputs: softmax(scale·QKᵀ + causal mask)·V per head, grouped
   * when kvHeads < qHeads; returns Y (B, S, qHeads·hd) and the (B, qHeads, S, L) probabilities. The CPU EP does
   * it in one kernel per (batch, head), reading the heads in place (see `cpuOnly`).
   */
  attention(q: Value, k: Value, v: Value, o: { qHeads: number; kvHeads: number; scale: number; causal: boolean }): { y: Value; probs: Value } {
    const outs = this.apply('Attention', [q, k, v], {
      q_num_heads: attr.int(o.qHeads),
      kv_num_heads: attr.int(o.kvHeads),
      scale: attr.float(o.scale),
      is_causal: attr.int(o.causal ? 1 : 0),
      qk_matmul_output_mode: attr.int(3),
    }, 4);
    return { y: outs[0] as Value, probs: outs[3] as Value };
  }
  /** Y = alpha·op(A)·op(B) + beta·C (2-D). */
  gemm(a: Value, b: Value, c: Value | null, o: { transA?: boolean; transB?: boolean; alpha?: number; beta?: number } = {}): Value {
    const attrs: Record<string, Attr> = {};
    if (o.transA) attrs['transA'] = attr.int(1);
    if (o.transB) attrs['transB'] = attr.int(1);
    if (o.alpha !== undefined && o.alpha !== 1) attrs['alpha'] = attr.float(o.alpha);
    if (o.beta !== undefined && o.beta !== 1) attrs['beta'] = attr.float(o.beta);
    return this.one('Gemm', c ? [a, b, c] : [a, b], attrs);
  }

  // ---- normalization / activations over an axis ----
  softmax(x: Value, axis = -1): Value { return this.one('Softmax', [x], { axis: attr.int(axis) }); }
  logSoftmax(x: Value, axis = -1): Value { return this.one('LogSoftmax', [x], { axis: attr.int(axis) }); }
  /** LayerNormalization over the last axis; also emits Mean and InvStdDev, which its gradient rule reuses. */
  layerNorm(x: Value, scale: Value, bias: Value, epsilon = 1e-5): Value {
    return this.apply('LayerNormalization', [x, scale, bias], { axis: attr.int(-1), epsilon: attr.float(epsilon) }, 3)[0] as Value;
  }

  // ---- onnxruntime contrib ops with CPU and WebGPU kernels (the fused decode graph, models/fused-decode.ts) ----
  /**
   * RMSNorm in one kernel: x / √(mean(x²) + ε) ⊙ scale over the last axis (onnxruntime's SimplifiedLayerNormalization,
   * registered in the ONNX domain).
   */
  rmsNormOp(x: Value, scale: Value, epsilon: number): Value {
    return this.apply('SimplifiedLayerNormalization', [x, scale], { axis: attr.int(-1), epsilon: attr.float(epsilon) }, 2)[0] as Value;
  }
  /**
   * The residual add and the next norm in one kernel: sum = x + skip (+ bias), out = norm(sum), where norm is
   * LayerNorm(gamma, beta) or, with beta undefined, RMSNorm(gamma) (com.microsoft SkipLayerNormalization /
   * SkipSimplifiedLayerNormalization; bias null: none).
   */
  skipNorm(x: Value, skip: Value, gamma: Value, beta: Value | undefined, bias: Value | null, epsilon: number): { out: Value; sum: Value } {
    const op = beta === undefined ? 'SkipSimplifiedLayerNormalization' : 'SkipLayerNormalization';
    const ins = beta === undefined ? [x, skip, gamma, bias] : [x, skip, gamma, beta, bias];
    const outs = this.apply(op, bias ? ins : ins.slice(0, -1), { epsilon: attr.float(epsilon) }, 4);
    return { out: outs[0] as Value, sum: outs[3] as Value };
  }
  /** Exact GELU x·Φ(x) (com.microsoft Gelu: erf, not the tanh approximation). */
  geluOp(x: Value): Value { return this.one('Gelu', [x]); }
  /** x·σ(alpha·x) (com.microsoft QuickGelu; alpha 1 is SiLU). */
  quickGelu(x: Value, alpha: number): Value { return this.one('QuickGelu', [x], { alpha: attr.float(alpha) }); }
  /**
   * Rotate-half RoPE of x (B, T, n·hd) at positions (B, T) int64 with cos/sin tables (rows, hd/2) (com.microsoft
   * RotaryEmbedding; for heads GroupQueryAttention cannot rotate itself).
   */
  rotaryEmbedding(x: Value, positions: Value, rotary: { cos: Value; sin: Value }, heads: number): Value {
    return this.one('RotaryEmbedding', [x, positions, rotary.cos, rotary.sin], { num_heads: attr.int(heads), interleaved: attr.int(0) });
  }
  /**
   * com.microsoft MultiHeadAttention of q (B, T, n·hd) over keys and values given as heads (B, n, L, hd), with an
   * additive attention_bias (B, 1, T, L): softmax(scale·q·kᵀ + bias)·v per head → (B, T, n·hd).
   */
  multiHeadAttention(q: Value, k: Value, v: Value, bias: Value, o: { heads: number; scale: number }): Value {
    return this.one('MultiHeadAttention', [q, k, v, null, null, bias], { num_heads: attr.int(o.heads), scale: attr.float(o.scale) });
  }
  /**
   * com.microsoft GroupQueryAttention for new tokens q (B, T, nh·hd) with k, v (B, T, nkv·hd) — or q alone holding
   * the packed (B, T, (nh + 2·nkv)·hd) projections — over a KV cache past (B, nkv, S, hd): writes each row's keys and
   * values at slots seqlensK[b] + 1 − T …, attends to slots 0…seqlensK[b] (seqlensK: int32 (B), the row's total
   * length − 1; totalLen: int32 [1], the longest row's total length), and returns the heads' output (B, T, nh·hd)
   * and the updated caches. `rotary` (cos/sin tables (S, hd/2), rotate-half) rotates q and k at those positions.
   */
  groupQueryAttention(
    q: Value,
    kv: { k: Value; v: Value } | null,
    cache: { pastKey: Value; pastValue: Value; seqlensK: Value; totalLen: Value },
    o: { heads: number; kvHeads: number; scale: number; rotary?: { cos: Value; sin: Value } },
  ): { out: Value; key: Value; value: Value } {
    const outs = this.apply(
      'GroupQueryAttention',
      [q, kv?.k ?? null, kv?.v ?? null, cache.pastKey, cache.pastValue, cache.seqlensK, cache.totalLen, o.rotary?.cos ?? null, o.rotary?.sin ?? null],
      {
        num_heads: attr.int(o.heads),
        kv_num_heads: attr.int(o.kvHeads),
        scale: attr.float(o.scale),
        ...(o.rotary ? { do_rotary: attr.int(1), rotary_interleaved: attr.int(0) } : {}),
      },
      3,
    );
    return { out: outs[0] as Value, key: outs[1] as Value, value: outs[2] as Value };
  }

  // ---- reductions (opset 18: axes are an input) ----
  private reduce(op: string, x: Value, axes: readonly number[], keepdims: boolean): Value {
    return this.one(op, [x, this.ints(axes)], { keepdims: attr.int(keepdims ? 1 : 0) });
  }
  reduceSum(x: Value, axes: readonly number[], keepdims = true): Value { return this.reduce('ReduceSum', x, axes, keepdims); }
  reduceMean(x: Value, axes: readonly number[], keepdims = true): Value { return this.reduce('ReduceMean', x, axes, keepdims); }
  reduceMax(x: Value, axes: readonly number[], keepdims = true): Value { return this.reduce('ReduceMax', x, axes, keepdims); }
  reduceLogSumExp(x: Value, axes: readonly number[], keepdims = true): Value { return this.reduce('ReduceLogSumExp', x, axes, keepdims); }
  reduceSumSquare(x: Value, axes: readonly number[], keepdims = true): Value { return this.reduce('ReduceSumSquare', x, axes, keepdims); }

  // ---- shape ops ----
  reshape(x: Value, shape: readonly number[]): Value {
    if (shape.join() === x.shape.join()) return x;
    return this.one('Reshape', [x, this.ints(shape)]);
  }
  transpose(x: Value, perm: readonly number[]): Value { return this.one('Transpose', [x], { perm: attr.ints(perm) }); }
  unsqueeze(x: Value, axes: readonly number[]): Value { return this.one('Unsqueeze', [x, this.ints(axes)]); }
  squeeze(x: Value, axes: readonly number[]): Value { return this.one('Squeeze', [x, this.ints(axes)]); }
  concat(xs: readonly Value[], axis: number): Value {
    if (xs.length === 1) return xs[0] as Value;
    return this.one('Concat', xs, { axis: attr.int(axis) });
  }
  slice(x: Value, starts: readonly number[], ends: readonly number[], axes: readonly number[]): Value {
    return this.one('Slice', [x, this.ints(starts), this.ints(ends), this.ints(axes)]);
  }
  /** Splits x along an axis into consecutive pieces of the given sizes (one kernel instead of one Slice each). */
  split(x: Value, sizes: readonly number[], axis: number): Value[] {
    if (sizes.length === 1) return [x];
    // WebGPU binds each output as a storage buffer (at most 16 per shader, one taken by the input): split wide
    // splits in two levels of at most MAX_SPLIT pieces.
    if (sizes.length > MAX_SPLIT) {
      const groups: number[][] = [];
      for (let i = 0; i < sizes.length; i += MAX_SPLIT) groups.push(sizes.slice(i, i + MAX_SPLIT));
      const parts = this.split(x, groups.map((grp) => grp.reduce((a, b) => a + b, 0)), axis);
      return groups.flatMap((grp, i) => this.split(parts[i] as Value, grp, axis));
    }
    return this.apply('Split', [x, this.ints(sizes)], { axis: attr.int(axis) }, sizes.length);
  }
  /** A constant tensor filled with one value, shared by every caller asking for the same fill, dtype and shape. */
  filled(value: number, dtype: DType, shape: readonly number[]): Value {
    const key = `fill|${dtype}|${shape.join(',')}|${value}`;
    const hit = this.constCache.get(key);
    if (hit) return hit;
    const n = shape.reduce((a, b) => a * b, 1);
    const v = this.constant(makeData(dtype, new Array<number>(n).fill(value)), dtype, shape);
    this.constCache.set(key, v);
    return v;
  }
  gather(x: Value, indices: Value, axis = 0): Value { return this.one('Gather', [x, indices], { axis: attr.int(axis) }); }
  /** out[i][j] = x[i][indices[i][j]] along `axis` (indices have x's rank). */
  gatherElements(x: Value, indices: Value, axis: number): Value { return this.one('GatherElements', [x, indices], { axis: attr.int(axis) }); }
  /** data with `updates` added at `indices` along `axis` (ScatterElements, reduction add; indices shaped like updates). */
  scatterElementsAdd(data: Value, indices: Value, updates: Value, axis: number): Value {
    return this.one('ScatterElements', [data, indices, updates], { axis: attr.int(axis), reduction: attr.string('add') });
  }
  expand(x: Value, shape: readonly number[]): Value {
    if (shape.join() === x.shape.join()) return x;
    return this.one('Expand', [x, this.ints(shape)]);
  }
  /** data with `updates` added at `indices` (ScatterND, reduction add; indices int64 with a trailing index axis). */
  scatterNDAdd(data: Value, indices: Value, updates: Value): Value {
    return this.one('ScatterND', [data, indices, updates], { reduction: attr.string('add') });
  }
  /** A zero tensor of a shape (an Expand of a scalar, so the model file does not store the zeros). */
  zeros(shape: readonly number[], dtype: DType): Value {
    return this.expand(this.scalar(0, dtype), shape);
  }
}

/** A composite value's inputs and its gradient rule: dY ↦ one gradient per input (null where none). */
export interface CustomGrad {
  readonly inputs: readonly Value[];
  readonly grad: (dY: Value) => (Value | null)[];
}

/** Most outputs of one Split node (WebGPU's limit of 16 storage buffers per shader, less the input). */
const MAX_SPLIT = 12;

/** A typed array of the dtype holding `values`. */
export function makeData(dtype: DType, values: readonly number[]): ConstData {
  switch (dtype) {
    case 'float32': return Float32Array.from(values);
    case 'float64': return Float64Array.from(values);
    case 'int64': return BigInt64Array.from(values.map((v) => BigInt(Math.trunc(v))));
    case 'int32': return Int32Array.from(values);
    case 'bool': return Uint8Array.from(values.map((v) => (v ? 1 : 0)));
  }
}
