import { describe, expect, it } from 'vitest';
import { Generator, initGpt, initLlama, llamaConfig, type Checkpoint } from '../../src/nn/index.js';
import { buildDecodeGraph, buildPrefillGraph, type GeneratorOptions } from '../../src/nn/generator.js';
import { MASKED } from '../../src/nn/models/gpt.js';
import { decoderModel } from '../../src/nn/models/model.js';
import { encodeModel } from '../../src/nn/onnx/encode.js';
import type { RtTensor } from '../../src/nn/runtime/ort.js';

/** Weights scaled up, so the logits spread and a draw depends on where the uniform falls. */
function loud(c: Checkpoint, scale: number): Checkpoint {
  return { ...c, weights: new Map([...c.weights].map(([n, w]) => [n, Float32Array.from(w, (x) => scale * x)])) };
}

/** A Llama with 2,000 ids (its vocabulary allows every id: the default sampler is 'graph'). */
const llama = (): Checkpoint =>
  loud(initLlama(llamaConfig({ vocabSize: 2000, hiddenSize: 32, intermediateSize: 64, numLayers: 2, numHeads: 4, numKvHeads: 2, headDim: 8, maxPositions: 64 }), 3), 4);

const prompts = [[5, 900, 17], [1999], [3, 4, 5, 6, 7, 1500], [42, 43]];

async function sample(ckpt: Checkpoint, opts: Partial<GeneratorOptions>, o: { temperature: number; topP: number; seed: number }): Promise<number[][]> {
  const gen = await Generator.create(ckpt, { maxBatch: 4, maxLen: 48, ...opts });
  try {
    return (await gen.generate(prompts, { maxNewTokens: 20, ...o })).tokens;
  } finally {
    await gen.dispose();
  }
}

describe("the 'graph' sampler (decode graph outputs softmax(logits / T))", () => {
  it('outputs softmax(logits / temperature) of the logits graph within 1e-6 (decode step and prompt pass)', async () => {
    const rt = await import('../../src/nn/runtime/ort.js');
    const ckpt = llama();
    const cfg = ckpt.config;
    const model = decoderModel(cfg);
    const [B, S, V, L, nkv, hd] = [3, 16, model.vocabSize, model.numLayers, model.kvHeads, model.headDim];
    const feeds: Record<string, RtTensor> = {
      token: rt.tensor('int32', Int32Array.of(5, 700, 1999), [B]),
      position: rt.tensor('int32', Int32Array.of(0, 3, 7), [B]),
    };
    const bias = new Float32Array(B * S).fill(MASKED);
    [0, 3, 7].forEach((p, b) => bias.fill(0, b * S, b * S + p));
    feeds['slot_bias'] = rt.tensor('float32', bias, [B, S]);
    // Cache slots before each row's position hold arbitrary keys and values (attended to alike by both graphs).
    const filled = (n: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37));
    for (let l = 0; l < L; l++) {
      feeds[`past_key_${l}`] = rt.tensor('float32', filled(B * nkv * hd * S), [B, nkv, hd, S]);
      feeds[`past_value_${l}`] = rt.tensor('float32', filled(B * nkv * S * hd), [B, nkv, S, hd]);
    }
    for (const spec of model.specs) feeds[spec.name] = rt.tensor('float32', ckpt.weights.get(spec.name)!, spec.shape);
    const plain = await rt.RtSession.create(encodeModel(buildDecodeGraph(cfg, B, S)), { label: 'logits' });
    const probs = await rt.RtSession.create(encodeModel(buildDecodeGraph(cfg, B, S, { probs: true })), { label: 'probs' });
    const logits = rt.hostData<Float32Array>((await plain.run(feeds))['logits']!);
    for (const T of [0.5, 1, 1.7]) {
      const p = rt.hostData<Float32Array>((await probs.run({ ...feeds, temperature: rt.tensor('float32', Float32Array.of(T), [1]) }))['probs']!);
      expect(p.length).toBe(B * V);
      let worst = 0;
      let spread = 0;
      for (let b = 0; b < B; b++) {
        const row = logits.subarray(b * V, (b + 1) * V);
        const max = Math.max(...row);
        const e = Array.from(row, (x) => Math.exp((x - max) / T));
        const sum = e.reduce((a, x) => a + x, 0);
        e.forEach((x, i) => (worst = Math.max(worst, Math.abs(x / sum - p[b * V + i]!))));
        spread = Math.max(spread, max - Math.min(...row));
      }
      expect(spread).toBeGreaterThan(5); // logits far from uniform: the check has something to compare
      expect(worst).toBeLessThan(1e-6);
    }
    await plain.release();
    await probs.release();
    // The prompt pass's head is the same softmax.
    const P = 4;
    const prefillFeeds: Record<string, RtTensor> = {
      tokens: rt.tensor('int32', Int32Array.from({ length: B * P }, (_, i) => (i * 397) % V), [B, P]),
      positions: rt.tensor('int32', Int32Array.from({ length: B * P }, (_, i) => i % P), [B, P]),
      attn_bias: rt.tensor('float32', Float32Array.from({ length: B * P * P }, (_, i) => ((i % P) <= Math.floor(i / P) % P ? 0 : MASKED)), [B, 1, P, P]),
    };
    for (const spec of model.specs) prefillFeeds[spec.name] = feeds[spec.name]!;
    const pl = await rt.RtSession.create(encodeModel(buildPrefillGraph(cfg, B, P)), { label: 'prefill logits' });
    const pp = await rt.RtSession.create(encodeModel(buildPrefillGraph(cfg, B, P, { probs: true })), { label: 'prefill probs' });
    const last = rt.hostData<Float32Array>((await pl.run(prefillFeeds))['last_logits']!);
    const lp = rt.hostData<Float32Array>((await pp.run({ ...prefillFeeds, temperature: rt.tensor('float32', Float32Array.of(0.6), [1]) }))['last_probs']!);
    let worst = 0;
    for (let b = 0; b < B; b++) {
      const row = last.subarray(b * V, (b + 1) * V);
      const max = Math.max(...row);
      const e = Array.from(row, (x) => Math.exp((x - max) / 0.6));
      const sum = e.reduce((a, x) => a + x, 0);
      e.forEach((x, i) => (worst = Math.max(worst, Math.abs(x / sum - lp[b * V + i]!))));
    }
    expect(worst).toBeLessThan(1e-6);
    expect(Math.max(...lp)).toBeGreaterThan(10 / V); // not uniform
    await pl.release();
    await pp.release();
  }, 60_000);

  it("is the Llama family's default and draws the host sampler's tokens (same uniforms, same inverse CDF); seeded, batch-independent", async () => {
    const ckpt = llama();
    const o = { temperature: 0.8, topP: 1, seed: 42 };
    const graph = await sample(ckpt, {}, o);
    expect(await sample(ckpt, { sampler: 'graph' }, o)).toEqual(graph);
    // The host sampler exponentiates the logits in float64: the same tokens unless a uniform lands within float32
    // rounding of a boundary of the cumulative distribution (not with these seeds).
    expect(await sample(ckpt, { sampler: 'host' }, o)).toEqual(graph);
    expect(await sample(ckpt, { maxBatch: 1 }, o)).toEqual(graph);
    expect(await sample(ckpt, { maxBatch: 3 }, o)).toEqual(graph);
    expect(await sample(ckpt, {}, { ...o, seed: 43 })).not.toEqual(graph);
    expect(new Set(graph.flat()).size).toBeGreaterThan(20); // sampled, not stuck on one id
    // The device-resident cache and the fused decode graphs (on the CPU EP) take the same probabilities head.
    expect(await sample(ckpt, { residentKv: true }, o)).toEqual(graph);
    expect(await sample(ckpt, { decodeGraph: 'fused' }, o)).toEqual(graph);
    expect(await sample(ckpt, { decodeGraph: 'fused-mha' }, o)).toEqual(graph);
  }, 120_000);

  it('topP < 1 stays on the host sampler: the same tokens whichever sampler is chosen', async () => {
    const ckpt = llama();
    const o = { temperature: 1.3, topP: 0.8, seed: 7 };
    expect(await sample(ckpt, { sampler: 'graph' }, o)).toEqual(await sample(ckpt, { sampler: 'host' }, o));
  }, 60_000);
});

describe('the byte GPT keeps the host sampler', () => {
  const gpt = (): Checkpoint => loud(initGpt({ vocabSize: 260, blockSize: 64, nLayer: 2, nHead: 2, nEmbd: 32 }, 5), 3);
  // Drawn by the sampler as it was before the 'graph' sampler existed (same model, prompts and seed): the tokens
  // behind the pipelines' published sampled results must not change.
  const before: [number, number, number[][]][] = [
    [0.5, 1, [[34, 92, 227, 145, 15, 15, 15, 15, 15, 15, 15, 15], [203, 15, 15, 15, 79, 181, 192, 175, 94, 228, 100, 248], [140, 97, 24, 24, 184, 183, 125, 30, 246, 125, 55, 185]]],
    [1.5, 1, [[72, 59, 222, 135, 155, 22, 30, 204, 6, 109, 58, 174], [192, 145, 121, 38, 237, 150, 225, 176, 99, 232, 97, 242], [156, 163, 40, 71, 178, 140, 116, 59, 251, 135, 28, 205]]],
    [1.5, 0.95, [[115, 140, 143, 57, 137, 227, 5, 186, 125, 135, 79, 161], [152, 180, 248, 222, 61, 186, 252, 84, 225, 134, 76, 101], [75, 245, 210, 139, 30, 183, 247, 27, 100, 5, 253, 190]]],
  ];

  it('draws the same tokens as before for the same seeds', async () => {
    const gen = await Generator.create(gpt(), { maxBatch: 4, maxLen: 64 });
    for (const [temperature, topP, tokens] of before) {
      const got = await gen.generate([[97, 98, 99], [100], [101, 102, 103, 104, 105]], { maxNewTokens: 12, temperature, topP, seed: 42 });
      expect(got.tokens).toEqual(tokens);
    }
    await gen.dispose();
  }, 60_000);

  it("refuses the 'graph' sampler (its vocabulary refuses ids: BOS, SEP, PAD)", async () => {
    await expect(Generator.create(gpt(), { maxBatch: 2, maxLen: 64, sampler: 'graph' })).rejects.toThrow(/sampler 'graph' needs a vocabulary that allows every id/);
    // @ts-expect-error: not a sampler
    await expect(Generator.create(gpt(), { maxBatch: 2, maxLen: 64, sampler: 'gpu' })).rejects.toThrow(/sampler must be one of host, graph, got 'gpu'/);
  });
});
