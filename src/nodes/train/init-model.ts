/**
 * A fresh model for train.sft's `model` shape: the byte-level GPT (learned absolute positions, the default), or with
 * `arch: llama` a Llama-family decoder of the same depth, width and heads (RMSNorm, rotary positions, SwiGLU MLP of
 * about 8/3 the width, tied embeddings) over the same byte vocabulary — the base model a study pretrains.
 */
import type { Checkpoint } from '../../nn/index.js';
import type { ModelParams } from './common.js';

/** The Llama-family MLP width for a model width: 8/3 of it, rounded up to a multiple of 16 (as Llama rounds). */
export function llamaIntermediateSize(width: number): number {
  return Math.ceil((width * 8) / 3 / 16) * 16;
}

/** Mistakes in a model shape (paths inside it): heads that do not divide the width, an odd head width for rotary positions. */
export function modelShapeProblems(shape: ModelParams): { readonly path: readonly string[]; readonly message: string }[] {
  if (shape.nEmbd % shape.nHead !== 0) return [{ path: ['nHead'], message: `must divide nEmbd (${shape.nEmbd}) into equal heads` }];
  if (shape.arch === 'llama' && (shape.nEmbd / shape.nHead) % 2 !== 0) {
    return [{ path: ['nHead'], message: `gives an odd head width (${shape.nEmbd}/${shape.nHead}); a llama model's rotary positions need an even one` }];
  }
  return [];
}

/** Initial weights for `shape` (seeded); `nn` is the lazily imported nn module of the calling node. */
export function initModel(nn: typeof import('../../nn/index.js'), shape: ModelParams, seed: number): Checkpoint {
  const problem = modelShapeProblems(shape)[0];
  if (problem !== undefined) throw new Error(`train.sft: model.${problem.path.join('.')} ${problem.message}`);
  const { arch, ...gpt } = shape;
  if (arch !== 'llama') return nn.initGpt({ vocabSize: nn.tokenizer.vocabSize, ...gpt }, seed);
  return nn.initLlama(
    nn.llamaConfig({
      vocabSize: nn.tokenizer.vocabSize,
      hiddenSize: shape.nEmbd,
      intermediateSize: llamaIntermediateSize(shape.nEmbd),
      numLayers: shape.nLayer,
      numHeads: shape.nHead,
      numKvHeads: shape.nHead,
      headDim: shape.nEmbd / shape.nHead,
      maxPositions: shape.blockSize,
    }),
    seed,
  );
}
