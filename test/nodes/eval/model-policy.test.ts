import { describe, expect, it } from 'vitest';
import { createModelPolicy } from '../../../src/nodes/eval/model-policy.js';
import { initLlama, llamaConfig } from '../../../src/nn/index.js';

describe('model policy', () => {
  it('refuses a checkpoint whose vocabulary is not the byte tokenizer it encodes prompts with', async () => {
    const ckpt = initLlama(
      llamaConfig({ vocabSize: 300, hiddenSize: 16, intermediateSize: 48, numLayers: 1, numHeads: 2, numKvHeads: 2, headDim: 8, maxPositions: 16 }),
      1,
    );
    await expect(createModelPolicy(ckpt)).rejects.toThrow("model policy: the checkpoint's vocabulary has 300 ids, not the byte tokenizer's 260");
  });
});
