import { describe, expect, it } from 'vitest';
import { Trainer, initGpt, tokenizer } from '../../src/nn/index.js';
import { Rng } from '../../src/util/rng.js';
import { copyBatch } from './helpers.js';

describe('a tiny GPT learns', () => {
  it('the copy task: held-out loss falls from ≈ln(260) to below 0.1 nats/token', async () => {
    const cfg = { vocabSize: tokenizer.vocabSize, blockSize: 16, nLayer: 2, nHead: 2, nEmbd: 64 };
    const optim = { lr: 3e-3, beta1: 0.9, beta2: 0.98, eps: 1e-8, weightDecay: 0.01, warmupSteps: 20, totalSteps: 400, minLrRatio: 0.1, gradClip: 1 };
    const trainer = await Trainer.create({ init: initGpt(cfg, 1), optim, loss: { kind: 'sft' }, batchSize: 32, seqLen: 16 });
    const heldOut = copyBatch(new Rng(999), 64, 16);
    const before = await trainer.evalLoss(heldOut);
    const rng = new Rng(7);
    for (let s = 0; s < 400; s++) await trainer.train(copyBatch(rng, 32, 16));
    const after = await trainer.evalLoss(heldOut);
    await trainer.dispose();
    expect(before).toBeGreaterThan(5);
    // Measured 0.019 at 400 steps (0.105 at 300): copying is learned, not just the letter frequencies (≈1.4).
    expect(after).toBeLessThan(0.1);
  }, 90_000);
});
