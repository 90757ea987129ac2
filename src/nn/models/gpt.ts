import type { Graph } from '../onnx/graph.js';
import type { Value } from '../onnx/types.js';
import type { GptConfig } from '../types.js';
import { gptParamSpecs, numel, type ParamSpec } from './gpt-params.js';

/** Looks a parameter up by name (a graph input, a view of the flat buffer, or a baked constant). */
export type Params = (name: string) => Value;

/** Additive mask value for disallowed attention slots: exp(−1e9 − max) underflows to exactly 0 in float32. */
export const MASKED = -1e9;

/** Per-parameter graph inputs named like the parameters (inference graphs: forward, decode, checkpoint model). */
export function separateParams(g: Graph, cfg: GptConfig): { params: Params; inputs: Map<string, Value> } {
  return inputParams(g, gptParamSpecs(cfg));
}

/** One graph input per parameter spec, named like it. */
export function inputParams(g: Graph, specs: readonly ParamSpec[]): { params: Params; inputs: Map<string, Value> } {
  const inputs = new Map<string, Value>();
  for (const s of specs) inputs.set(s.name, g.input(s.name, 'float32', s.shape));
  return { params: lookup(inputs), inputs };
}

/** Offsets of each parameter in the flat buffer (the training graphs' single parameter tensor). */
export interface FlatLayout {
  readonly specs: readonly ParamSpec[];
  readonly offsets: readonly number[];
  readonly size: number;
}

/** Lays the GPT's parameters out back to back in spec order. */
export function flatLayout(cfg: GptConfig): FlatLayout {
  return specsLayout(gptParamSpecs(cfg));
}

/** Lays parameters out back to back in the given order. */
export function specsLayout(specs: readonly ParamSpec[]): FlatLayout {
  const offsets: number[] = [];
  let size = 0;
  for (const s of specs) {
    offsets.push(size);
    size += numel(s.shape);
  }
  return { specs, offsets, size };
}

/** Views of a flat parameter input: one Split into pieces, each reshaped. Returns the views too (autodiff wrt). */
export function flatParams(g: Graph, layout: FlatLayout, flat: Value): { params: Params; views: Map<string, Value> } {
  const views = new Map<string, Value>();
  g.scoped('params', () => {
    const pieces = g.split(flat, layout.specs.map((s) => numel(s.shape)), 0);
    layout.specs.forEach((s, i) => views.set(s.name, g.reshape(pieces[i] as Value, s.shape)));
  });
  return { params: lookup(views), views };
}

/** A lookup over several name → value maps (e.g. trainable views and frozen inputs). */
export function lookup(...maps: ReadonlyMap<string, Value>[]): Params {
  return (name) => {
    for (const m of maps) {
      const v = m.get(name);
      if (v !== undefined) return v;
    }
    throw new Error(`Internal error: no parameter '${name}'`);
  };
}

/** LayerNorm with the parameters `<prefix>.weight` / `<prefix>.bias` (ONNX's fused LayerNormalization). */
export function layerNorm(g: Graph, P: Params, prefix: string, x: Value): Value {
  return g.layerNorm(x, P(`${prefix}.weight`), P(`${prefix}.bias`), 1e-5);
}

/** x·W + b with W stored [in, out] (one Gemm). */
export function linear(g: Graph, P: Params, prefix: string, x: Value): Value {
  return g.gemm(x, P(`${prefix}.weight`), P(`${prefix}.bias`));
}

/**
 * Exact GELU: x·Φ(x) with Φ(x) = ½·(1 + erf(x/√2)) — what PyTorch's nn.GELU() computes — as a composite with the
 * closed-form gradient dX = dY·(Φ(x) + x·φ(x)), φ(x) = e^(−x²/2)/√(2π), computed as e^(ln(1/√(2π)) − u²) with
 * u = x/√2 from the forward: 6 elementwise passes instead of the ~10 that autodiff through Erf takes.
 */
export function gelu(g: Graph, x: Value): Value {
  const s = (v: number) => g.scalar(v, x.dtype);
  let u: Value | undefined;
  let phi: Value | undefined;
  return g.composite(
    [x],
    ([a]) => {
      u = g.mul(a as Value, s(Math.SQRT1_2));
      phi = g.add(g.mul(g.erf(u), s(0.5)), s(0.5));
      return g.mul(a as Value, phi);
    },
    (dY) => {
      const uu = u as Value;
      const density = g.exp(g.sub(s(-0.5 * Math.log(2 * Math.PI)), g.mul(uu, uu))); // φ(x)
      return [g.mul(dY, g.add(phi as Value, g.mul(x, density)))];
    },
  );
}

/**
 * u·(1 + erf u) — exact GELU in the scaled variable u = x/√2: gelu(x) = u·(1 + erf u)/√2. A composite with the
 * closed-form gradient dU = dY·((1 + erf u) + u·(2/√π)·e^(−u²)) (6 elementwise passes; forward 3).
 */
export function erfGate(g: Graph, u: Value): Value {
  const s = (v: number) => g.scalar(v, u.dtype);
  let a: Value | undefined;
  return g.composite(
    [u],
    ([x]) => {
      a = g.add(g.erf(x as Value), s(1));
      return g.mul(x as Value, a);
    },
    (dY) => {
      const density = g.exp(g.sub(s(Math.log(2 / Math.sqrt(Math.PI))), g.mul(u, u))); // (2/√π)·e^(−u²)
      return [g.mul(dY, g.add(a as Value, g.mul(u, density)))];
    },
  );
}

/**
 * The MLP: Linear(C→4C) → exact GELU → Linear(4C→C), (N, C) → (N, C). The GELU's 1/√2 scalings ride on the two
 * Gemms (alpha = 1/√2, c_fc's bias pre-scaled — a (4C) op, not an (N, 4C) one), leaving erfGate's three passes.
 */
export function mlp(g: Graph, P: Params, prefix: string, x: Value): Value {
  return g.scoped('mlp', () => {
    const r = Math.SQRT1_2;
    const b1 = g.mul(P(`${prefix}.mlp.c_fc.bias`), g.scalar(r, x.dtype));
    const u = g.gemm(x, P(`${prefix}.mlp.c_fc.weight`), b1, { alpha: r }); // (x·W₁ + b₁)/√2
    return g.gemm(erfGate(g, u), P(`${prefix}.mlp.c_proj.weight`), P(`${prefix}.mlp.c_proj.bias`), { alpha: r });
  });
}

/**
 * q, k, v projections of h (N, C) with the fused c_attn weight (C, 3C) split into three (C, C) blocks, so
 * activations are never sliced (the weight pieces are small, and their gradient is one Concat).
 */
export function qkv(g: Graph, P: Params, prefix: string, h: Value, C: number): [Value, Value, Value] {
  const W = P(`${prefix}.attn.c_attn.weight`);
  const b = P(`${prefix}.attn.c_attn.bias`);
  const Ws = g.split(W, [C, C, C], 1);
  const bs = g.split(b, [C, C, C], 0);
  const part = (i: number) => g.gemm(h, Ws[i] as Value, bs[i] as Value);
  return [part(0), part(1), part(2)];
}

/**
 * softmax(α·q·kᵀ + bias)·v for CPU-EP graphs, as a composite: FusedMatMul reads k (and, in the gradient, every
 * transposed operand) in place, and the softmax gradient uses FlashAttention's identity Σⱼ Pᵢⱼ·dPᵢⱼ = dOᵢ·Oᵢ, so
 * its row sums come from the (…, T, hs) tensors: two passes over the (…, T, T) matrix instead of four.
 * dP = dO·vᵀ; dS = P·(dP − rowsum(dO·O)); dq = α·dS·k; dk = α·dSᵀ·q; dv = Pᵀ·dO.
 */
export function attentionCpu(g: Graph, q: Value, k: Value, v: Value, bias: Value, alpha: number): Value {
  let p: Value | undefined;
  let o: Value | undefined;
  return g.composite(
    [q, k, v],
    ([qq, kk, vv]) => {
      p = g.softmax(g.add(g.fusedMatMul(qq as Value, kk as Value, { transB: true, alpha }), bias), -1);
      o = g.matmul(p, vv as Value);
      return o;
    },
    (dO) => {
      const P = p as Value;
      const r = g.reduceSum(g.mul(dO, o as Value), [-1], true); // (…, T, 1)
      const dS = g.mul(P, g.sub(g.fusedMatMul(dO, v, { transB: true }), r));
      return [g.fusedMatMul(dS, k, { alpha }), g.fusedMatMul(dS, q, { transA: true, alpha }), g.fusedMatMul(P, dO, { transA: true })];
    },
  );
}

/**
 * Causal self-attention for CPU-EP graphs over projections laid out (B, T, heads·hd), grouped when kvHeads < qHeads:
 * returns (B, T, qHeads·hd). The forward is ONNX's Attention, which onnxruntime's CPU EP runs as one kernel per
 * (batch, head) — scores, causal mask and softmax stay in cache and the heads are read in place, so the forward has
 * no transposes and no passes over the B·h·T² scores other than writing the probabilities P the gradient needs. The
 * gradient (a composite) is attentionCpu's: heads of P grouped as (B, kvHeads, g·T, T), FusedMatMul products and the
 * rowsum(dO·O) softmax identity.
 */
export function causalAttentionCpu(g: Graph, q: Value, k: Value, v: Value, o: { qHeads: number; kvHeads: number; headDim: number }): Value {
  const [B, T] = q.shape as [number, number];
  const { qHeads, kvHeads, headDim: hd } = o;
  const grp = qHeads / kvHeads;
  const alpha = 1 / Math.sqrt(hd);
  // (B, T, n·hd) → (B, n, T, hd); query heads of a group stacked as (B, kvHeads, g·T, hd).
  const heads = (x: Value, n: number) => g.transpose(g.reshape(x, [B, T, n, hd]), [0, 2, 1, 3]);
  const grouped = (x: Value, rows: number) => g.reshape(x, [B, kvHeads, grp * T, rows]);
  const back = (x: Value, n: number) => g.reshape(g.transpose(g.reshape(x, [B, n, T, hd]), [0, 2, 1, 3]), [B, T, n * hd]);
  let probs: Value | undefined;
  let y: Value | undefined;
  return g.composite(
    [q, k, v],
    ([qq, kk, vv]) => {
      const a = g.attention(qq as Value, kk as Value, vv as Value, { qHeads, kvHeads, scale: alpha, causal: true });
      probs = a.probs;
      y = a.y;
      return y;
    },
    (dY) => {
      const P = grouped(probs as Value, T);
      const r = g.reduceSum(g.mul(g.reshape(dY, [B, T, qHeads, hd]), g.reshape(y as Value, [B, T, qHeads, hd])), [-1], true); // (B, T, qh, 1)
      const rows = grouped(g.transpose(r, [0, 2, 1, 3]), 1); // (B, kvHeads, g·T, 1)
      const dO = grouped(heads(dY, qHeads), hd);
      const kh = heads(k, kvHeads);
      const vh = heads(v, kvHeads);
      const dS = g.mul(P, g.sub(g.fusedMatMul(dO, vh, { transB: true }), rows));
      return [
        back(g.fusedMatMul(dS, kh, { alpha }), qHeads),
        back(g.fusedMatMul(dS, grouped(heads(q, qHeads), hd), { transA: true, alpha }), kvHeads),
        back(g.fusedMatMul(P, dO, { transA: true }), kvHeads),
      ];
    },
  );
}

/** Result of a full-sequence forward pass. */
export interface ForwardResult {
  /** (B·T, V) next-token logits; (B, V), the last positions only, when the forward is asked for lastOnly. */
  readonly logits: Value;
  /** Per layer, keys and values (B, nh, T, hs) — for prefill of the KV cache. */
  readonly keys: Value[];
  readonly values: Value[];
}

/**
 * The GPT over a (B, T) batch of ids: token + position embeddings, nLayer pre-norm blocks (causal multi-head
 * attention, GELU MLP), final LayerNorm and the tied head (logits = x·wteᵀ). `positions` defaults to 0…T−1 for
 * every row; `attnBias` (B, 1, T, T) replaces the causal mask when rows are left-padded.
 */
export function gptForward(
  g: Graph,
  cfg: GptConfig,
  P: Params,
  tokens: Value,
  opts: { positions?: Value; attnBias?: Value } = {},
): ForwardResult {
  const [B, T] = tokens.shape as [number, number];
  const C = cfg.nEmbd;
  const nh = cfg.nHead;
  const hs = C / nh;
  const N = B * T;
  if (T > cfg.blockSize) throw new Error(`sequence length ${T} exceeds the model's blockSize ${cfg.blockSize}`);
  const tok = g.gather(P('wte'), tokens, 0); // (B, T, C)
  const pos = opts.positions ? g.gather(P('wpe'), opts.positions, 0) : g.slice(P('wpe'), [0], [T], [0]); // (B,T,C) | (T, C)
  let x = g.reshape(g.add(tok, pos), [N, C]); // (N, C)
  const bias = opts.attnBias ?? causalBias(g, T);
  const scale = g.scalar(1 / Math.sqrt(hs), 'float32');
  const keys: Value[] = [];
  const values: Value[] = [];
  for (let l = 0; l < cfg.nLayer; l++) {
    const p = `h.${l}`;
    x = g.scoped(p, () => {
      const h = layerNorm(g, P, `${p}.ln_1`, x);
      const y = g.scoped('attn', () => {
        const [q0, k0, v0] = qkv(g, P, p, h, C);
        const heads = (t: Value) => g.transpose(g.reshape(t, [B, T, nh, hs]), [0, 2, 1, 3]); // (B, nh, T, hs)
        const k = heads(k0);
        const v = heads(v0);
        keys.push(k);
        values.push(v);
        if (g.cpuOnly && !opts.attnBias) {
          const o = causalAttentionCpu(g, g.reshape(q0, [B, T, C]), g.reshape(k0, [B, T, C]), g.reshape(v0, [B, T, C]), { qHeads: nh, kvHeads: nh, headDim: hs });
          return linear(g, P, `${p}.attn.c_proj`, g.reshape(o, [N, C]));
        }
        let out: Value;
        if (g.cpuOnly) {
          out = attentionCpu(g, heads(q0), k, v, bias, 1 / Math.sqrt(hs));
        } else {
          // q is scaled (the smaller tensor) and k transposed explicitly (a (0,2,3,1) transpose of k straight from
          // (B, T, nh, hs) would cost a strided copy).
          const scores = g.matmul(heads(g.mul(q0, scale)), g.transpose(k, [0, 1, 3, 2]));
          out = g.matmul(g.softmax(g.add(scores, bias), -1), v); // (B, nh, T, hs)
        }
        const o = g.reshape(g.transpose(out, [0, 2, 1, 3]), [N, C]); // (B, T, nh, hs) → (N, C)
        return linear(g, P, `${p}.attn.c_proj`, o);
      });
      const x1 = g.add(x, y);
      return g.add(x1, mlp(g, P, p, layerNorm(g, P, `${p}.ln_2`, x1)));
    });
  }
  const xf = layerNorm(g, P, 'ln_f', x);
  const logits = g.gemm(xf, P('wte'), null, { transB: true }); // (N, V)
  return { logits, keys, values };
}

/** (T, T) additive causal mask: 0 on and below the diagonal, MASKED above. */
export function causalBias(g: Graph, T: number): Value {
  const data = new Float32Array(T * T);
  for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) data[i * T + j] = MASKED;
  return g.constant(data, 'float32', [T, T]);
}

/** Outputs of one decode step. */
export interface DecodeResult {
  /** (B, V) logits of the next token. */
  readonly logits: Value;
  /**
   * Per layer, this step's key (B, nh, hs, 1) and value (B, nh, 1, hs), to be written into the cache — or, with
   * `slotHot`, the whole updated cache (B, nh, hs, S) and (B, nh, S, hs).
   */
  readonly keys: Value[];
  readonly values: Value[];
}

/**
 * Decode attention over a cache that stays where it is (a device): the token's key k (B, nkv, hd, 1) and value
 * v (B, nkv, 1, hd) are written into the cache at the slot `hot` (B, S) marks (Where, no host copy), then q
 * (B, nkv, g, hd), already scaled, attends over the updated cache with `bias` (B, 1, 1, S) — which must unmask that
 * slot. Returns the heads' output (B, nkv, g, hd) and the updated caches.
 */
export function cacheAttend(
  g: Graph,
  q: Value,
  k: Value,
  v: Value,
  cache: { pastKey: Value; pastValue: Value; bias: Value; hot: Value },
): { out: Value; key: Value; value: Value } {
  const [B, S] = cache.hot.shape as [number, number];
  const key = g.where(g.reshape(cache.hot, [B, 1, 1, S]), k, cache.pastKey);
  const value = g.where(g.reshape(cache.hot, [B, 1, S, 1]), v, cache.pastValue);
  const att = g.softmax(g.add(g.matmul(q, key), cache.bias), -1); // (B, nkv, g, S)
  return { out: g.matmul(att, value), key, value };
}

/**
 * One decode step over a KV cache of S slots. Inputs: token (B), position (B), per-layer past keys
 * (B, nh, hs, S) — stored transposed so q·Kᵀ needs no Transpose — and past values (B, nh, S, hs), plus an additive
 * slot mask (B, S). The current token attends to the unmasked past slots and to itself (its own score is
 * concatenated after the past scores, so the cache itself is never copied in the graph). With `slotHot` (B, S) the
 * step instead writes its key and value into the cache at that slot and returns the updated cache (see cacheAttend).
 */
export function gptDecodeStep(
  g: Graph,
  cfg: GptConfig,
  P: Params,
  io: { token: Value; position: Value; pastKeys: readonly Value[]; pastValues: readonly Value[]; slotBias: Value; slotHot?: Value },
): DecodeResult {
  const [B] = io.token.shape as [number];
  const S = io.slotBias.shape[1] as number;
  const C = cfg.nEmbd;
  const nh = cfg.nHead;
  const hs = C / nh;
  let x = g.add(g.gather(P('wte'), io.token, 0), g.gather(P('wpe'), io.position, 0)); // (B, C)
  const bias = g.reshape(io.slotBias, [B, 1, 1, S]);
  const scale = g.scalar(1 / Math.sqrt(hs), 'float32');
  const keys: Value[] = [];
  const values: Value[] = [];
  for (let l = 0; l < cfg.nLayer; l++) {
    const p = `h.${l}`;
    x = g.scoped(p, () => {
      const h = layerNorm(g, P, `${p}.ln_1`, x);
      const y = g.scoped('attn', () => {
        const [q0, k0, v0] = qkv(g, P, p, h, C);
        const q = g.reshape(g.mul(q0, scale), [B, nh, 1, hs]); // (B, nh, 1, hs)
        const k = g.reshape(k0, [B, nh, 1, hs]);
        const v = g.reshape(v0, [B, nh, 1, hs]);
        if (io.slotHot) {
          const c = cacheAttend(g, q, g.reshape(k0, [B, nh, hs, 1]), v, { pastKey: io.pastKeys[l] as Value, pastValue: io.pastValues[l] as Value, bias, hot: io.slotHot });
          keys.push(c.key);
          values.push(c.value);
          return linear(g, P, `${p}.attn.c_proj`, g.reshape(c.out, [B, C]));
        }
        keys.push(g.reshape(k0, [B, nh, hs, 1]));
        values.push(v);
        const past = g.add(g.matmul(q, io.pastKeys[l] as Value), bias); // (B, nh, 1, S)
        const self = g.reduceSum(g.mul(q, k), [3], true); // (B, nh, 1, 1)
        const att = g.softmax(g.concat([past, self], 3), -1); // (B, nh, 1, S+1)
        const o = g.add(
          g.matmul(g.slice(att, [0], [S], [3]), io.pastValues[l] as Value), // (B, nh, 1, hs)
          g.mul(g.slice(att, [S], [S + 1], [3]), v),
        );
        return linear(g, P, `${p}.attn.c_proj`, g.reshape(o, [B, C]));
      });
      const x1 = g.add(x, y);
      return g.add(x1, mlp(g, P, p, layerNorm(g, P, `${p}.ln_2`, x1)));
    });
  }
  const xf = layerNorm(g, P, 'ln_f', x);
  return { logits: g.gemm(xf, P('wte'), null, { transB: true }), keys, values };
}
