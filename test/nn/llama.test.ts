import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Checkpoint } from '../../src/nn/index.js';
import { inputParams } from '../../src/nn/models/gpt.js';
import { decoderModel } from '../../src/nn/models/model.js';
import { encodeModel } from '../../src/nn/onnx/encode.js';
import { Graph } from '../../src/nn/onnx/graph.js';
import { FAMILIES, FIXTURES, expected, fixtureCheckpoint, fixtureConfig, readFixtureTensors, relError } from './hf-fixture.js';

/** One forward pass over `ids` (batch 1) with the weights as inputs: (T·V) logits. */
async function forwardLogits(ckpt: Checkpoint, ids: readonly number[]): Promise<Float32Array> {
  const rt = await import('../../src/nn/runtime/ort.js');
  const model = decoderModel(ckpt.config);
  const g = new Graph();
  const { params } = inputParams(g, model.specs);
  const tokens = g.input('tokens', 'int32', [1, ids.length]);
  g.output(model.forward(g, params, tokens).logits, 'logits');
  const s = await rt.RtSession.create(encodeModel(g), { label: 'forward' });
  const feeds: Record<string, ReturnType<typeof rt.tensor>> = { tokens: rt.tensor('int32', Int32Array.from(ids), [1, ids.length]) };
  for (const spec of model.specs) feeds[spec.name] = rt.tensor('float32', ckpt.weights.get(spec.name)!, spec.shape);
  const out = await s.run(feeds);
  const logits = Float32Array.from(rt.hostData<Float32Array>(out['logits']!));
  await s.release();
  return logits;
}

describe('Llama-family forward matches transformers (relative error max|a−b|/max|b|)', () => {
  for (const family of FAMILIES) {
    it(`${family}: logits within 1e-4 of transformers'`, async () => {
      const exp = expected(family);
      const logits = await forwardLogits(await fixtureCheckpoint(family), exp.ids);
      expect(logits.length).toBe(exp.shape[0] * exp.shape[1]);
      expect(relError(logits, exp.logits)).toBeLessThan(1e-4);
    });
  }
});

describe('Llama-family gradients match transformers', () => {
  for (const family of FAMILIES) {
    for (const cpuOnly of [true, false]) {
      it(`${family}: d(mean next-token CE)/d(param) within 1e-4 of torch's, every tensor (${cpuOnly ? 'CPU-EP' : 'portable'} graph)`, async () => {
        const rt = await import('../../src/nn/runtime/ort.js');
        const { TRAIN_IO, buildGradGraph, modelBytes } = await import('../../src/nn/train-graph.js');
        const { flatten, unflatten } = await import('../../src/nn/flat.js');
        const exp = expected(family);
        const ckpt = await fixtureCheckpoint(family);
        const T = exp.ids.length;
        const built = buildGradGraph(ckpt.config, { kind: 'sft' }, 1, T, { cpuOnly });
        const s = await rt.RtSession.create(modelBytes(built), { label: 'grad' });
        // transformers' loss: labels = input ids, shifted; the last position has no target.
        const targets = Int32Array.from({ length: T }, (_, t) => (t + 1 < T ? exp.ids[t + 1]! : 0));
        const mask = Float32Array.from({ length: T }, (_, t) => (t + 1 < T ? 1 : 0));
        const out = await s.run({
          [TRAIN_IO.params]: rt.tensor('float32', flatten(ckpt.weights, built.layout, 'test'), [built.layout.size]),
          [TRAIN_IO.tokens]: rt.tensor('int32', Int32Array.from(exp.ids), [1, T]),
          [TRAIN_IO.targets]: rt.tensor('int32', targets, [T]),
          [TRAIN_IO.mask]: rt.tensor('float32', mask, [T]),
        });
        expect(Math.abs(rt.hostScalar(out[TRAIN_IO.loss]!) - exp.loss) / exp.loss).toBeLessThan(1e-5);
        const grads = unflatten(Float32Array.from(rt.hostData<Float32Array>(out['grad']!)), built.layout);
        const want = await readFixtureTensors(`${family}.grads.safetensors`);
        expect([...grads.keys()].sort()).toEqual([...want.keys()].sort());
        const errors = [...want].map(([name, t]) => [name, relError(grads.get(name)!, t.data)] as const);
        const worst = errors.reduce((a, b) => (b[1] > a[1] ? b : a));
        expect(worst[1], `worst tensor ${worst[0]}`).toBeLessThan(1e-4);
        await s.release();
      });
    }
  }
});

describe('one AdamW step matches torch.optim.AdamW', () => {
  it('llama: every parameter after one in-graph step from the fixture weights within 1e-4 of torch (relative to the tensor)', async () => {
    const rt = await import('../../src/nn/runtime/ort.js');
    const { readFileSync } = await import('node:fs');
    const { TRAIN_IO, buildTrainGraph, modelBytes } = await import('../../src/nn/train-graph.js');
    const { flatten, unflatten } = await import('../../src/nn/flat.js');
    const hp = JSON.parse(readFileSync(join(FIXTURES, 'llama.adamw.json'), 'utf8')) as { lr: number; beta1: number; beta2: number; eps: number; weight_decay: number };
    const exp = expected('llama');
    const ckpt = await fixtureCheckpoint('llama');
    const T = exp.ids.length;
    // Like for like with torch: no clipping, no schedule (lr at step 0 with no warmup and totalSteps 1 is lr), and
    // weight decay on every tensor (torch decays all parameters handed to it; pipe's Trainer decays only ≥ 2-D ones).
    const optim = { lr: hp.lr, beta1: hp.beta1, beta2: hp.beta2, eps: hp.eps, weightDecay: hp.weight_decay, warmupSteps: 0, totalSteps: 1, minLrRatio: 1, gradClip: 0 };
    const built = buildTrainGraph(ckpt.config, optim, { kind: 'sft' }, 1, T, { cpuOnly: true });
    const s = await rt.RtSession.create(modelBytes(built), { label: 'train step' });
    const P = built.layout.size;
    const f32 = (d: Float32Array) => rt.tensor('float32', d, [P]);
    const out = await s.run({
      [TRAIN_IO.params]: f32(flatten(ckpt.weights, built.layout, 'test')),
      [TRAIN_IO.m]: f32(new Float32Array(P)),
      [TRAIN_IO.v]: f32(new Float32Array(P)),
      [TRAIN_IO.decayMask]: f32(new Float32Array(P).fill(1)),
      [TRAIN_IO.lr]: rt.tensor('float32', Float32Array.of(hp.lr), []),
      [TRAIN_IO.t]: rt.tensor('float32', Float32Array.of(1), []),
      [TRAIN_IO.tokens]: rt.tensor('int32', Int32Array.from(exp.ids), [1, T]),
      [TRAIN_IO.targets]: rt.tensor('int32', Int32Array.from({ length: T }, (_, t) => (t + 1 < T ? exp.ids[t + 1]! : 0)), [T]),
      [TRAIN_IO.mask]: rt.tensor('float32', Float32Array.from({ length: T }, (_, t) => (t + 1 < T ? 1 : 0)), [T]),
    });
    const next = unflatten(Float32Array.from(rt.hostData<Float32Array>(out[TRAIN_IO.outParams]!)), built.layout);
    const want = await readFixtureTensors('llama.adamw.safetensors');
    const errors = [...want].map(([name, t]) => [name, relError(next.get(name)!, t.data)] as const);
    const worst = errors.reduce((a, b) => (b[1] > a[1] ? b : a));
    expect(worst[1], `worst tensor ${worst[0]}`).toBeLessThan(1e-4);
    // The update itself (new − old), compared the same way: a far stricter check than on the weights.
    const deltas = [...want].map(([name, t]) => {
      const w0 = ckpt.weights.get(name)!;
      const mine = next.get(name)!.map((v, i) => v - w0[i]!);
      const theirs = t.data.map((v, i) => v - w0[i]!);
      return [name, relError(mine, theirs)] as const;
    });
    const worstDelta = deltas.reduce((a, b) => (b[1] > a[1] ? b : a));
    // Measured 5.9e-4 (lm_head): the first Adam update is lr·g/(|g| + ε), so float32 differences in the smallest
    // gradients show in it almost undamped.
    expect(worstDelta[1], `worst update ${worstDelta[0]}`).toBeLessThan(1e-3);
    await s.release();
  });
});

describe('Llama-family KV-cache decoding', () => {
  for (const family of ['llama', 'qwen3'] as const) {
    it(`${family}: one-token decode steps over the cache give transformers' logits at every position`, async () => {
      const rt = await import('../../src/nn/runtime/ort.js');
      const { buildDecodeGraph } = await import('../../src/nn/generator.js');
      const { MASKED } = await import('../../src/nn/models/gpt.js');
      const exp = expected(family);
      const ckpt = await fixtureCheckpoint(family);
      const model = decoderModel(ckpt.config);
      const S = 24;
      const [nkv, hd, V] = [model.kvHeads, model.headDim, model.vocabSize];
      const s = await rt.RtSession.create(encodeModel(buildDecodeGraph(ckpt.config, 1, S)), { label: 'decode' });
      const K = Array.from({ length: model.numLayers }, () => new Float32Array(nkv * hd * S));
      const Vc = Array.from({ length: model.numLayers }, () => new Float32Array(nkv * S * hd));
      const bias = new Float32Array(S).fill(MASKED);
      const got: number[] = [];
      for (let t = 0; t < exp.ids.length; t++) {
        const feeds: Record<string, ReturnType<typeof rt.tensor>> = {
          token: rt.tensor('int32', Int32Array.of(exp.ids[t]!), [1]),
          position: rt.tensor('int32', Int32Array.of(t), [1]),
          slot_bias: rt.tensor('float32', bias, [1, S]),
        };
        for (let l = 0; l < model.numLayers; l++) {
          feeds[`past_key_${l}`] = rt.tensor('float32', K[l]!, [1, nkv, hd, S]);
          feeds[`past_value_${l}`] = rt.tensor('float32', Vc[l]!, [1, nkv, S, hd]);
        }
        for (const spec of model.specs) feeds[spec.name] = rt.tensor('float32', ckpt.weights.get(spec.name)!, spec.shape);
        const out = await s.run(feeds);
        got.push(...rt.hostData<Float32Array>(out['logits']!));
        for (let l = 0; l < model.numLayers; l++) {
          const k = rt.hostData<Float32Array>(out[`key_${l}`]!);
          const v = rt.hostData<Float32Array>(out[`value_${l}`]!);
          for (let h = 0; h < nkv; h++) {
            for (let d = 0; d < hd; d++) K[l]![(h * hd + d) * S + t] = k[h * hd + d]!;
            Vc[l]!.set(v.subarray(h * hd, (h + 1) * hd), (h * S + t) * hd);
          }
        }
        bias[t] = 0;
      }
      expect(got.length).toBe(exp.ids.length * V);
      expect(relError(got, exp.logits)).toBeLessThan(1e-4);
      await s.release();
    });
  }

  it('qwen2: streaming through a device-resident KV cache (here on the CPU EP) gives the host cache\'s responses', async () => {
    const { Generator } = await import('../../src/nn/index.js');
    const ckpt = await fixtureCheckpoint('qwen2');
    const ids = expected('qwen2').ids;
    const prompts = [ids.slice(0, 5), ids.slice(0, 11), ids.slice(3, 6), ids.slice(0, 2)];
    const run = async (residentKv: boolean, temperature: number): Promise<number[][]> => {
      const gen = await Generator.create(ckpt, { maxBatch: 2, maxLen: 32, residentKv });
      const got: number[][] = [];
      let at = 0;
      await gen.stream(() => (at < prompts.length ? { prompt: prompts[at]!, seed: at, at: at++ } : undefined), (req, tokens) => (got[req.at] = tokens), {
        maxNewTokens: 6,
        temperature,
        topP: 1,
      });
      await gen.dispose();
      return got;
    };
    for (const temperature of [0, 1]) {
      const host = await run(false, temperature);
      expect(host.flat().length).toBeGreaterThan(4);
      expect(await run(true, temperature)).toEqual(host);
    }
  });

  it('qwen2: Generator (left-padded batch, prefill + decode) equals greedy decoding by full forward passes', async () => {
    const { Generator } = await import('../../src/nn/index.js');
    const ckpt = await fixtureCheckpoint('qwen2');
    const ids = expected('qwen2').ids;
    const prompts = [ids.slice(0, 5), ids.slice(0, 11)];
    const n = 6;
    const gen = await Generator.create(ckpt, { maxBatch: 2, maxLen: 32 });
    const res = await gen.generate(prompts, { maxNewTokens: n, temperature: 0, topP: 1, seed: 1 });
    await gen.dispose();
    expect(res.tokens.flat().length).toBeGreaterThan(4);
    const eos = fixtureConfig('qwen2').eosTokenId as number;
    for (const [i, p] of prompts.entries()) {
      const seq = [...p];
      const want: number[] = [];
      while (want.length < n) {
        const logits = await forwardLogits(ckpt, seq);
        const V = ckpt.config.vocabSize;
        const row = logits.subarray((seq.length - 1) * V, seq.length * V);
        const next = row.indexOf(Math.max(...row));
        if (next === eos) break;
        want.push(next);
        seq.push(next);
      }
      expect(res.tokens[i]).toEqual(want);
    }
  });
});
