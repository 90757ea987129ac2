/**
 * A GRPO rollout as a training batch: each completion laid out after the prompt exactly as the policy read it, with
 * the completion's advantage on every response token and the behaviour (and reference) policy's log-probs.
 *
 * How text becomes ids is the model's: the byte GPT (and a Llama-family model pretrained over bytes) reads the byte
 * framing `BOS prompt SEP response EOS`; a Hugging Face model reads its own tokenizer's ids, the prompt rendered by
 * its chat template as one user turn (when the trainer renders chat), and its response ends with the end-of-sequence
 * id it stopped at, so the update also teaches where to stop. A completion cut off by `maxNewTokens` gets no end id.
 */
import type { GrpoBatch, TokenBatch } from '../../nn/index.js';
import type { PromptCodec, ModelPolicy } from '../eval/model-policy.js';
import type { Completion } from '../eval/policy.js';
import type { RolloutBatch } from './grpo-core.js';
import type { BaseModel } from './base-model.js';
import { packFor } from './base-model.js';

/** One packed row: the prompt's ids and the response's (the part the loss covers). */
export interface IdRow {
  readonly prompt: number[];
  readonly response: number[];
}

/** How a trainer's model reads prompts and writes responses, for GRPO's batches. */
export interface RolloutEncoding {
  /** The prompt's ids, as the policy fed them to the model (chat-rendered for a chat model). */
  promptIds(prompt: string): number[];
  /** The ids the model wrote for a completion. */
  responseIds(c: Completion): number[];
  /** Packs rows into a batch of `seqLen` (byte framing, or the ids as they are). */
  pack(rows: readonly IdRow[], seqLen: number): Promise<TokenBatch>;
}

/**
 * The encoding of `base` (null: the byte vocabulary). `codec` is the Hugging Face model's prompt codec (the one its
 * rollout policy uses); `maxNewTokens` is the completion budget the policy sampled with, so a shorter completion
 * is one that stopped at an end-of-sequence id. Which end id it sampled is not reported by the sampler: the row
 * gets the tokenizer's `eos_token` when it is one of the model's end ids (the chat template's end of turn for
 * instruct models), else the config's first end id.
 */
export async function rolloutEncoding(base: BaseModel | null, codec: PromptCodec | undefined, maxNewTokens: number): Promise<RolloutEncoding> {
  const nn = await import('../../nn/index.js');
  if (base?.hf == null || codec === undefined) {
    return {
      promptIds: (p) => nn.tokenizer.encode(p),
      responseIds: (c) => [...c.tokens],
      pack: (rows, seqLen) => Promise.resolve(nn.packBatch(rows, seqLen)),
    };
  }
  const ends = codec.vocab?.eos ?? [];
  const tokEos = base.hf.tokenizer.specialId('eos_token');
  const stopId = tokEos !== null && ends.includes(tokEos) ? tokEos : ends[0];
  return {
    promptIds: (p) => codec.encodePrompt(p),
    responseIds: (c) => (c.tokens.length < maxNewTokens && stopId !== undefined ? [...c.tokens, stopId] : [...c.tokens]),
    pack: (rows, seqLen) => packFor(base, rows, seqLen),
  };
}

/** Builds the GRPO training batch of a rollout: packed rows, per-token advantages, old (and ref) log-probs. */
export async function grpoBatch(
  rollout: RolloutBatch,
  groupSize: number,
  seqLen: number,
  encoding: RolloutEncoding,
  behaviour: ModelPolicy,
  reference: ModelPolicy | undefined,
): Promise<GrpoBatch> {
  const promptIds = rollout.items.map((it) => encoding.promptIds(it.prompt));
  const rows = rollout.completions.map((c, i) => ({ prompt: promptIds[Math.floor(i / groupSize)] as number[], response: encoding.responseIds(c) }));
  const base = await encoding.pack(rows, seqLen);
  const advantages = new Float32Array(base.batchSize * base.seqLen);
  for (let b = 0; b < base.batchSize; b++) {
    const a = rollout.advantages[b] as number;
    for (let t = 0; t < base.seqLen; t++) advantages[b * base.seqLen + t] = a * (base.mask[b * base.seqLen + t] as number);
  }
  const oldLogProbs = await behaviour.logProbs(base);
  const refLogProbs = reference === undefined ? undefined : await reference.logProbs(base);
  return { ...base, advantages, oldLogProbs, ...(refLogProbs !== undefined ? { refLogProbs } : {}) };
}
