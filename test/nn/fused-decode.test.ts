import { describe, expect, it } from 'vitest';
import { Generator, initLlama, llamaConfig, type Checkpoint } from '../../src/nn/index.js';
import { buildDecodeGraph } from '../../src/nn/generator.js';
import { fusedDecodeWeights } from '../../src/nn/models/fused-decode.js';
import { MASKED } from '../../src/nn/models/gpt.js';
import { decoderModel, isLlama } from '../../src/nn/models/model.js';
import { encodeModel } from '../../src/nn/onnx/encode.js';
import type { RtTensor } from '../../src/nn/runtime/ort.js';
import { loudInit, tinyConfig } from './helpers.js';
import { FAMILIES, fixtureCheckpoint } from './hf-fixture.js';

/**
 * The GPT (tiny, loud weights), the Llama-family fixtures (grouped-query attention, heads of 8 (RoPE by
 * RotaryEmbedding) or 16 (Qwen3); Qwen2 biases; Qwen3 q/k norms) and a Llama with heads of 16 and biases, whose
 * q, k and v go packed into GroupQueryAttention with the rotation (random weights, scaled up so logits spread).
 */
const MODELS: readonly [string, () => Promise<Checkpoint>][] = [
  ['gpt', async () => loudInit(tinyConfig, 4, 3)],
  ...FAMILIES.map((f): [string, () => Promise<Checkpoint>] => [f, () => fixtureCheckpoint(f)]),
  ['llama, heads of 16', async () => loudLlama()],
];

function loudLlama(): Checkpoint {
  const shape = { vocabSize: 300, hiddenSize: 64, intermediateSize: 96, numLayers: 2, numHeads: 4, numKvHeads: 2, headDim: 16, maxPositions: 64 };
  const c = initLlama(llamaConfig(shape, { attentionBias: true, tieWordEmbeddings: false }), 7);
  let i = 0;
  const weights = new Map([...c.weights].map(([n, w]) => [n, Float32Array.from(w, (x) => (n.endsWith('bias') ? 0.1 * Math.sin(i++) : 3 * x))]));
  return { ...c, weights };
}

type Fused = 'fused' | 'fused-mha';

/**
 * Runs the standard and a fused resident decode graph side by side for `steps` tokens over B rows that start at
 * different slots (the slots before a row's start hold zeros, attended to by both graphs alike). Returns the largest
 * absolute logit difference over all steps and rows, and the largest cache difference after the last step.
 */
async function compareGraphs(ckpt: Checkpoint, graph: Fused, B: number, S: number, starts: readonly number[], steps: number): Promise<{ logits: number; cache: number }> {
  const rt = await import('../../src/nn/runtime/ort.js');
  const cfg = ckpt.config;
  const model = decoderModel(cfg);
  const [L, nkv, hd, V] = [model.numLayers, model.kvHeads, model.headDim, model.vocabSize];
  const standard = await rt.RtSession.create(encodeModel(buildDecodeGraph(cfg, B, S, { resident: true })), { label: 'standard' });
  const fused = await rt.RtSession.create(encodeModel(buildDecodeGraph(cfg, B, S, { graph })), { label: graph });
  const weights: Record<string, RtTensor> = {};
  for (const spec of model.specs) weights[spec.name] = rt.tensor('float32', ckpt.weights.get(spec.name)!, spec.shape);
  const extra: Record<string, RtTensor> = {};
  for (const w of fusedDecodeWeights(cfg, graph === 'fused' ? 'gqa' : 'mha', (n) => ckpt.weights.get(n)!)) extra[w.name] = rt.tensor('float32', w.data, w.shape);
  const zeros = (shape: number[]) => rt.tensor('float32', new Float32Array(shape.reduce((a, b) => a * b, 1)), shape);
  let cacheS = { k: Array.from({ length: L }, () => zeros([B, nkv, hd, S])), v: Array.from({ length: L }, () => zeros([B, nkv, S, hd])) };
  let cacheF = { k: Array.from({ length: L }, () => zeros([B, nkv, S, hd])), v: Array.from({ length: L }, () => zeros([B, nkv, S, hd])) };
  let worst = 0;
  for (let t = 0; t < steps; t++) {
    const slot = starts.map((s) => s + t);
    const token = Int32Array.from({ length: B }, (_, b) => (7 + 13 * b + 5 * t) % (isLlama(cfg) ? V : 256));
    const position = Int32Array.from(slot);
    const bias = new Float32Array(B * S).fill(MASKED);
    const hot = new Uint8Array(B * S);
    slot.forEach((s, b) => {
      bias.fill(0, b * S, b * S + s + 1);
      hot[b * S + s] = 1;
    });
    const common = { token: rt.tensor('int32', token, [B]), position: rt.tensor('int32', position, [B]) };
    const mask = { slot_bias: rt.tensor('float32', bias, [B, S]), slot_hot: rt.tensor('bool', hot, [B, S]) };
    const fs: Record<string, RtTensor> = { ...weights, ...common, ...mask };
    const lengths = { total_len: rt.tensor('int32', Int32Array.of(Math.max(...slot) + 1), [1]) };
    const ff: Record<string, RtTensor> = { ...weights, ...extra, ...common, ...(graph === 'fused' ? lengths : mask) };
    for (let l = 0; l < L; l++) {
      [fs[`past_key_${l}`], fs[`past_value_${l}`]] = [cacheS.k[l]!, cacheS.v[l]!];
      [ff[`past_key_${l}`], ff[`past_value_${l}`]] = [cacheF.k[l]!, cacheF.v[l]!];
    }
    const [os, of] = [await standard.run(fs), await fused.run(ff)];
    const a = rt.hostData<Float32Array>(os['logits']!);
    const b = rt.hostData<Float32Array>(of['logits']!);
    expect(b.length).toBe(B * V);
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
    cacheS = { k: cacheS.k.map((_, l) => os[`key_${l}`]!), v: cacheS.v.map((_, l) => os[`value_${l}`]!) };
    cacheF = { k: cacheF.k.map((_, l) => of[`key_${l}`]!), v: cacheF.v.map((_, l) => of[`value_${l}`]!) };
  }
  // Every row's written slots (its start … start + steps − 1): keys transposed in the standard cache.
  let cache = 0;
  for (let l = 0; l < L; l++) {
    const [ks, vs] = [rt.hostData<Float32Array>(cacheS.k[l]!), rt.hostData<Float32Array>(cacheS.v[l]!)];
    const [kf, vf] = [rt.hostData<Float32Array>(cacheF.k[l]!), rt.hostData<Float32Array>(cacheF.v[l]!)];
    for (let b = 0; b < B; b++) {
      for (let h = 0; h < nkv; h++) {
        for (let s = starts[b]!; s < starts[b]! + steps; s++) {
          for (let d = 0; d < hd; d++) {
            const bh = b * nkv + h;
            cache = Math.max(cache, Math.abs(ks[(bh * hd + d) * S + s]! - kf[(bh * S + s) * hd + d]!), Math.abs(vs[(bh * S + s) * hd + d]! - vf[(bh * S + s) * hd + d]!));
          }
        }
      }
    }
  }
  await standard.release();
  await fused.release();
  return { logits: worst, cache };
}

describe('fused decode graphs (onnxruntime contrib ops) against the standard one', () => {
  for (const [name, load] of MODELS) {
    for (const graph of ['fused', 'fused-mha'] as const) {
      it(`${name}, ${graph}: same logits (1e-4 absolute) and cache entries step by step, rows at different slots`, async () => {
        const ckpt = await load();
        const d = await compareGraphs(ckpt, graph, 3, 16, [0, 3, 7], 6);
        expect(d.logits).toBeLessThan(1e-4);
        expect(d.cache).toBeLessThan(1e-5);
      });
    }

    it(`${name}: Generator.stream gives the host cache's responses with either fused graph, greedy and sampled`, async () => {
      const ckpt = await load();
      const V = ckpt.config.vocabSize;
      const prompts = isLlama(ckpt.config)
        ? [[5, 9, 2], [11], [3, 4, 5, 6, 7, 8], [20, 21], [30, 1, 2, 3]].map((p) => p.map((id) => id % V))
        : [[97, 98], [99], [100, 101, 102], [103, 104, 105, 106, 107], [108]];
      for (const temperature of [0, 1.5]) {
        const run = async (decodeGraph: 'standard' | Fused): Promise<number[][]> => {
          // 2 rows for 5 prompts: rows finish at different times and are refilled mid-flight.
          const gen = await Generator.create(ckpt, { maxBatch: 2, maxLen: 16, decodeGraph, residentKv: decodeGraph !== 'standard' });
          const got: number[][] = [];
          let at = 0;
          await gen.stream(() => (at < prompts.length ? { prompt: prompts[at]!, seed: 40 + at, at: at++ } : undefined), (req, tokens) => (got[req.at] = tokens), {
            maxNewTokens: 6,
            temperature,
            topP: 1,
          });
          await gen.dispose();
          return got;
        };
        const host = await run('standard');
        expect(host.flat().length).toBeGreaterThan(prompts.length);
        expect(await run('fused')).toEqual(host);
        expect(await run('fused-mha')).toEqual(host);
      }
    });
  }

  it('refuses a fused graph without the resident cache, and unknown graph names', async () => {
    const ckpt = loudInit(tinyConfig, 4, 3);
    await expect(Generator.create(ckpt, { maxBatch: 1, maxLen: 8, decodeGraph: 'fused-mha', residentKv: false })).rejects.toThrow(
      'Generator: the fused-mha decode graph keeps the KV cache on the device (residentKv); it cannot run with residentKv false',
    );
    await expect(Generator.create(ckpt, { maxBatch: 1, maxLen: 8, decodeGraph: 'fast' as never })).rejects.toThrow(
      "Generator: decodeGraph must be one of standard, fused, fused-mha, got 'fast'",
    );
    // Refused before any WebGPU session is made, so this runs without a GPU.
    await expect(Generator.create(ckpt, { maxBatch: 2, maxLen: 8, decodeGraph: 'fused', provider: 'webgpu' })).rejects.toThrow(
      "the 'fused' decode graph gives wrong tokens on WebGPU",
    );
  });
});
