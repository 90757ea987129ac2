import { LLAMA_ARCHITECTURES } from '../models/llama-config.js';
import type { LlamaArchitecture, LlamaConfig, RopeScaling } from '../models/llama-config.js';
import { HfModelError } from './errors.js';

/**
 * Maps a Hugging Face `config.json` onto `LlamaConfig`. Reads both spellings transformers has used for rotary
 * settings: the newer `rope_parameters: {rope_type, rope_theta, factor, …}` (transformers ≥ 5) and the older
 * top-level `rope_theta` + `rope_scaling: {type | rope_type, factor, …}`. Anything pipe does not build (another
 * architecture, another activation, sliding-window attention, a RoPE variant other than default/linear/llama3) is
 * refused by name rather than silently computed differently.
 */

const MODEL_TYPES: Readonly<Record<string, LlamaArchitecture>> = {
  llama: 'LlamaForCausalLM',
  qwen2: 'Qwen2ForCausalLM',
  qwen3: 'Qwen3ForCausalLM',
};

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses config.json's object; `file` names it in errors. */
export function parseLlamaConfig(json: unknown, file: string): LlamaConfig {
  if (!isObject(json)) throw new HfModelError(file, 'is not a JSON object');
  const fail = (problem: string): never => {
    throw new HfModelError(file, problem);
  };
  const architecture = readArchitecture(json, fail);
  const int = (key: string, fallback?: number): number => {
    const v = json[key] ?? fallback;
    if (v === undefined) return fail(`missing "${key}"`);
    if (!Number.isSafeInteger(v) || (v as number) <= 0) return fail(`"${key}" must be a positive integer, got ${JSON.stringify(v)}`);
    return v as number;
  };
  const num = (key: string, fallback: number): number => {
    const v = json[key] ?? fallback;
    if (typeof v !== 'number' || !(v > 0)) return fail(`"${key}" must be a positive number, got ${JSON.stringify(v)}`);
    return v;
  };
  const hiddenSize = int('hidden_size');
  const numHeads = int('num_attention_heads');
  const numKvHeads = int('num_key_value_heads', numHeads);
  if (numHeads % numKvHeads !== 0) fail(`"num_attention_heads" (${numHeads}) must be a multiple of "num_key_value_heads" (${numKvHeads})`);
  if (json.head_dim == null && hiddenSize % numHeads !== 0) fail(`"hidden_size" (${hiddenSize}) is not a multiple of "num_attention_heads" (${numHeads}) and "head_dim" is not given`);
  const headDim = json.head_dim == null ? hiddenSize / numHeads : int('head_dim');
  const act = json.hidden_act ?? 'silu';
  if (act !== 'silu') fail(`"hidden_act" ${JSON.stringify(act)} is not supported (pipe builds SwiGLU with silu)`);
  if (json.mlp_bias === true) fail('"mlp_bias": true is not supported');
  if (json.use_sliding_window === true) fail('"use_sliding_window": true is not supported (pipe builds full attention only)');
  const { ropeTheta, ropeScaling } = readRope(json, fail);
  return {
    architecture,
    vocabSize: int('vocab_size'),
    hiddenSize,
    intermediateSize: int('intermediate_size'),
    numLayers: int('num_hidden_layers'),
    numHeads,
    numKvHeads,
    headDim,
    maxPositions: int('max_position_embeddings'),
    rmsNormEps: num('rms_norm_eps', 1e-6),
    ropeTheta,
    ropeScaling,
    // Qwen2 always carries q/k/v biases (its config has no switch); Llama and Qwen3 say so with attention_bias.
    attentionBias: architecture === 'Qwen2ForCausalLM' ? true : json.attention_bias === true,
    qkNorm: architecture === 'Qwen3ForCausalLM',
    tieWordEmbeddings: json.tie_word_embeddings === true,
    bosTokenId: tokenId(json.bos_token_id, 'bos_token_id', fail),
    eosTokenId: eosIds(json.eos_token_id, fail),
  };
}

function readArchitecture(json: Json, fail: (p: string) => never): LlamaArchitecture {
  const archs = json.architectures;
  const known = LLAMA_ARCHITECTURES.join(', ');
  if (Array.isArray(archs) && archs.length > 0) {
    const name = archs[0];
    if (typeof name !== 'string') return fail(`"architectures" must list names, got ${JSON.stringify(archs)}`);
    if (!(LLAMA_ARCHITECTURES as readonly string[]).includes(name)) return fail(`architecture ${name} is not supported (pipe builds ${known})`);
    return name as LlamaArchitecture;
  }
  const type = json.model_type;
  if (typeof type === 'string' && MODEL_TYPES[type] !== undefined) return MODEL_TYPES[type];
  return fail(`neither "architectures" nor "model_type" names a supported architecture (pipe builds ${known}); model_type is ${JSON.stringify(type)}`);
}

function readRope(json: Json, fail: (p: string) => never): { ropeTheta: number; ropeScaling: RopeScaling | null } {
  // transformers ≥ 5: everything in rope_parameters; older: rope_theta at top level, scaling in rope_scaling.
  const params = isObject(json.rope_parameters) ? json.rope_parameters : null;
  const scaling = params ?? (isObject(json.rope_scaling) ? json.rope_scaling : null);
  const theta = params?.rope_theta ?? json.rope_theta ?? 10000;
  if (typeof theta !== 'number' || !(theta > 0)) return fail(`"rope_theta" must be a positive number, got ${JSON.stringify(theta)}`);
  if (scaling === null) return { ropeTheta: theta, ropeScaling: null };
  const type = scaling.rope_type ?? scaling.type ?? 'default';
  const where = params !== null ? 'rope_parameters' : 'rope_scaling';
  const factor = (key: string): number => {
    const v = scaling[key];
    if (typeof v !== 'number' || !(v > 0)) return fail(`"${where}.${key}" must be a positive number, got ${JSON.stringify(v)}`);
    return v;
  };
  switch (type) {
    case 'default':
      return { ropeTheta: theta, ropeScaling: null };
    case 'linear':
      return { ropeTheta: theta, ropeScaling: { type: 'linear', factor: factor('factor') } };
    case 'llama3':
      return {
        ropeTheta: theta,
        ropeScaling: {
          type: 'llama3',
          factor: factor('factor'),
          lowFreqFactor: factor('low_freq_factor'),
          highFreqFactor: factor('high_freq_factor'),
          originalMaxPositions: factor('original_max_position_embeddings'),
        },
      };
    default:
      return fail(`"${where}" type ${JSON.stringify(type)} is not supported (pipe builds default, linear and llama3 RoPE)`);
  }
}

function tokenId(v: unknown, key: string, fail: (p: string) => never): number | null {
  if (v == null) return null;
  if (!Number.isSafeInteger(v) || (v as number) < 0) return fail(`"${key}" must be a token id, got ${JSON.stringify(v)}`);
  return v as number;
}

function eosIds(v: unknown, fail: (p: string) => never): number | readonly number[] | null {
  if (Array.isArray(v)) return v.map((x) => tokenId(x, 'eos_token_id', fail) ?? fail('"eos_token_id" lists null'));
  return tokenId(v, 'eos_token_id', fail);
}

/**
 * A transformers config.json for `cfg` (float32 weights). Writes RoPE both ways — `rope_parameters` for
 * transformers ≥ 5 and top-level `rope_theta`/`rope_scaling` for older releases — so either loads it.
 */
export function hfConfigJson(cfg: LlamaConfig): Json {
  const modelType = Object.entries(MODEL_TYPES).find(([, a]) => a === cfg.architecture)![0];
  const s = cfg.ropeScaling;
  const scaling: Json | null =
    s === null
      ? null
      : s.type === 'linear'
        ? { rope_type: 'linear', type: 'linear', factor: s.factor }
        : {
            rope_type: 'llama3',
            type: 'llama3',
            factor: s.factor,
            low_freq_factor: s.lowFreqFactor,
            high_freq_factor: s.highFreqFactor,
            original_max_position_embeddings: s.originalMaxPositions,
          };
  const { type: _legacy, ...params } = scaling ?? { rope_type: 'default' };
  return {
    architectures: [cfg.architecture],
    model_type: modelType,
    vocab_size: cfg.vocabSize,
    hidden_size: cfg.hiddenSize,
    intermediate_size: cfg.intermediateSize,
    num_hidden_layers: cfg.numLayers,
    num_attention_heads: cfg.numHeads,
    num_key_value_heads: cfg.numKvHeads,
    head_dim: cfg.headDim,
    max_position_embeddings: cfg.maxPositions,
    rms_norm_eps: cfg.rmsNormEps,
    hidden_act: 'silu',
    ...(cfg.architecture === 'Qwen2ForCausalLM' ? { use_sliding_window: false } : { attention_bias: cfg.attentionBias }),
    tie_word_embeddings: cfg.tieWordEmbeddings,
    bos_token_id: cfg.bosTokenId,
    eos_token_id: cfg.eosTokenId,
    rope_theta: cfg.ropeTheta,
    rope_scaling: scaling,
    rope_parameters: { ...params, rope_theta: cfg.ropeTheta },
    dtype: 'float32',
    torch_dtype: 'float32',
  };
}
