import type { Checkpoint } from './types.js';

/** Writes model.onnx + checkpoint.json + optimizer.bin into `dir`. */
export async function saveCheckpoint(_dir: string, _ckpt: Checkpoint): Promise<void> {
  throw new Error('saveCheckpoint: not implemented yet');
}

/** Reads a directory written by saveCheckpoint. */
export async function loadCheckpoint(_dir: string): Promise<Checkpoint> {
  throw new Error('loadCheckpoint: not implemented yet');
}
