import type { AdamWConfig, Checkpoint, GrpoBatch, LossConfig, SessionOptions, StepStats, TokenBatch } from './types.js';

/** Options of `Trainer.create`: the graphs are built for a fixed batch size and sequence length. */
export type TrainerOptions = SessionOptions & {
  readonly init: Checkpoint;
  readonly optim: AdamWConfig;
  readonly loss: LossConfig;
  readonly batchSize: number;
  readonly seqLen: number;
};

/** Trains a GPT: one `session.run` per optimizer step (forward, backward, clipping and AdamW in one graph). */
export class Trainer {
  get step(): number {
    throw new Error('Trainer: not implemented yet');
  }
  static async create(_opts: TrainerOptions): Promise<Trainer> {
    throw new Error('Trainer: not implemented yet');
  }
  async train(_batch: TokenBatch | GrpoBatch): Promise<StepStats> {
    throw new Error('Trainer: not implemented yet');
  }
  async evalLoss(_batch: TokenBatch): Promise<number> {
    throw new Error('Trainer: not implemented yet');
  }
  async checkpoint(): Promise<Checkpoint> {
    throw new Error('Trainer: not implemented yet');
  }
  async dispose(): Promise<void> {}
}
