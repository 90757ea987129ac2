import type { Checkpoint, SessionOptions, TokenBatch } from './types.js';

/** Options of `Generator.generate`. temperature 0 = greedy; `stop` strings end a row (the stop text is kept). */
export interface GenerateOptions {
  readonly maxNewTokens: number;
  readonly temperature: number;
  readonly topP: number;
  readonly seed: number;
  readonly stop?: readonly string[];
}

/** Batched sampling with a KV cache. */
export class Generator {
  static async create(_ckpt: Checkpoint, _opts: SessionOptions & { maxBatch: number; maxLen: number }): Promise<Generator> {
    throw new Error('Generator: not implemented yet');
  }
  async setWeights(_ckpt: Checkpoint): Promise<void> {
    throw new Error('Generator: not implemented yet');
  }
  async generate(
    _prompts: readonly (readonly number[])[],
    _opts: GenerateOptions,
  ): Promise<{ tokens: number[][]; text: string[] }> {
    throw new Error('Generator: not implemented yet');
  }
  async logProbs(_batch: TokenBatch): Promise<Float32Array> {
    throw new Error('Generator: not implemented yet');
  }
  async dispose(): Promise<void> {}
}
