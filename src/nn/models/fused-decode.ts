import type { Graph } from '../onnx/graph.js';
import type { Value } from '../onnx/types.js';
import type { GptConfig, ModelConfig } from '../types.js';
import type { DecodeResult, Params } from './gpt.js';
import type { LlamaConfig } from './llama-config.js';
import { ropeTables } from './llama.js';
import { isLlama } from './model.js';

/**
 * The one-token decode step in few kernels, for a KV cache that stays on the device (WebGPU). A small model's decode
 * step on WebGPU costs per kernel dispatched, not per flop, so these graphs use onnxruntime's contrib ops that have
 * CPU and WebGPU kernels (onnxruntime 1.30) where the standard graph (gpt.ts / llama.ts decodeStep) spells the same
 * math out op by op:
 *
 * - SkipLayerNormalization / SkipSimplifiedLayerNormalization: each residual add with the norm that follows it (and
 *   the preceding projection's bias); SimplifiedLayerNormalization: RMSNorm;
 * - Gelu (exact erf, the GPT's) and QuickGelu with alpha 1 (SiLU, the Llama family's gate); RotaryEmbedding;
 * - one Gemm for q, k and v (the GPT's fused c_attn; the Llama family's projections packed once per weight update,
 *   see `fusedDecodeWeights`);
 * - attention in one node, two ways (`FusedAttention`):
 *   'gqa': GroupQueryAttention writes the token's key and value at the row's slot, rotates q and k (heads of a
 *   multiple of 16), attends to slots 0…position of each row and returns the cache (updated in place by the caller).
 *   A row's slots are contiguous from 0 and its position is its slot count, so the position is GroupQueryAttention's
 *   seqlens_k (total length − 1) and no slot mask is needed. Fewest kernels; but onnxruntime's WebGPU kernel (flash
 *   path) takes total_sequence_length as every row's length, so rows of different lengths there are not served
 *   correctly by the source read for this (bench/eval/decode-speed.mjs checks it on the GPU).
 *   'mha': the standard graph's Where writes into the cache at the slot `slot_hot` marks, then MultiHeadAttention
 *   over the whole cache with the slot mask as attention_bias: per-row masks by construction, two Where kernels more.
 *   Grouped heads become MultiHeadAttention's query positions (a head group's g queries against its key head).
 *
 * The cache layout differs from the standard graph's: keys (B, nkv, S, hd) like values, not transposed.
 */

/** The two attention forms of the fused decode graph (see the file comment). */
export type FusedAttention = 'gqa' | 'mha';

/** Reshape that reads through a Reshape it is given (these graphs move heads between 2-D and 3-D views often). */
function view(g: Graph, x: Value, shape: readonly number[]): Value {
  const p = g.producer(x);
  return g.reshape(p?.op === 'Reshape' ? (p.inputs[0] as Value) : x, shape);
}

/** Name of a Llama-family layer's packed q/k/v projection (rows q, then k, then v; (out, in) like its parts). */
export const packedQkv = (l: number, part: 'weight' | 'bias') => `model.layers.${l}.self_attn.qkv_proj.${part}`;
/** Name of a layer's o_proj with its input columns in query-position order ('mha' with grouped heads). */
export const positionOrderedOutProj = (l: number) => `model.layers.${l}.self_attn.o_proj.weight_by_position`;

/** An extra weight input of a fused graph and how it is made from the checkpoint's weights. */
export interface FusedWeightSpec {
  readonly name: string;
  readonly shape: number[];
  build(weight: (name: string) => Float32Array): Float32Array;
}

/**
 * Whether the 'mha' form orders query heads by position: head h = kv·g + j of group kv becomes head j·nkv + kv, so
 * q comes out of the packed Gemm already laid out (B, g, nkv·hd), MultiHeadAttention's g query positions, and its
 * output goes into o_proj (columns permuted alike) without a Transpose either side.
 */
function byPosition(cfg: LlamaConfig, attention: FusedAttention): boolean {
  return attention === 'mha' && cfg.numHeads > cfg.numKvHeads;
}

/**
 * Extra weight inputs of a fused graph (none for the GPT): the Llama family's packed q/k/v projections (query heads
 * in position order for 'mha' with grouped heads, with o_proj's columns permuted to match).
 */
export function fusedDecodeSpecs(cfg: ModelConfig, attention: FusedAttention): FusedWeightSpec[] {
  if (!isLlama(cfg)) return [];
  const { numHeads: nh, numKvHeads: nkv, headDim: hd, hiddenSize: C } = cfg;
  const grp = nh / nkv;
  const rows = (nh + 2 * nkv) * hd;
  const permute = byPosition(cfg, attention);
  // Source head of query position p = j·nkv + kv: h = kv·g + j.
  const headAt = (p: number) => (permute ? (p % nkv) * grp + Math.floor(p / nkv) : p);
  return Array.from({ length: cfg.numLayers }, (_, l) => {
    const name = (n: string, part: string) => `model.layers.${l}.self_attn.${n}_proj.${part}`;
    // (out, in) rows, or a bias (width 1): q's heads in order, then k and v.
    const pack = (part: 'weight' | 'bias', width: number) => (weight: (n: string) => Float32Array) => {
      const out = new Float32Array(rows * width);
      const q = weight(name('q', part));
      for (let p = 0; p < nh; p++) out.set(q.subarray(headAt(p) * hd * width, (headAt(p) + 1) * hd * width), p * hd * width);
      out.set(weight(name('k', part)), nh * hd * width);
      out.set(weight(name('v', part)), (nh + nkv) * hd * width);
      return out;
    };
    const specs: FusedWeightSpec[] = [{ name: packedQkv(l, 'weight'), shape: [rows, C], build: pack('weight', C) }];
    if (cfg.attentionBias) specs.push({ name: packedQkv(l, 'bias'), shape: [rows], build: pack('bias', 1) });
    if (permute) {
      specs.push({
        name: positionOrderedOutProj(l),
        shape: [C, nh * hd],
        build: (weight) => {
          const w = weight(name('o', 'weight')); // (C, nh·hd)
          const out = new Float32Array(w.length);
          for (let r = 0; r < C; r++) {
            for (let p = 0; p < nh; p++) out.set(w.subarray(r * nh * hd + headAt(p) * hd, r * nh * hd + (headAt(p) + 1) * hd), r * nh * hd + p * hd);
          }
          return out;
        },
      });
    }
    return specs;
  }).flat();
}

/** The extra weights' data, made from the checkpoint's (again after each weight update). */
export function fusedDecodeWeights(cfg: ModelConfig, attention: FusedAttention, weight: (name: string) => Float32Array): { name: string; shape: number[]; data: Float32Array }[] {
  return fusedDecodeSpecs(cfg, attention).map((spec) => ({ name: spec.name, shape: spec.shape, data: spec.build(weight) }));
}

/**
 * Inputs of the fused decode step: per-layer caches (B, nkv, S, hd), and for 'gqa' the longest row's total length
 * (int32 [1]), for 'mha' the additive slot mask (B, S) and the slot marker (B, S) bool of the standard resident graph.
 */
export interface FusedDecodeInputs {
  readonly token: Value;
  readonly position: Value;
  readonly pastKeys: readonly Value[];
  readonly pastValues: readonly Value[];
  readonly attention: { kind: 'gqa'; totalLen: Value } | { kind: 'mha'; slotBias: Value; slotHot: Value };
}

/** The fused decode step of either family; returns the logits and the updated caches. */
export function fusedDecodeStep(g: Graph, cfg: ModelConfig, P: Params, io: FusedDecodeInputs): DecodeResult {
  return isLlama(cfg) ? llamaStep(g, cfg, P, io) : gptStep(g, cfg, P, io);
}

/**
 * Attention of one layer over q (B, nh·hd) and the token's k, v (B, nkv·hd), already rotated: writes them into the
 * cache and returns the heads' output (B, nh·hd) with the updated cache. `kv` null (gqa only): q holds the packed
 * (B, (nh + 2·nkv)·hd) projections; `rotary` (gqa only): rotate q and k inside. For 'mha' the query heads come in
 * query-position order (see fusedDecodeSpecs) and the output keeps it.
 */
type Attend = (l: number, q: Value, kv: { k: Value; v: Value } | null, rotary?: { cos: Value; sin: Value }) => { out: Value; key: Value; value: Value };

function attender(g: Graph, io: FusedDecodeInputs, heads: number, kvHeads: number, hd: number): Attend {
  const [B] = io.token.shape as [number];
  const scale = 1 / Math.sqrt(hd);
  const a = io.attention;
  if (a.kind === 'gqa') {
    return (l, q, kv, rotary) => {
      const cache = { pastKey: io.pastKeys[l] as Value, pastValue: io.pastValues[l] as Value, seqlensK: io.position, totalLen: a.totalLen };
      const r = g.groupQueryAttention(
        view(g, q, [B, 1, q.shape[1] as number]),
        kv && { k: view(g, kv.k, [B, 1, kvHeads * hd]), v: view(g, kv.v, [B, 1, kvHeads * hd]) },
        cache,
        { heads, kvHeads, scale, ...(rotary ? { rotary } : {}) },
      );
      return { out: view(g, r.out, [B, heads * hd]), key: r.key, value: r.value };
    };
  }
  const S = a.slotBias.shape[1] as number;
  const grp = heads / kvHeads;
  const hot = view(g, a.slotHot, [B, 1, S, 1]);
  // One mask for every layer: the g query heads of a group are MultiHeadAttention's g query positions.
  const bias = g.expand(view(g, a.slotBias, [B, 1, 1, S]), [B, 1, grp, S]);
  return (l, q, kv) => {
    if (!kv) throw new Error('Internal error: the mha attention takes q, k and v apart');
    const key = g.where(hot, view(g, kv.k, [B, kvHeads, 1, hd]), io.pastKeys[l] as Value);
    const value = g.where(hot, view(g, kv.v, [B, kvHeads, 1, hd]), io.pastValues[l] as Value);
    const out = g.multiHeadAttention(view(g, q, [B, grp, kvHeads * hd]), key, value, bias, { heads: kvHeads, scale });
    return { out: view(g, out, [B, heads * hd]), key, value };
  };
}

/**
 * GPT: x = wte[token] + wpe[position] and ln_1 in one SkipLayerNorm; per layer c_attn Gemm → attention → c_proj
 * (MatMul; its bias rides on the next SkipLayerNorm, which adds the residual and applies ln_2) → c_fc Gemm → Gelu →
 * MatMul, whose bias and residual go into the SkipLayerNorm of the next layer's ln_1 (ln_f after the last).
 */
function gptStep(g: Graph, cfg: GptConfig, P: Params, io: FusedDecodeInputs): DecodeResult {
  const [B] = io.token.shape as [number];
  const C = cfg.nEmbd;
  const nh = cfg.nHead;
  const eps = 1e-5;
  const ln = (name: string) => ({ w: P(`${name}.weight`), b: P(`${name}.bias`) });
  const first = ln('h.0.ln_1');
  let { out: h, sum: x } = g.skipNorm(g.gather(P('wte'), io.token, 0), g.gather(P('wpe'), io.position, 0), first.w, first.b, null, eps);
  const keys: Value[] = [];
  const values: Value[] = [];
  const attend = attender(g, io, nh, nh, C / nh);
  for (let l = 0; l < cfg.nLayer; l++) {
    const p = `h.${l}`;
    [h, x] = g.scoped(p, () => {
      const qkv = g.gemm(h, P(`${p}.attn.c_attn.weight`), P(`${p}.attn.c_attn.bias`)); // (B, 3C)
      let a: ReturnType<Attend>;
      if (io.attention.kind === 'gqa') a = attend(l, qkv, null);
      else {
        const [q, k, v] = g.split(qkv, [C, C, C], 1) as [Value, Value, Value];
        a = attend(l, q, { k, v });
      }
      keys.push(a.key);
      values.push(a.value);
      const y = g.matmul(a.out, P(`${p}.attn.c_proj.weight`));
      const ln2 = ln(`${p}.ln_2`);
      const mid = g.skipNorm(y, x, ln2.w, ln2.b, P(`${p}.attn.c_proj.bias`), eps);
      const m = g.matmul(g.geluOp(g.gemm(mid.out, P(`${p}.mlp.c_fc.weight`), P(`${p}.mlp.c_fc.bias`))), P(`${p}.mlp.c_proj.weight`));
      const next = ln(l + 1 < cfg.nLayer ? `h.${l + 1}.ln_1` : 'ln_f');
      const end = g.skipNorm(m, mid.sum, next.w, next.b, P(`${p}.mlp.c_proj.bias`), eps);
      return [end.out, end.sum] as const;
    });
  }
  return { logits: g.gemm(h, P('wte'), null, { transB: true }), keys, values };
}

/**
 * Llama family: RMSNorm of the embedding; per layer the packed q/k/v Gemm (Qwen3: q and k split off and normed per
 * head) → attention with RoPE → o_proj → SkipSimplifiedLayerNorm (residual + post-attention norm) → SwiGLU MLP as
 * gate/up Gemms, QuickGelu(gate)·up, down Gemm → SkipSimplifiedLayerNorm into the next layer's input norm (the final
 * norm after the last).
 */
function llamaStep(g: Graph, cfg: LlamaConfig, P: Params, io: FusedDecodeInputs): DecodeResult {
  const [B] = io.token.shape as [number];
  const S = io.pastKeys[0]?.shape[2] as number;
  const { numHeads: nh, numKvHeads: nkv, headDim: hd, rmsNormEps: eps } = cfg;
  const t = ropeTables(cfg, S);
  const rotary = { cos: g.constant(t.cos, 'float32', [S, hd / 2]), sin: g.constant(t.sin, 'float32', [S, hd / 2]) };
  // GroupQueryAttention rotates q and k itself only for head widths that are multiples of 16 (onnxruntime's check);
  // otherwise, and for 'mha', RotaryEmbedding does, at int64 positions (B, 1).
  const ropeInAttention = io.attention.kind === 'gqa' && hd % 16 === 0;
  const positions = ropeInAttention ? undefined : view(g, g.cast(io.position, 'int64'), [B, 1]);
  const norm = (l: number) => P(l < cfg.numLayers ? `model.layers.${l}.input_layernorm.weight` : 'model.norm.weight');
  const x0 = g.gather(P('model.embed_tokens.weight'), io.token, 0); // (B, C)
  let h = g.rmsNormOp(x0, norm(0), eps);
  let x = x0;
  const keys: Value[] = [];
  const values: Value[] = [];
  const permuted = byPosition(cfg, io.attention.kind);
  const attend = attender(g, io, nh, nkv, hd);
  const proj = (v: Value, name: string, bias: Value | null = null) => g.gemm(v, P(name), bias, { transB: true });
  for (let l = 0; l < cfg.numLayers; l++) {
    const p = `model.layers.${l}`;
    [h, x] = g.scoped(`layers.${l}`, () => {
      const qkv = proj(h, packedQkv(l, 'weight'), cfg.attentionBias ? P(packedQkv(l, 'bias')) : null); // (B, (nh + 2·nkv)·hd)
      let a: ReturnType<Attend>;
      if (ropeInAttention && !cfg.qkNorm) a = attend(l, qkv, null, rotary);
      else {
        const [q0, k0, v] = g.split(qkv, [nh * hd, nkv * hd, nkv * hd], 1) as [Value, Value, Value];
        const heads = (z: Value, n: number, name: string) => {
          const y = cfg.qkNorm ? view(g, g.rmsNormOp(view(g, z, [B, n, hd]), P(`${p}.self_attn.${name}_norm.weight`), eps), [B, n * hd]) : z;
          return ropeInAttention ? y : view(g, g.rotaryEmbedding(view(g, y, [B, 1, n * hd]), positions as Value, rotary, n), [B, n * hd]);
        };
        a = attend(l, heads(q0, nh, 'q'), { k: heads(k0, nkv, 'k'), v }, ropeInAttention ? rotary : undefined);
      }
      keys.push(a.key);
      values.push(a.value);
      const y = permuted ? g.gemm(a.out, P(positionOrderedOutProj(l)), null, { transB: true }) : proj(a.out, `${p}.self_attn.o_proj.weight`);
      const mid = g.skipNorm(y, x, P(`${p}.post_attention_layernorm.weight`), undefined, null, eps);
      const gate = g.quickGelu(proj(mid.out, `${p}.mlp.gate_proj.weight`), 1); // silu
      const m = proj(g.mul(gate, proj(mid.out, `${p}.mlp.up_proj.weight`)), `${p}.mlp.down_proj.weight`);
      const end = g.skipNorm(m, mid.sum, norm(l + 1), undefined, null, eps);
      return [end.out, end.sum] as const;
    });
  }
  const head = P(cfg.tieWordEmbeddings ? 'model.embed_tokens.weight' : 'lm_head.weight');
  return { logits: g.gemm(h, head, null, { transB: true }), keys, values };
}
