import { Rng } from '../../util/rng.js';
import type { Checkpoint } from '../types.js';
import { numel, type ParamSpec } from './gpt-params.js';
import { mergeLora } from './lora.js';
import { LLAMA_ARCHITECTURES, type LlamaConfig, type LlamaWeights } from './llama-config.js';

/**
 * The Llama-family parameters in a fixed order, under their Hugging Face names and shapes (Linear weights (out, in)).
 * Random init as transformers' `_init_weights`: normal(0, 0.02) matrices, zero biases, unit norms. ≥ 2-D tensors
 * are decayed by AdamW (as for the GPT). No `lm_head.weight` when embeddings are tied.
 */
export function llamaParamSpecs(cfg: LlamaConfig): ParamSpec[] {
  validateLlamaConfig(cfg);
  const C = cfg.hiddenSize;
  const q = cfg.numHeads * cfg.headDim;
  const kv = cfg.numKvHeads * cfg.headDim;
  const I = cfg.intermediateSize;
  const normal = { kind: 'normal', std: 0.02 } as const;
  const one = { kind: 'const', value: 1 } as const;
  const zero = { kind: 'const', value: 0 } as const;
  const mat = (name: string, out: number, inp: number): ParamSpec => ({ name, shape: [out, inp], init: normal, decay: true });
  const vec = (name: string, n: number, init: ParamSpec['init']): ParamSpec => ({ name, shape: [n], init, decay: false });
  const specs: ParamSpec[] = [mat('model.embed_tokens.weight', cfg.vocabSize, C)];
  for (let l = 0; l < cfg.numLayers; l++) {
    const p = `model.layers.${l}`;
    specs.push(vec(`${p}.input_layernorm.weight`, C, one));
    for (const [n, out] of [['q', q], ['k', kv], ['v', kv]] as const) {
      specs.push(mat(`${p}.self_attn.${n}_proj.weight`, out, C));
      if (cfg.attentionBias) specs.push(vec(`${p}.self_attn.${n}_proj.bias`, out, zero));
    }
    specs.push(mat(`${p}.self_attn.o_proj.weight`, C, q));
    if (cfg.qkNorm) specs.push(vec(`${p}.self_attn.q_norm.weight`, cfg.headDim, one), vec(`${p}.self_attn.k_norm.weight`, cfg.headDim, one));
    specs.push(
      vec(`${p}.post_attention_layernorm.weight`, C, one),
      mat(`${p}.mlp.gate_proj.weight`, I, C),
      mat(`${p}.mlp.up_proj.weight`, I, C),
      mat(`${p}.mlp.down_proj.weight`, C, I),
    );
  }
  specs.push(vec('model.norm.weight', C, one));
  if (!cfg.tieWordEmbeddings) specs.push(mat('lm_head.weight', cfg.vocabSize, C));
  return specs;
}

/** Throws a message naming the field for an unusable config. */
export function validateLlamaConfig(cfg: LlamaConfig): void {
  if (!(LLAMA_ARCHITECTURES as readonly string[]).includes(cfg.architecture)) {
    throw new Error(`LlamaConfig.architecture '${cfg.architecture}' is not one of ${LLAMA_ARCHITECTURES.join(', ')}`);
  }
  for (const k of ['vocabSize', 'hiddenSize', 'intermediateSize', 'numLayers', 'numHeads', 'numKvHeads', 'headDim', 'maxPositions'] as const) {
    const v = cfg[k];
    if (!Number.isInteger(v) || v < 1) throw new Error(`LlamaConfig.${k} must be a positive integer, got ${v}`);
  }
  if (cfg.numHeads % cfg.numKvHeads !== 0) throw new Error(`LlamaConfig.numHeads (${cfg.numHeads}) must be a multiple of numKvHeads (${cfg.numKvHeads})`);
  if (cfg.headDim % 2 !== 0) throw new Error(`LlamaConfig.headDim must be even for rotary embeddings, got ${cfg.headDim}`);
  if (!(cfg.rmsNormEps > 0) || !(cfg.ropeTheta > 0)) throw new Error('LlamaConfig.rmsNormEps and ropeTheta must be > 0');
}

/** Fresh random weights for a config (seeded), for benchmarks and from-scratch pretraining. */
export function initLlama(config: LlamaConfig, seed: number): Checkpoint {
  const rng = new Rng(seed);
  const weights = new Map<string, Float32Array>();
  for (const s of llamaParamSpecs(config)) {
    const data = new Float32Array(numel(s.shape));
    if (s.init.kind === 'normal') for (let i = 0; i < data.length; i++) data[i] = rng.normal() * s.init.std;
    else if (s.init.kind === 'const') data.fill(s.init.value);
    weights.set(s.name, data);
  }
  return { config, step: 0, weights };
}

/** A checkpoint of imported Hugging Face weights (shapes checked against the config, names as in the folder). */
export function llamaCheckpoint(config: LlamaConfig, hf: LlamaWeights): Checkpoint {
  const weights = new Map<string, Float32Array>();
  for (const s of llamaParamSpecs(config)) {
    const t = hf.get(s.name);
    if (t === undefined) throw new Error(`missing tensor '${s.name}'`);
    if (t.shape.join() !== s.shape.join()) throw new Error(`tensor '${s.name}' has shape [${t.shape.join(', ')}], the config needs [${s.shape.join(', ')}]`);
    weights.set(s.name, t.data);
  }
  return { config, step: 0, weights };
}

/**
 * Every weight of a trained Llama-family model under its Hugging Face name and shape, LoRA merged: what an export
 * writes to model.safetensors (no `lm_head.weight` when tied, as transformers saves it).
 */
export function hfWeights(ckpt: Checkpoint): LlamaWeights {
  if (!('architecture' in ckpt.config)) throw new Error('hfWeights: the byte-level GPT has no Hugging Face form');
  const merged = mergeLora(ckpt);
  const out = new Map<string, { shape: readonly number[]; data: Float32Array }>();
  for (const s of llamaParamSpecs(ckpt.config)) {
    const data = merged.weights.get(s.name);
    if (data === undefined || data.length !== numel(s.shape)) throw new Error(`hfWeights: tensor '${s.name}' is missing or mis-sized`);
    out.set(s.name, { shape: s.shape, data });
  }
  return out;
}
