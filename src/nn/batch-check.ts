import type { GrpoBatch, LossConfig, TokenBatch } from './types.js';

/**
 * Validates a batch's arrays against its own dims and, given `vocabSize`, that every token and target id is in
 * [0, vocabSize) (graphs index with them: an id out of range would fail deep inside onnxruntime or, negative, wrap
 * around); returns the dims.
 */
export function batchDims(batch: TokenBatch, blockSize: number, vocabSize?: number): { B: number; T: number } {
  const B = batch.batchSize;
  const T = batch.seqLen;
  if (!Number.isInteger(B) || B < 1 || !Number.isInteger(T) || T < 1) throw new Error(`batch: bad dims ${B}×${T}`);
  if (T > blockSize) throw new Error(`batch: seqLen ${T} exceeds the model's blockSize ${blockSize}`);
  const N = B * T;
  for (const [name, arr] of [['tokens', batch.tokens], ['targets', batch.targets], ['mask', batch.mask]] as const) {
    if (arr.length !== N) throw new Error(`batch: ${name} has ${arr.length} entries, expected ${B}×${T} = ${N}`);
  }
  if (vocabSize !== undefined) {
    for (const [name, arr] of [['tokens', batch.tokens], ['targets', batch.targets]] as const) {
      for (let i = 0; i < N; i++) {
        const id = arr[i] as number;
        if (!(id >= 0 && id < vocabSize)) {
          throw new Error(`batch: ${name}[${i}] (row ${Math.floor(i / T)}, position ${i % T}) is ${id}, outside the vocabulary [0, ${vocabSize})`);
        }
      }
    }
  }
  return { B, T };
}

/** Validates a training batch against the trainer's fixed shape and loss. */
export function checkBatch(batch: TokenBatch | GrpoBatch, B: number, T: number, loss: LossConfig, vocabSize?: number): void {
  if (batch.batchSize !== B || batch.seqLen !== T) {
    throw new Error(`Trainer: batch is ${batch.batchSize}×${batch.seqLen}, but this trainer was built for ${B}×${T}`);
  }
  batchDims(batch, T, vocabSize);
  if (loss.kind === 'grpo') {
    const g = batch as Partial<GrpoBatch>;
    const N = B * T;
    for (const name of ['advantages', 'oldLogProbs'] as const) {
      if (!(g[name] instanceof Float32Array) || g[name].length !== N) throw new Error(`Trainer: GRPO batch needs ${name} (Float32Array of ${N})`);
    }
    if (loss.klCoef > 0 && (!(g.refLogProbs instanceof Float32Array) || g.refLogProbs.length !== N)) {
      throw new Error(`Trainer: GRPO with klCoef > 0 needs refLogProbs (Float32Array of ${N})`);
    }
  }
}
