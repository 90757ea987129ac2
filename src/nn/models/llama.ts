import type { Graph } from '../onnx/graph.js';
import type { Value } from '../onnx/types.js';
import { MASKED, attentionCpu, cacheAttend, causalAttentionCpu, type DecodeResult, type ForwardResult, type Params } from './gpt.js';
import type { LlamaConfig } from './llama-config.js';
import type { LoraConfig } from './lora.js';

/**
 * The Llama-family decoder (Llama, Qwen2, Qwen3) as ONNX graph ops, read top-down: RMSNorm, rotary position
 * embeddings, the SwiGLU MLP, grouped-query attention and one `block()` that both the full-sequence forward
 * (training, scoring, prefill) and the one-token KV-cache decode step call — they differ only in how a block
 * attends (`Attend`). Weights are looked up under their Hugging Face names, Linear weights in HF's (out, in) layout
 * (so every projection is one Gemm with transB).
 */

/**
 * RMSNorm over the last axis: y = w ⊙ x / √(mean(x²) + ε), as a composite with the closed-form gradient
 * x̂ = x·r, dx̂ = dY ⊙ w, dx = r·(dx̂ − x̂·mean(dx̂ ⊙ x̂)), dw = Σ dY ⊙ x̂ (summed by the driver).
 */
export function rmsNorm(g: Graph, x: Value, w: Value, eps: number): Value {
  const s = (v: number) => g.scalar(v, x.dtype);
  let r: Value | undefined;
  let xhat: Value | undefined;
  return g.composite(
    [x, w],
    ([a, ww]) => {
      r = g.div(s(1), g.sqrt(g.add(g.reduceMean(g.mul(a as Value, a as Value), [-1], true), s(eps))));
      xhat = g.mul(a as Value, r);
      return g.mul(xhat, ww as Value);
    },
    (dY) => {
      const xh = xhat as Value;
      const dxhat = g.mul(dY, w);
      const dx = g.mul(r as Value, g.sub(dxhat, g.mul(xh, g.reduceMean(g.mul(dxhat, xh), [-1], true))));
      return [dx, g.mul(dY, xh)];
    },
  );
}

/**
 * Inverse frequencies of the rotary embedding, exactly as transformers' rope init functions compute them:
 * default 1/θ^(2i/d); "linear" divides them by the factor; "llama3" divides the low frequencies (wavelength above
 * originalMax/lowFreqFactor) by the factor, keeps the high ones (wavelength below originalMax/highFreqFactor) and
 * blends in between with s = (originalMax/wavelength − low)/(high − low): (1 − s)·f/factor + s·f. Both scalings keep
 * attention_factor 1. Computed in float32 steps like torch's, so positions far out agree too.
 */
export function ropeInvFreq(cfg: LlamaConfig): Float32Array {
  const d = cfg.headDim;
  const f32 = Math.fround;
  const inv = Float32Array.from({ length: d / 2 }, (_, i) => f32(1 / f32(Math.pow(cfg.ropeTheta, f32((2 * i) / d)))));
  const sc = cfg.ropeScaling;
  if (sc === null) return inv;
  if (sc.type === 'linear') return inv.map((f) => f32(f / sc.factor));
  const lowWavelen = sc.originalMaxPositions / sc.lowFreqFactor;
  const highWavelen = sc.originalMaxPositions / sc.highFreqFactor;
  return inv.map((f) => {
    const wavelen = (2 * Math.PI) / f;
    const scaled = wavelen > lowWavelen ? f / sc.factor : f;
    if (wavelen < highWavelen || wavelen > lowWavelen) return f32(scaled);
    const s = (sc.originalMaxPositions / wavelen - sc.lowFreqFactor) / (sc.highFreqFactor - sc.lowFreqFactor);
    return f32((1 - s) * (scaled / sc.factor) + s * scaled);
  });
}

/** cos and sin of position·invFreq for positions 0…rows−1: two (rows, headDim/2) tables. */
export function ropeTables(cfg: LlamaConfig, rows: number): { cos: Float32Array; sin: Float32Array } {
  const inv = ropeInvFreq(cfg);
  const h = inv.length;
  const cos = new Float32Array(rows * h);
  const sin = new Float32Array(rows * h);
  for (let p = 0; p < rows; p++) {
    for (let i = 0; i < h; i++) {
      const angle = Math.fround(p * (inv[i] as number));
      cos[p * h + i] = Math.cos(angle);
      sin[p * h + i] = Math.sin(angle);
    }
  }
  return { cos, sin };
}

/** cos/sin broadcastable against (B, T, heads, headDim/2): (1 or B, T, 1, headDim/2). */
export interface Rotary {
  readonly cos: Value;
  readonly sin: Value;
}

/**
 * The rotary tables for a (B, T) batch: rows 0…T−1 (`positions` absent) or gathered at per-row positions (B, T).
 * `rows` bounds the positions a table must cover (the KV cache's slots).
 */
export function rotary(g: Graph, cfg: LlamaConfig, B: number, T: number, positions?: Value, rows?: number): Rotary {
  const h = cfg.headDim / 2;
  const n = positions ? (rows ?? cfg.maxPositions) : T;
  const t = ropeTables(cfg, n);
  const cos = g.constant(t.cos, 'float32', [n, h]);
  const sin = g.constant(t.sin, 'float32', [n, h]);
  if (!positions) return { cos: g.reshape(cos, [1, T, 1, h]), sin: g.reshape(sin, [1, T, 1, h]) };
  const at = (tab: Value) => g.reshape(g.gather(tab, positions, 0), [B, T, 1, h]);
  return { cos: at(cos), sin: at(sin) };
}

/**
 * Rotates the two halves of the last axis (HF's rotate_half convention): y₁ = x₁·cos − x₂·sin, y₂ = x₂·cos + x₁·sin.
 * A composite whose gradient is the inverse rotation of dY (the same formula with −sin).
 */
export function applyRope(g: Graph, x: Value, rot: Rotary): Value {
  const turn = (v: Value, sin: Value) => {
    const h = (v.shape[v.shape.length - 1] as number) / 2;
    const [x1, x2] = g.split(v, [h, h], -1) as [Value, Value];
    return g.concat([g.sub(g.mul(x1, rot.cos), g.mul(x2, sin)), g.add(g.mul(x2, rot.cos), g.mul(x1, sin))], -1);
  };
  return g.composite([x], ([v]) => turn(v as Value, rot.sin), (dY) => [turn(dY, g.neg(rot.sin))]);
}

/**
 * SwiGLU: silu(a) ⊙ b with silu(a) = a·σ(a), as a composite: da = dY ⊙ b ⊙ σ(a)·(1 + a·(1 − σ(a))),
 * db = dY ⊙ silu(a).
 */
export function swiglu(g: Graph, a: Value, b: Value): Value {
  let sig: Value | undefined;
  let silu: Value | undefined;
  return g.composite(
    [a, b],
    ([x, y]) => {
      sig = g.sigmoid(x as Value);
      silu = g.mul(x as Value, sig);
      return g.mul(silu, y as Value);
    },
    (dY) => {
      const s = sig as Value;
      const one = g.scalar(1, a.dtype);
      const dsilu = g.mul(s, g.add(one, g.mul(a, g.sub(one, s))));
      return [g.mul(g.mul(dY, b), dsilu), g.mul(dY, silu as Value)];
    },
  );
}

/** How projections are built: plain, or with LoRA adapters on the targeted ones. */
export interface LlamaBuild {
  readonly cfg: LlamaConfig;
  readonly P: Params;
  readonly lora?: LoraConfig | null;
}

/**
 * A projection x·Wᵀ (+ b) of (N, in) rows. With LoRA on this module (its last name part in `targets`):
 * + (alpha/rank)·(dropout(x)·Aᵀ)·Bᵀ, the adapter's second Gemm accumulating onto the base output.
 */
export function linear(g: Graph, m: LlamaBuild, name: string, x: Value, bias: boolean): Value {
  const y = g.gemm(x, m.P(`${name}.weight`), bias ? m.P(`${name}.bias`) : null, { transB: true });
  const lora = m.lora;
  const leaf = name.slice(name.lastIndexOf('.') + 1);
  if (!lora || !(lora.targets as readonly string[]).includes(leaf)) return y;
  return g.scoped('lora', () => {
    const xin = lora.dropout > 0 ? dropout(g, x, lora.dropout, lora.seed) : x;
    const a = g.gemm(xin, m.P(`${name}.lora_A.weight`), null, { transB: true }); // (N, r)
    return g.gemm(a, m.P(`${name}.lora_B.weight`), y, { transB: true, alpha: lora.alpha / lora.rank });
  });
}

/**
 * Inverted dropout: x ⊙ [u ≥ p]/(1 − p) with u from onnxruntime's RandomUniform (a fresh draw every run, its
 * generator seeded once per session). The mask is a constant of the gradient.
 */
function dropout(g: Graph, x: Value, p: number, seed: number): Value {
  const u = g.randomUniform(x.shape, seed);
  const keep = g.cast(g.greater(u, g.scalar(p, 'float32')), 'float32');
  return g.mul(x, g.mul(keep, g.scalar(1 / (1 - p), 'float32')));
}

/** The SwiGLU MLP: down(silu(gate(h)) ⊙ up(h)). */
export function mlp(g: Graph, m: LlamaBuild, prefix: string, h: Value): Value {
  return g.scoped('mlp', () => {
    const gate = linear(g, m, `${prefix}.mlp.gate_proj`, h, false);
    const up = linear(g, m, `${prefix}.mlp.up_proj`, h, false);
    return linear(g, m, `${prefix}.mlp.down_proj`, swiglu(g, gate, up), false);
  });
}

/**
 * How a block attends, given q (B, T, nh, hd) and k, v (B, T, nkv, hd) after RoPE: returns the heads' outputs
 * as (B·T, nh·hd). The full forward attends causally within the sequence; decode attends to the KV cache.
 */
export type Attend = (q: Value, k: Value, v: Value, layer: number) => Value;

/**
 * One pre-norm decoder layer over x (B·T, C): x + o_proj(attention(rmsNorm(x))), then + mlp(rmsNorm(·)).
 * q, k, v projections (with bias: Qwen2), per-head q/k RMSNorm (Qwen3), RoPE on q and k, then `attend`.
 */
export function block(g: Graph, m: LlamaBuild, layer: number, x: Value, dims: { B: number; T: number }, rot: Rotary, attend: Attend): Value {
  const { cfg, P } = m;
  const p = `model.layers.${layer}`;
  const { B, T } = dims;
  const hd = cfg.headDim;
  return g.scoped(`layers.${layer}`, () => {
    const h = rmsNorm(g, x, P(`${p}.input_layernorm.weight`), cfg.rmsNormEps);
    const y = g.scoped('attn', () => {
      const heads = (name: string, n: number) => {
        let t = g.reshape(linear(g, m, `${p}.self_attn.${name}_proj`, h, cfg.attentionBias), [B, T, n, hd]);
        if (cfg.qkNorm && name !== 'v') t = rmsNorm(g, t, P(`${p}.self_attn.${name}_norm.weight`), cfg.rmsNormEps);
        return name === 'v' ? t : applyRope(g, t, rot);
      };
      const out = attend(heads('q', cfg.numHeads), heads('k', cfg.numKvHeads), heads('v', cfg.numKvHeads), layer);
      return linear(g, m, `${p}.self_attn.o_proj`, out, false);
    });
    const x1 = g.add(x, y);
    return g.add(x1, mlp(g, m, p, rmsNorm(g, x1, P(`${p}.post_attention_layernorm.weight`), cfg.rmsNormEps)));
  });
}

/** Final norm and the output head (lm_head, or embed_tokens when tied): (N, C) → (N, V). */
function head(g: Graph, m: LlamaBuild, x: Value): Value {
  const xf = rmsNorm(g, x, m.P('model.norm.weight'), m.cfg.rmsNormEps);
  return g.gemm(xf, m.P(m.cfg.tieWordEmbeddings ? 'model.embed_tokens.weight' : 'lm_head.weight'), null, { transB: true });
}

/**
 * Causal grouped-query attention within a sequence. The nh/nkv query heads of a group share a key head, so q is
 * laid out (B, nkv, g·T, hd) and multiplies k (B, nkv, T, hd) directly: no repeated keys. `bias` is (T, T) or
 * (B, 1, T, T); keys and values (B, nkv, T, hd) are pushed for the KV cache. With `attentionOp` (plain causal mask),
 * CPU-EP graphs attend through causalAttentionCpu (ONNX Attention, no head transposes in the forward).
 */
function causalAttend(g: Graph, cfg: LlamaConfig, B: number, T: number, bias: Value, attentionOp: boolean, keys: Value[], values: Value[]): Attend {
  const nkv = cfg.numKvHeads;
  const grp = cfg.numHeads / nkv;
  const hd = cfg.headDim;
  const alpha = 1 / Math.sqrt(hd);
  const gBias = grp === 1 ? bias : groupBias(g, bias, grp);
  return (q0, k0, v0) => {
    if (g.cpuOnly && attentionOp) {
      const flat = (x: Value, n: number) => g.reshape(x, [B, T, n * hd]);
      const k = g.transpose(k0, [0, 2, 1, 3]); // for a prefill's KV cache (pruned when unused)
      keys.push(k);
      values.push(g.transpose(v0, [0, 2, 1, 3]));
      const o = causalAttentionCpu(g, flat(q0, cfg.numHeads), flat(k0, nkv), flat(v0, nkv), { qHeads: cfg.numHeads, kvHeads: nkv, headDim: hd });
      return g.reshape(o, [B * T, cfg.numHeads * hd]);
    }
    const q = g.reshape(g.transpose(q0, [0, 2, 1, 3]), [B, nkv, grp * T, hd]);
    const k = g.transpose(k0, [0, 2, 1, 3]); // (B, nkv, T, hd)
    const v = g.transpose(v0, [0, 2, 1, 3]);
    keys.push(k);
    values.push(v);
    let out: Value;
    if (g.cpuOnly) {
      out = attentionCpu(g, q, k, v, gBias, alpha); // the GPT's CPU composite: shapes agree
    } else {
      const scores = g.matmul(g.mul(q, g.scalar(alpha, 'float32')), g.transpose(k, [0, 1, 3, 2]));
      out = g.matmul(g.softmax(g.add(scores, gBias), -1), v); // (B, nkv, g·T, hd)
    }
    return g.reshape(g.transpose(g.reshape(out, [B, cfg.numHeads, T, hd]), [0, 2, 1, 3]), [B * T, cfg.numHeads * hd]);
  };
}

/** A (T, T) or (B, 1, T, T) mask repeated for the g query heads of a group: (g·T, T) or (B, 1, g·T, T). */
function groupBias(g: Graph, bias: Value, grp: number): Value {
  const T = bias.shape[bias.shape.length - 1] as number;
  if (bias.shape.length === 2) return g.reshape(g.expand(g.reshape(bias, [1, T, T]), [grp, T, T]), [grp * T, T]);
  const B = bias.shape[0] as number;
  return g.reshape(g.expand(g.reshape(bias, [B, 1, 1, T, T]), [B, 1, grp, T, T]), [B, 1, grp * T, T]);
}

/** (T, T) additive causal mask. */
function causal(g: Graph, T: number): Value {
  const data = new Float32Array(T * T);
  for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) data[i * T + j] = MASKED;
  return g.constant(data, 'float32', [T, T]);
}

/**
 * The decoder over a (B, T) batch of ids: embeddings, numLayers blocks attending causally, final RMSNorm, head.
 * `positions` (B, T) and `attnBias` (B, 1, T, T) serve left-padded prompts (prefill); `ropeRows` bounds positions.
 * `lastOnly`: logits (B, V) of each row's last position only — the prompt pass of left-padded rows keeps no other,
 * and at a large vocabulary the head over all B·T positions is most of its work (T·C·V multiply-adds per row).
 */
export function llamaForward(
  g: Graph,
  m: LlamaBuild,
  tokens: Value,
  opts: { positions?: Value; attnBias?: Value; ropeRows?: number; lastOnly?: boolean } = {},
): ForwardResult {
  const { cfg, P } = m;
  const [B, T] = tokens.shape as [number, number];
  if (T > cfg.maxPositions) throw new Error(`sequence length ${T} exceeds the model's maxPositions ${cfg.maxPositions}`);
  const rot = rotary(g, cfg, B, T, opts.positions, opts.ropeRows);
  const keys: Value[] = [];
  const values: Value[] = [];
  // ONNX Attention needs opset 23, where onnxruntime 1.30's CPU EP has no RandomUniform (LoRA dropout): graphs with
  // dropout keep the FusedMatMul attention.
  const attentionOp = !opts.attnBias && !(m.lora && m.lora.dropout > 0);
  const attend = causalAttend(g, cfg, B, T, opts.attnBias ?? causal(g, T), attentionOp, keys, values);
  let x = g.reshape(g.gather(P('model.embed_tokens.weight'), tokens, 0), [B * T, cfg.hiddenSize]);
  for (let l = 0; l < cfg.numLayers; l++) x = block(g, m, l, x, { B, T }, rot, attend);
  // RMSNorm is per position, so norming the last positions alone gives the rows the full head would give them.
  if (opts.lastOnly) x = g.reshape(g.slice(g.reshape(x, [B, T, cfg.hiddenSize]), [T - 1], [T], [1]), [B, cfg.hiddenSize]);
  return { logits: head(g, m, x), keys, values };
}

/**
 * One decode step over a KV cache of S slots (the GPT's cache layout, with nkv heads): past keys (B, nkv, hd, S),
 * past values (B, nkv, S, hd), slot mask (B, S). The query heads of a group read their shared key head through a
 * (B, nkv, g, hd) view of q; the current token's own score is concatenated after the past ones. With `slotHot` the
 * step writes into the cache and returns it (see the GPT's cacheAttend).
 */
export function llamaDecodeStep(
  g: Graph,
  m: LlamaBuild,
  io: { token: Value; position: Value; pastKeys: readonly Value[]; pastValues: readonly Value[]; slotBias: Value; slotHot?: Value },
): DecodeResult {
  const { cfg, P } = m;
  const [B] = io.token.shape as [number];
  const S = io.slotBias.shape[1] as number;
  const nkv = cfg.numKvHeads;
  const grp = cfg.numHeads / nkv;
  const hd = cfg.headDim;
  const rot = rotary(g, cfg, B, 1, g.reshape(io.position, [B, 1]), S + 1);
  const bias = g.reshape(io.slotBias, [B, 1, 1, S]);
  const scale = g.scalar(1 / Math.sqrt(hd), 'float32');
  const keys: Value[] = [];
  const values: Value[] = [];
  const attend: Attend = (q0, k0, v0, l) => {
    const q = g.reshape(g.mul(q0, scale), [B, nkv, grp, hd]);
    const k = g.reshape(k0, [B, nkv, 1, hd]);
    const v = g.reshape(v0, [B, nkv, 1, hd]);
    if (io.slotHot) {
      const c = cacheAttend(g, q, g.reshape(k0, [B, nkv, hd, 1]), v, { pastKey: io.pastKeys[l] as Value, pastValue: io.pastValues[l] as Value, bias, hot: io.slotHot });
      keys.push(c.key);
      values.push(c.value);
      return g.reshape(c.out, [B, cfg.numHeads * hd]);
    }
    keys.push(g.reshape(k0, [B, nkv, hd, 1]));
    values.push(v);
    const past = g.add(g.matmul(q, io.pastKeys[l] as Value), bias); // (B, nkv, g, S)
    const self = g.reduceSum(g.mul(q, k), [3], true); // (B, nkv, g, 1)
    const att = g.softmax(g.concat([past, self], 3), -1);
    const o = g.add(g.matmul(g.slice(att, [0], [S], [3]), io.pastValues[l] as Value), g.mul(g.slice(att, [S], [S + 1], [3]), v));
    return g.reshape(o, [B, cfg.numHeads * hd]);
  };
  let x = g.gather(P('model.embed_tokens.weight'), io.token, 0); // (B, C)
  for (let l = 0; l < cfg.numLayers; l++) x = block(g, m, l, x, { B, T: 1 }, rot, attend);
  return { logits: head(g, m, x), keys, values };
}
