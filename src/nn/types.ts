import type { LlamaConfig } from './models/llama-config.js';
import type { LoraConfig } from './models/lora.js';

/**
 * Public data types of the neural core. Plain data only (typed arrays, maps, numbers), so callers never touch
 * onnxruntime-node objects and checkpoints can be hashed and stored as ordinary files.
 */

/** Execution provider. `cuda` is passed through to onnxruntime-node for users who have its libraries. */
export type Provider = 'cpu' | 'webgpu' | 'cuda';

/** How sessions are created. `threads` = intra-op threads (default: onnxruntime's choice). */
export interface SessionOptions {
  readonly provider?: Provider;
  readonly threads?: number;
  /**
   * Let idle onnxruntime worker threads spin (its default) instead of sleeping (trainer and generator). Default
   * false: with other processes on the cores, spinning made the train step 1.36× slower (bench/train/README.md) and
   * decoding slower too (bench/eval/README.md); on idle cores it saves a little wake-up latency.
   */
  readonly spinning?: boolean;
}

/** Shape of a nanoGPT-style decoder. `nEmbd` must be divisible by `nHead`. */
export interface GptConfig {
  readonly vocabSize: number;
  readonly blockSize: number;
  readonly nLayer: number;
  readonly nHead: number;
  readonly nEmbd: number;
}

/** Either model pipe builds: the byte-level GPT or a Llama-family decoder (see models/llama-config.ts). */
export type ModelConfig = GptConfig | LlamaConfig;

/** AdamW with linear warmup + cosine decay to `lr·minLrRatio`, and global-norm clipping (`gradClip` ≤ 0 disables). */
export interface AdamWConfig {
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  readonly warmupSteps: number;
  readonly totalSteps: number;
  readonly minLrRatio: number;
  readonly gradClip: number;
}

/** B×T token ids, next-token targets and a loss mask (1 on response tokens + EOS), row-major. */
export interface TokenBatch {
  readonly batchSize: number;
  readonly seqLen: number;
  readonly tokens: Int32Array;
  readonly targets: Int32Array;
  readonly mask: Float32Array;
}

/** A GRPO batch: per-token advantages, the behaviour policy's log-probs and optionally a reference's (all B×T). */
export interface GrpoBatch extends TokenBatch {
  readonly advantages: Float32Array;
  readonly oldLogProbs: Float32Array;
  readonly refLogProbs?: Float32Array;
}

/** Loss of a training step: masked cross-entropy, or GRPO's clipped policy gradient (+ k3 KL when klCoef > 0). */
export type LossConfig =
  | { readonly kind: 'sft' }
  | { readonly kind: 'grpo'; readonly clipEps: number; readonly klCoef: number };

/** What one optimizer step reports. `gradNorm` is the global norm before clipping; `step` counts finished steps. */
export interface StepStats {
  readonly loss: number;
  readonly gradNorm: number;
  readonly lr: number;
  readonly step: number;
}

/**
 * Model weights by parameter name (`gptParamSpecs`, or Hugging Face names for the Llama family), with optional AdamW
 * moments (of the trainable tensors) and free-form metadata. With `lora`, `weights` also holds the adapters
 * (`….lora_A.weight`, `….lora_B.weight`) and only they train.
 */
export interface Checkpoint {
  readonly config: ModelConfig;
  readonly step: number;
  readonly weights: ReadonlyMap<string, Float32Array>;
  readonly lora?: LoraConfig;
  readonly optimizer?: {
    readonly m: ReadonlyMap<string, Float32Array>;
    readonly v: ReadonlyMap<string, Float32Array>;
  };
  readonly meta?: Record<string, unknown>;
}
