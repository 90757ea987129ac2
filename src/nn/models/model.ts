import type { Graph } from '../onnx/graph.js';
import type { Value } from '../onnx/types.js';
import type { ModelConfig } from '../types.js';
import { gptParamSpecs, type ParamSpec } from './gpt-params.js';
import { gptDecodeStep, gptForward, type DecodeResult, type ForwardResult, type Params } from './gpt.js';
import type { LlamaConfig } from './llama-config.js';
import { llamaParamSpecs } from './llama-params.js';
import { llamaDecodeStep, llamaForward } from './llama.js';
import { loraSpecs, validateLora, type LoraConfig } from './lora.js';

/** True for a Llama-family config (it names its Hugging Face architecture). */
export function isLlama(cfg: ModelConfig): cfg is LlamaConfig {
  return 'architecture' in cfg;
}

/** Inputs of one KV-cache decode step (cache layout: keys (B, kvHeads, headDim, S), values (B, kvHeads, S, headDim)). */
export interface DecodeInputs {
  readonly token: Value;
  readonly position: Value;
  readonly pastKeys: readonly Value[];
  readonly pastValues: readonly Value[];
  readonly slotBias: Value;
  /** (B, S) bool: the slot this step's key and value go to, written in the graph (a device-resident cache). */
  readonly slotHot?: Value;
}

/**
 * What the trainer, generator and checkpoints need of a decoder, whichever family it is: its parameters (which
 * ones train, which are frozen graph inputs), the full-sequence forward and the one-token decode step.
 */
export interface DecoderModel {
  readonly config: ModelConfig;
  readonly vocabSize: number;
  /** Longest sequence (positions) the model takes. */
  readonly contextLength: number;
  readonly numLayers: number;
  /** Heads of the KV cache and their width. */
  readonly kvHeads: number;
  readonly headDim: number;
  /** Every tensor of the network (base weights, then LoRA adapters), in a fixed order. */
  readonly specs: readonly ParamSpec[];
  /** What the optimizer updates: everything, or the adapters only under LoRA. */
  readonly trainable: readonly ParamSpec[];
  /** Graph inputs without gradient or optimizer state (the base weights under LoRA). */
  readonly frozen: readonly ParamSpec[];
  /**
   * Logits (B·T, V) and per-layer keys/values (B, kvHeads, T, headDim); `positions`/`attnBias` for left-padded rows.
   * `lastOnly` (Llama family only): logits (B, V) of each row's last position, the head run on those rows alone.
   */
  forward(g: Graph, P: Params, tokens: Value, opts?: ForwardOptions): ForwardResult;
  decodeStep(g: Graph, P: Params, io: DecodeInputs): DecodeResult;
}

/** Options of DecoderModel.forward. */
export interface ForwardOptions {
  readonly positions?: Value;
  readonly attnBias?: Value;
  readonly ropeRows?: number;
  readonly lastOnly?: boolean;
}

/** The decoder of a config; `lora` (Llama family only) adds adapters and freezes the base weights. */
export function decoderModel(config: ModelConfig, lora?: LoraConfig | null): DecoderModel {
  if (!isLlama(config)) {
    if (lora) throw new Error('LoRA applies to Llama-family models only, not to the byte-level GPT');
    const specs = gptParamSpecs(config);
    return {
      config,
      vocabSize: config.vocabSize,
      contextLength: config.blockSize,
      numLayers: config.nLayer,
      kvHeads: config.nHead,
      headDim: config.nEmbd / config.nHead,
      specs,
      trainable: specs,
      frozen: [],
      forward: (g, P, tokens, opts = {}) => {
        // The byte GPT's head is small (260 ids), and its published samples were drawn from the full head's logits.
        if (opts.lastOnly) throw new Error('forward: lastOnly applies to Llama-family models only');
        return gptForward(g, config, P, tokens, opts);
      },
      decodeStep: (g, P, io) => gptDecodeStep(g, config, P, io),
    };
  }
  if (lora) validateLora(lora);
  const base = llamaParamSpecs(config);
  const adapters = lora ? loraSpecs(config, lora) : [];
  const build = { cfg: config, lora: lora ?? null };
  return {
    config,
    vocabSize: config.vocabSize,
    contextLength: config.maxPositions,
    numLayers: config.numLayers,
    kvHeads: config.numKvHeads,
    headDim: config.headDim,
    specs: [...base, ...adapters],
    trainable: lora ? adapters : base,
    frozen: lora ? base : [],
    forward: (g, P, tokens, opts = {}) => llamaForward(g, { ...build, P }, tokens, opts),
    decodeStep: (g, P, io) => llamaDecodeStep(g, { ...build, P }, io),
  };
}

/** The longest sequence a model of this config takes. */
export function contextLength(cfg: ModelConfig): number {
  return isLlama(cfg) ? cfg.maxPositions : cfg.blockSize;
}
