import { encodeModel } from '../../src/nn/onnx/encode.js';
import type { Graph } from '../../src/nn/onnx/graph.js';
import { initGpt, packBatch, tokenizer, type AdamWConfig, type Checkpoint, type GptConfig, type TokenBatch } from '../../src/nn/index.js';
import { Rng } from '../../src/util/rng.js';

export const tinyConfig: GptConfig = { vocabSize: tokenizer.vocabSize, blockSize: 16, nLayer: 2, nHead: 2, nEmbd: 16 };

export const adamw: AdamWConfig = {
  lr: 1e-2, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, warmupSteps: 2, totalSteps: 10, minLrRatio: 0.1, gradClip: 1,
};

/** initGpt with every weight scaled up, so gradients are large enough for float32 finite differences. */
export function loudInit(cfg: GptConfig, seed: number, scale: number): Checkpoint {
  const c = initGpt(cfg, seed);
  const rng = new Rng(seed + 1);
  const weights = new Map<string, Float32Array>();
  for (const [name, w] of c.weights) {
    const out = Float32Array.from(w, (x) => x * scale);
    // Perturb LayerNorm and bias constants too, so their gradients are generic.
    if (!name.endsWith('weight') || name.includes('ln')) for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) + 0.3 * rng.normal();
    weights.set(name, out);
  }
  return { ...c, weights };
}

/** A batch of copy-task rows: random letters as prompt, the same letters as response. */
export function copyBatch(rng: Rng, B: number, T: number, letters = 6): TokenBatch {
  const rows = Array.from({ length: B }, () => {
    const n = rng.range(3, 5);
    const p = Array.from({ length: n }, () => 97 + rng.int(letters));
    return { prompt: p, response: p };
  });
  return packBatch(rows, T);
}

export async function session(g: Graph) {
  const rt = await import('../../src/nn/runtime/ort.js');
  return { rt, s: await rt.RtSession.create(encodeModel(g), { label: 'test' }) };
}
