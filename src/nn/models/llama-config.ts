/**
 * Shape of a Llama-family decoder (Llama, Qwen2, Qwen3): RMSNorm, rotary positions, SwiGLU MLP, grouped-query
 * attention. The Hugging Face importer maps a `config.json` onto this; the model builder reads only this.
 * Weights travel beside it as `LlamaWeights`, under the Hugging Face tensor names and layouts
 * (`model.layers.0.self_attn.q_proj.weight` is (out, in) row-major), so import and export are plain renames.
 */

/** Architectures pipe builds; anything else is refused by name at import. */
export const LLAMA_ARCHITECTURES = ['LlamaForCausalLM', 'Qwen2ForCausalLM', 'Qwen3ForCausalLM'] as const;
export type LlamaArchitecture = (typeof LLAMA_ARCHITECTURES)[number];

/** Rotary frequency scaling (`rope_scaling` / `rope_parameters` of config.json); null = plain RoPE. */
export type RopeScaling =
  | { readonly type: 'linear'; readonly factor: number }
  | {
      readonly type: 'llama3';
      readonly factor: number;
      readonly lowFreqFactor: number;
      readonly highFreqFactor: number;
      readonly originalMaxPositions: number;
    };

export interface LlamaConfig {
  readonly architecture: LlamaArchitecture;
  readonly vocabSize: number;
  readonly hiddenSize: number;
  readonly intermediateSize: number;
  readonly numLayers: number;
  readonly numHeads: number;
  /** Grouped-query attention: numHeads must be a multiple of it. */
  readonly numKvHeads: number;
  /** Explicit per-head width (Qwen3 sets it apart from hiddenSize / numHeads). */
  readonly headDim: number;
  readonly maxPositions: number;
  readonly rmsNormEps: number;
  readonly ropeTheta: number;
  readonly ropeScaling: RopeScaling | null;
  /** q/k/v projections carry a bias (Qwen2). */
  readonly attentionBias: boolean;
  /** Per-head RMSNorm on q and k before RoPE (Qwen3). */
  readonly qkNorm: boolean;
  /** lm_head shares embed_tokens' matrix. */
  readonly tieWordEmbeddings: boolean;
  readonly bosTokenId: number | null;
  readonly eosTokenId: number | readonly number[] | null;
}

/** The shape fields of a Llama config; everything else has a plain Llama default in `llamaConfig`. */
export type LlamaShape = Pick<LlamaConfig, 'vocabSize' | 'hiddenSize' | 'intermediateSize' | 'numLayers' | 'numHeads' | 'numKvHeads' | 'headDim' | 'maxPositions'>;

/**
 * A plain Llama config for a shape (a model pipe makes itself, not one read from a folder): RMSNorm eps 1e-5, RoPE
 * theta 10 000 without scaling, no q/k/v bias, no q/k norm, tied embeddings, no BOS/EOS ids; `over` changes any of it.
 */
export function llamaConfig(shape: LlamaShape, over: Partial<LlamaConfig> = {}): LlamaConfig {
  return {
    architecture: 'LlamaForCausalLM',
    ...shape,
    rmsNormEps: 1e-5,
    ropeTheta: 10000,
    ropeScaling: null,
    attentionBias: false,
    qkNorm: false,
    tieWordEmbeddings: true,
    bosTokenId: null,
    eosTokenId: null,
    ...over,
  };
}

/** One tensor, always widened to float32 (BF16/F16 on disk are computed in float32). */
export interface NamedTensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** Parameters under their Hugging Face names (no `lm_head.weight` when embeddings are tied). */
export type LlamaWeights = ReadonlyMap<string, NamedTensor>;
