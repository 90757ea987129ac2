import type { Graph } from '../onnx/graph.js';
import type { Value } from '../onnx/types.js';
import type { GptConfig, ModelConfig } from '../types.js';
import type { DecodeResult, Params } from './gpt.js';
import type { LlamaConfig } from './llama-config.js';
import { ropeTables } from './llama.js';
import { isLlama } from './model.js';

/**
 * The one-token decode step in few kernels, for a KV cache that stays on the device (WebGPU). A small model's decode
 * step on WebGPU costs per kernel dispatched, not per flop, so this graph uses onnxruntime's contrib ops that have
 * CPU and WebGPU kernels (onnxruntime 1.30) where the standard graph (gpt.ts / llama.ts decodeStep) spells the same
 * math out op by op:
 *
 * - GroupQueryAttention: writes the token's key and value into the cache at the row's slot, rotates q and k (Llama
 *   family), attends to the row's slots 0…position and returns the updated cache — one node instead of the Where
 *   writes, the scores, the mask, the softmax, the products and the RoPE arithmetic;
 * - SkipLayerNormalization / SkipSimplifiedLayerNormalization: each residual add with the norm that follows it (and
 *   the preceding projection's bias); SimplifiedLayerNormalization: RMSNorm;
 * - Gelu (exact erf, the GPT's) and QuickGelu with alpha 1 (SiLU, the Llama family's gate);
 * - one Gemm for q, k and v (the GPT's fused c_attn; the Llama family's projections packed once per weight update,
 *   see `fusedDecodeWeights`).
 *
 * The cache layout differs from the standard graph's: keys (B, nkv, S, hd) like values (GroupQueryAttention's), not
 * transposed. A row's slots are contiguous from 0 (its prompt, then its response) and its position is its slot count,
 * so the row's position is GroupQueryAttention's seqlens_k (its total length − 1): the graph needs no slot mask.
 */

/** Name of a Llama-family layer's packed q/k/v projection (rows q, then k, then v; (out, in) like its parts). */
export const packedQkv = (l: number, part: 'weight' | 'bias') => `model.layers.${l}.self_attn.qkv_proj.${part}`;

/** Extra weight inputs of the fused graph (the Llama family's packed q/k/v projections; none for the GPT). */
export function fusedDecodeSpecs(cfg: ModelConfig): { name: string; shape: number[]; parts: string[] }[] {
  if (!isLlama(cfg)) return [];
  const rows = (cfg.numHeads + 2 * cfg.numKvHeads) * cfg.headDim;
  return Array.from({ length: cfg.numLayers }, (_, l) => {
    const parts = (part: 'weight' | 'bias') => ['q', 'k', 'v'].map((n) => `model.layers.${l}.self_attn.${n}_proj.${part}`);
    const w = { name: packedQkv(l, 'weight'), shape: [rows, cfg.hiddenSize], parts: parts('weight') };
    return cfg.attentionBias ? [w, { name: packedQkv(l, 'bias'), shape: [rows], parts: parts('bias') }] : [w];
  }).flat();
}

/** The extra weights' data, concatenated from the checkpoint's (computed again after each weight update). */
export function fusedDecodeWeights(cfg: ModelConfig, weight: (name: string) => Float32Array): { name: string; shape: number[]; data: Float32Array }[] {
  return fusedDecodeSpecs(cfg).map(({ name, shape, parts }) => {
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    let at = 0;
    for (const part of parts) {
      const w = weight(part);
      data.set(w, at);
      at += w.length;
    }
    if (at !== data.length) throw new Error(`Internal error: packed weight '${name}' has ${at} of ${data.length} values`);
    return { name, shape, data };
  });
}

/** Inputs of the fused decode step: per-layer caches (B, nkv, S, hd) and the longest row's total length (int32 [1]). */
export interface FusedDecodeInputs {
  readonly token: Value;
  readonly position: Value;
  readonly totalLen: Value;
  readonly pastKeys: readonly Value[];
  readonly pastValues: readonly Value[];
}

/** The fused decode step of either family; returns the logits and the updated caches. */
export function fusedDecodeStep(g: Graph, cfg: ModelConfig, P: Params, io: FusedDecodeInputs): DecodeResult {
  return isLlama(cfg) ? llamaStep(g, cfg, P, io) : gptStep(g, cfg, P, io);
}

function cacheOf(io: FusedDecodeInputs, l: number) {
  return { pastKey: io.pastKeys[l] as Value, pastValue: io.pastValues[l] as Value, seqlensK: io.position, totalLen: io.totalLen };
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
  for (let l = 0; l < cfg.nLayer; l++) {
    const p = `h.${l}`;
    [h, x] = g.scoped(p, () => {
      const qkv = g.reshape(g.gemm(h, P(`${p}.attn.c_attn.weight`), P(`${p}.attn.c_attn.bias`)), [B, 1, 3 * C]);
      const a = g.groupQueryAttention(qkv, null, cacheOf(io, l), { heads: nh, kvHeads: nh, scale: 1 / Math.sqrt(C / nh) });
      keys.push(a.key);
      values.push(a.value);
      const y = g.matmul(g.reshape(a.out, [B, C]), P(`${p}.attn.c_proj.weight`));
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
  // narrower heads go through RotaryEmbedding, which takes int64 positions (B, 1).
  const ropeInAttention = hd % 16 === 0;
  const positions = ropeInAttention ? undefined : g.reshape(g.cast(io.position, 'int64'), [B, 1]);
  const norm = (l: number) => P(l < cfg.numLayers ? `model.layers.${l}.input_layernorm.weight` : 'model.norm.weight');
  const x0 = g.gather(P('model.embed_tokens.weight'), io.token, 0); // (B, C)
  let h = g.rmsNormOp(x0, norm(0), eps);
  let x = x0;
  const keys: Value[] = [];
  const values: Value[] = [];
  const proj = (v: Value, name: string, bias: Value | null = null) => g.gemm(v, P(name), bias, { transB: true });
  for (let l = 0; l < cfg.numLayers; l++) {
    const p = `model.layers.${l}`;
    [h, x] = g.scoped(`layers.${l}`, () => {
      const qkv = proj(h, packedQkv(l, 'weight'), cfg.attentionBias ? P(packedQkv(l, 'bias')) : null); // (B, (nh + 2·nkv)·hd)
      const o = { heads: nh, kvHeads: nkv, scale: 1 / Math.sqrt(hd), ...(ropeInAttention ? { rotary } : {}) };
      let a: ReturnType<Graph['groupQueryAttention']>;
      if (cfg.qkNorm || !ropeInAttention) {
        const [q0, k0, v] = g.split(qkv, [nh * hd, nkv * hd, nkv * hd], 1) as [Value, Value, Value];
        const heads = (z: Value, n: number, name: string) => {
          let y = g.reshape(z, [B, 1, n * hd]);
          if (cfg.qkNorm) y = g.reshape(g.rmsNormOp(g.reshape(z, [B, n, hd]), P(`${p}.self_attn.${name}_norm.weight`), eps), [B, 1, n * hd]);
          return ropeInAttention ? y : g.rotaryEmbedding(y, positions as Value, rotary, n);
        };
        a = g.groupQueryAttention(heads(q0, nh, 'q'), { k: heads(k0, nkv, 'k'), v: g.reshape(v, [B, 1, nkv * hd]) }, cacheOf(io, l), o);
      } else {
        a = g.groupQueryAttention(g.reshape(qkv, [B, 1, (nh + 2 * nkv) * hd]), null, cacheOf(io, l), o);
      }
      keys.push(a.key);
      values.push(a.value);
      const y = proj(g.reshape(a.out, [B, nh * hd]), `${p}.self_attn.o_proj.weight`);
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
