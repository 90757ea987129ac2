/**
 * Adapts a checkpoint to the `Policy` interface through the neural core's KV-cache Generator: byte-encodes prompts,
 * splits them into batches of `maxBatch`, and derives one sampling seed per batch from the call's seed.
 */
import type { Checkpoint, Provider, TokenBatch } from '../../nn/index.js';
import { deriveSeed } from '../../util/rng.js';
import type { Completion, Policy, SampleOptions } from './policy.js';

/** Options of a model-backed policy. */
export interface ModelPolicyOptions {
  readonly provider?: Provider;
  readonly threads?: number;
  /** Episodes decoded together (bigger is faster per episode, up to memory). */
  readonly maxBatch?: number;
}

/** A policy backed by a live Generator: also refreshes its weights and scores token log-probs (for GRPO). */
export interface ModelPolicy extends Policy {
  readonly blockSize: number;
  setWeights(ckpt: Checkpoint): Promise<void>;
  logProbs(batch: TokenBatch): Promise<Float32Array>;
  dispose(): Promise<void>;
}

/** A Policy that samples from the checkpoint in `dir`. Call `dispose()` when done. */
export async function loadModelPolicy(dir: string, opts: ModelPolicyOptions = {}): Promise<ModelPolicy> {
  const nn = await import('../../nn/index.js');
  return createModelPolicy(await nn.loadCheckpoint(dir), opts);
}

/** A Policy sampling from an in-memory checkpoint. */
export async function createModelPolicy(ckpt: Checkpoint, opts: ModelPolicyOptions = {}): Promise<ModelPolicy> {
  const nn = await import('../../nn/index.js');
  const maxBatch = opts.maxBatch ?? 64;
  const blockSize = ckpt.config.blockSize;
  const generator = await nn.Generator.create(ckpt, {
    maxBatch,
    maxLen: blockSize,
    provider: opts.provider ?? 'cpu',
    ...(opts.threads !== undefined ? { threads: opts.threads } : {}),
  });
  return {
    blockSize,
    async complete(prompts: readonly string[], o: SampleOptions): Promise<Completion[]> {
      const maxNewTokens = Math.min(o.maxNewTokens, blockSize - 8);
      // Keep the end of an over-long prompt (the grid and the cue sit there), leaving room for the answer.
      const room = blockSize - maxNewTokens - 2;
      const encoded = prompts.map((p) => {
        const ids = nn.tokenizer.encode(p);
        return ids.length > room ? ids.slice(ids.length - room) : ids;
      });
      const out: Completion[] = [];
      for (let i = 0; i < encoded.length; i += maxBatch) {
        const res = await generator.generate(encoded.slice(i, i + maxBatch), {
          maxNewTokens,
          temperature: o.temperature,
          topP: o.topP,
          seed: deriveSeed(o.seed, i),
          ...(o.stop !== undefined ? { stop: o.stop } : {}),
        });
        // Response tokens only: drop any special id (EOS/PAD) a generator might leave in.
        res.text.forEach((text, j) => out.push({ text, tokens: (res.tokens[j] ?? []).filter((t) => t < 256) }));
      }
      return out;
    },
    setWeights: (c) => generator.setWeights(c),
    logProbs: (batch) => generator.logProbs(batch),
    async dispose() {
      await generator.dispose();
    },
  };
}
