import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Trainer, hfWeights, loadCheckpoint, mergeLora, saveCheckpoint, withLora, type AdamWConfig, type LoraConfig, type TokenBatch } from '../../src/nn/index.js';
import { flatten, unflatten } from '../../src/nn/flat.js';
import { numel } from '../../src/nn/models/gpt-params.js';
import { decoderModel } from '../../src/nn/models/model.js';
import { TRAIN_IO, buildGradGraph, modelBytes } from '../../src/nn/train-graph.js';
import { expected, fixtureCheckpoint, readFixtureTensors, relError } from './hf-fixture.js';

const optim: AdamWConfig = { lr: 1e-2, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, warmupSteps: 0, totalSteps: 20, minLrRatio: 0.1, gradClip: 1 };

/** The fixture ids as one training row: every next token is a target. */
function idsBatch(ids: readonly number[]): TokenBatch {
  const T = ids.length - 1;
  return {
    batchSize: 1,
    seqLen: T,
    tokens: Int32Array.from(ids.slice(0, T)),
    targets: Int32Array.from(ids.slice(1)),
    mask: new Float32Array(T).fill(1),
  };
}

describe('LoRA on a Llama-family model', () => {
  const lora: LoraConfig = { rank: 4, alpha: 8, dropout: 0, targets: ['q_proj', 'v_proj', 'down_proj'], seed: 7 };

  it('adapter gradients are scale·dL/dW·Aᵀ (B) and 0 (A) at B = 0, with dL/dW from torch', async () => {
    const rt = await import('../../src/nn/runtime/ort.js');
    const exp = expected('llama');
    const ckpt = withLora(await fixtureCheckpoint('llama'), lora);
    const T = exp.ids.length;
    const built = buildGradGraph(ckpt.config, { kind: 'sft' }, 1, T, { cpuOnly: true, lora });
    expect(built.layout.specs.every((s) => s.name.includes('.lora_'))).toBe(true);
    const s = await rt.RtSession.create(modelBytes(built), { label: 'lora grad' });
    const feeds: Record<string, ReturnType<typeof rt.tensor>> = {
      [TRAIN_IO.params]: rt.tensor('float32', flatten(ckpt.weights, built.layout, 'test'), [built.layout.size]),
      [TRAIN_IO.tokens]: rt.tensor('int32', Int32Array.from(exp.ids), [1, T]),
      [TRAIN_IO.targets]: rt.tensor('int32', Int32Array.from({ length: T }, (_, t) => (t + 1 < T ? exp.ids[t + 1]! : 0)), [T]),
      [TRAIN_IO.mask]: rt.tensor('float32', Float32Array.from({ length: T }, (_, t) => (t + 1 < T ? 1 : 0)), [T]),
    };
    for (const f of built.frozen) feeds[f.name] = rt.tensor('float32', ckpt.weights.get(f.name)!, f.shape);
    const out = await s.run(feeds);
    const grads = unflatten(Float32Array.from(rt.hostData<Float32Array>(out['grad']!)), built.layout);
    const torch = await readFixtureTensors('llama.grads.safetensors');
    const scale = lora.alpha / lora.rank;
    for (const spec of built.layout.specs) {
      const g = grads.get(spec.name)!;
      if (spec.name.endsWith('lora_A.weight')) {
        expect(Math.max(...g.map(Math.abs))).toBe(0);
        continue;
      }
      const module = spec.name.replace('.lora_B.weight', '');
      const G = torch.get(`${module}.weight`)!; // (out, in)
      const A = ckpt.weights.get(`${module}.lora_A.weight`)!; // (r, in)
      const [out, r] = spec.shape as [number, number];
      const inp = G.shape[1]!;
      const want = new Float32Array(out * r);
      for (let o = 0; o < out; o++) for (let k = 0; k < r; k++) {
        let acc = 0;
        for (let i = 0; i < inp; i++) acc += G.data[o * inp + i]! * A[k * inp + i]!;
        want[o * r + k] = scale * acc;
      }
      expect(relError(g, want), spec.name).toBeLessThan(1e-4);
    }
    await s.release();
  });

  it('trains only the adapters: optimizer state is adapter-sized, base weights stay, merged weights give the trained logits', async () => {
    const base = await fixtureCheckpoint('qwen2');
    const init = withLora(base, { ...lora, dropout: 0.1 });
    const model = decoderModel(init.config, init.lora);
    const adapterSize = model.trainable.reduce((n, s) => n + numel(s.shape), 0);
    const batch = idsBatch(expected('qwen2').ids);
    const trainer = await Trainer.create({ init, optim, loss: { kind: 'sft' }, batchSize: 1, seqLen: batch.seqLen, threads: 1 });
    expect(trainer.trainableSize).toBe(adapterSize);
    const before = await trainer.evalLoss(batch);
    for (let i = 0; i < 15; i++) await trainer.train(batch);
    const after = await trainer.evalLoss(batch);
    expect(after).toBeLessThan(before - 0.5);
    const ckpt = await trainer.checkpoint();
    await trainer.dispose();
    for (const s of model.frozen) expect(ckpt.weights.get(s.name), s.name).toEqual(base.weights.get(s.name));
    expect(ckpt.optimizer!.m.size).toBe(model.trainable.length);
    // The merged model (what checkpoints and exports hold) scores the batch as the adapted one does.
    const merged = mergeLora(ckpt);
    expect(merged.lora).toBeUndefined();
    const plain = await Trainer.create({ init: merged, optim, loss: { kind: 'sft' }, batchSize: 1, seqLen: batch.seqLen, threads: 1 });
    expect(Math.abs((await plain.evalLoss(batch)) - after)).toBeLessThan(1e-4);
    await plain.dispose();
    // Dropout (training graphs only) draws a fresh mask every run: the same batch gives a different loss twice.
    const rt = await import('../../src/nn/runtime/ort.js');
    const built = buildGradGraph(ckpt.config, { kind: 'sft' }, 1, batch.seqLen, { lora: { ...init.lora!, dropout: 0.5 } });
    const s = await rt.RtSession.create(modelBytes(built), { label: 'dropout' });
    const feeds: Record<string, ReturnType<typeof rt.tensor>> = {
      [TRAIN_IO.params]: rt.tensor('float32', flatten(ckpt.weights, built.layout, 'test'), [built.layout.size]),
      [TRAIN_IO.tokens]: rt.tensor('int32', batch.tokens, [1, batch.seqLen]),
      [TRAIN_IO.targets]: rt.tensor('int32', batch.targets, [batch.seqLen]),
      [TRAIN_IO.mask]: rt.tensor('float32', batch.mask, [batch.seqLen]),
    };
    for (const f of built.frozen) feeds[f.name] = rt.tensor('float32', ckpt.weights.get(f.name)!, f.shape);
    const l1 = rt.hostScalar((await s.run(feeds))[TRAIN_IO.loss]!);
    const l2 = rt.hostScalar((await s.run(feeds))[TRAIN_IO.loss]!);
    expect(l1).not.toBe(l2);
    await s.release();
    const hf = hfWeights(ckpt);
    expect([...hf.keys()]).toEqual(decoderModel(base.config).specs.map((s) => s.name));
    expect(hf.get('model.layers.0.self_attn.q_proj.weight')!.data).toEqual(merged.weights.get('model.layers.0.self_attn.q_proj.weight'));
  });
});

describe('full fine-tuning and checkpoints of a Llama-family model', () => {
  it('trains every tensor, and model.onnx of the saved checkpoint gives the trained logits', async () => {
    const rt = await import('../../src/nn/runtime/ort.js');
    const init = await fixtureCheckpoint('qwen3');
    const batch = idsBatch(expected('qwen3').ids);
    const trainer = await Trainer.create({ init, optim, loss: { kind: 'sft' }, batchSize: 1, seqLen: batch.seqLen, threads: 1 });
    expect(trainer.trainableSize).toBe(decoderModel(init.config).specs.reduce((n, s) => n + numel(s.shape), 0));
    const before = await trainer.evalLoss(batch);
    for (let i = 0; i < 10; i++) await trainer.train(batch);
    expect(await trainer.evalLoss(batch)).toBeLessThan(before - 1);
    const ckpt = await trainer.checkpoint();
    await trainer.dispose();
    const dir = await mkdtemp(join(tmpdir(), 'pipe-llama-ckpt-'));
    try {
      await saveCheckpoint(dir, ckpt);
      const back = await loadCheckpoint(dir);
      expect(back.config).toEqual(init.config);
      expect(back.step).toBe(10);
      for (const [name, w] of ckpt.weights) expect(back.weights.get(name), name).toEqual(w);
      const sidecar = JSON.parse(await readFile(join(dir, 'checkpoint.json'), 'utf8'));
      const L = sidecar.model.inputShape[1] as number;
      const s = await rt.RtSession.create(await readFile(join(dir, 'model.onnx')), { label: 'ckpt model' });
      const ids = new BigInt64Array(L);
      Array.from(batch.tokens).forEach((t, i) => (ids[i] = BigInt(t)));
      const out = await s.run({ input_ids: rt.tensor('int64', ids, [1, L]) });
      const logits = rt.hostData<Float32Array>(out['logits']!);
      const V = init.config.vocabSize;
      let nll = 0;
      for (let t = 0; t < batch.seqLen; t++) {
        const row = Array.from(logits.subarray(t * V, (t + 1) * V));
        const m = Math.max(...row);
        const lse = m + Math.log(row.reduce((a, x) => a + Math.exp(x - m), 0));
        nll += lse - row[batch.targets[t]!]!;
      }
      const trained = await Trainer.create({ init: ckpt, optim, loss: { kind: 'sft' }, batchSize: 1, seqLen: batch.seqLen, threads: 1 });
      expect(Math.abs(nll / batch.seqLen - (await trained.evalLoss(batch)))).toBeLessThan(1e-4);
      await trained.dispose();
      await s.release();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
