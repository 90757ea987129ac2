import { describe, expect, it } from 'vitest';
import { Trainer, initGpt } from '../../src/nn/index.js';
import { flatten, decayMask } from '../../src/nn/flat.js';
import { flatLayout } from '../../src/nn/models/gpt.js';
import { lrAt } from '../../src/nn/optim/adamw.js';
import { TRAIN_IO, buildGradGraph } from '../../src/nn/train-graph.js';
import type { LossConfig, TokenBatch } from '../../src/nn/types.js';
import { Rng } from '../../src/util/rng.js';
import { adamw, copyBatch, loudInit, session, tinyConfig } from './helpers.js';

const B = 2;
const T = 8;

async function gradRunner(loss: LossConfig, batch: TokenBatch, extra: Record<string, Float32Array>, cpuOnly = false) {
  const built = buildGradGraph(tinyConfig, loss, B, T, { cpuOnly });
  const { rt, s } = await session(built.graph);
  const run = async (flat: Float32Array) => {
    const feeds: Record<string, ReturnType<typeof rt.tensor>> = {
      [TRAIN_IO.params]: rt.tensor('float32', flat, [flat.length]),
      [TRAIN_IO.tokens]: rt.tensor('int32', batch.tokens, [B, T]),
      [TRAIN_IO.targets]: rt.tensor('int32', batch.targets, [B * T]),
      [TRAIN_IO.mask]: rt.tensor('float32', batch.mask, [B * T]),
    };
    for (const [k, v] of Object.entries(extra)) feeds[k] = rt.tensor('float32', v, [B * T]);
    const out = await s.run(feeds);
    return { loss: rt.hostScalar(out[TRAIN_IO.loss]!), grad: rt.hostData<Float32Array>(out['grad']!), logp: rt.hostData<Float32Array>(out[TRAIN_IO.logp]!) };
  };
  return { run, layout: built.layout, release: () => s.release() };
}

/** Central differences at sampled coordinates of every parameter tensor; returns max |a−n| / max |n|. */
async function fdError(run: (p: Float32Array) => Promise<{ loss: number; grad: Float32Array }>, flat: Float32Array, layout: ReturnType<typeof flatLayout>) {
  const base = await run(flat);
  const rng = new Rng(5);
  let maxDiff = 0;
  let maxNum = 0;
  const h = 1e-2;
  for (let i = 0; i < layout.specs.length; i++) {
    const off = layout.offsets[i]!;
    const n = layout.specs[i]!.shape.reduce((a, b) => a * b, 1);
    for (let k = 0; k < 2; k++) {
      const e = off + rng.int(n);
      const orig = flat[e]!;
      flat[e] = orig + h;
      const up = (await run(flat)).loss;
      flat[e] = orig - h;
      const down = (await run(flat)).loss;
      flat[e] = orig;
      const num = (up - down) / (2 * h);
      maxDiff = Math.max(maxDiff, Math.abs(num - base.grad[e]!));
      maxNum = Math.max(maxNum, Math.abs(num));
    }
  }
  return maxDiff / maxNum;
}

describe('whole GPT train step', () => {
  const init = loudInit(tinyConfig, 3, 8);
  const batch = copyBatch(new Rng(11), B, T);
  const layout = flatLayout(tinyConfig);

  it('SFT gradients of every parameter tensor match finite differences', async () => {
    const g = await gradRunner({ kind: 'sft' }, batch, {});
    const err = await fdError(g.run, flatten(init.weights, layout, 'test'), layout);
    await g.release();
    expect(err).toBeLessThan(2e-2);
  }, 60_000);

  it('the CPU-EP graph (ONNX Attention forward, FusedMatMul gradients) gives the same loss and gradients, and they match finite differences', async () => {
    const flat = flatten(init.weights, layout, 'test');
    const plain = await gradRunner({ kind: 'sft' }, batch, {});
    const fused = await gradRunner({ kind: 'sft' }, batch, {}, true);
    const a = await plain.run(flat);
    const b = await fused.run(flat);
    expect(Math.abs(a.loss - b.loss)).toBeLessThan(1e-5 * Math.abs(a.loss));
    let maxDiff = 0;
    let maxAbs = 0;
    for (let i = 0; i < a.grad.length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(a.grad[i]! - b.grad[i]!));
      maxAbs = Math.max(maxAbs, Math.abs(a.grad[i]!));
    }
    expect(maxDiff / maxAbs).toBeLessThan(1e-4); // float32 rounding: the scale is applied to the scores, not q
    expect(await fdError(fused.run, flat, layout)).toBeLessThan(2e-2);
    await plain.release();
    await fused.release();
  }, 60_000);

  it('GRPO (clipped ratio + k3 KL) gradients match finite differences', async () => {
    const rng = new Rng(9);
    const N = B * T;
    const sft = await gradRunner({ kind: 'sft' }, batch, {});
    const logp = (await sft.run(flatten(init.weights, layout, 'test'))).logp;
    await sft.release();
    // Old log-probs shifted by −0.6, 0 or +0.6: ratios well outside and well inside the clip range (finite
    // differences must not straddle the kinks at 1 ± ε).
    const extra = {
      [TRAIN_IO.advantages]: Float32Array.from({ length: N }, () => rng.normal()),
      [TRAIN_IO.oldLogProbs]: Float32Array.from(logp, (x, i) => x + 0.6 * ((i % 3) - 1)),
      [TRAIN_IO.refLogProbs]: Float32Array.from(logp, (x) => x + 0.3 * rng.normal()),
    };
    const g = await gradRunner({ kind: 'grpo', clipEps: 0.2, klCoef: 0.1 }, batch, extra);
    const err = await fdError(g.run, flatten(init.weights, layout, 'test'), layout);
    await g.release();
    expect(err).toBeLessThan(2e-2);
  }, 60_000);

  it('GRPO loss at ratio 1 with ref = policy is −mean advantage over the mask', async () => {
    const N = B * T;
    const sft = await gradRunner({ kind: 'sft' }, batch, {});
    const flat = flatten(init.weights, layout, 'test');
    const logp = Float32Array.from((await sft.run(flat)).logp);
    await sft.release();
    const adv = Float32Array.from({ length: N }, (_, i) => (i % 3) - 1);
    const g = await gradRunner({ kind: 'grpo', clipEps: 0.2, klCoef: 0.5 }, batch, {
      [TRAIN_IO.advantages]: adv, [TRAIN_IO.oldLogProbs]: logp, [TRAIN_IO.refLogProbs]: logp,
    });
    const { loss } = await g.run(flat);
    await g.release();
    let num = 0;
    let den = 0;
    for (let i = 0; i < N; i++) { num += adv[i]! * batch.mask[i]!; den += batch.mask[i]!; }
    expect(loss).toBeCloseTo(-num / den, 5);
  });

  it('AdamW (clipping, bias correction, decoupled decay on ≥2-D only) matches a hand-computed update', async () => {
    const start = initGpt(tinyConfig, 21);
    const g = await gradRunner({ kind: 'sft' }, batch, {});
    const trainer = await Trainer.create({ init: start, optim: adamw, loss: { kind: 'sft' }, batchSize: B, seqLen: T });
    const p = flatten(start.weights, layout, 'test').map((x) => x); // float32 host mirror
    const m = new Float64Array(p.length);
    const v = new Float64Array(p.length);
    const mask = decayMask(layout);
    for (let step = 0; step < 3; step++) {
      const { grad } = await g.run(Float32Array.from(p));
      let sq = 0;
      for (const x of grad) sq += x * x;
      const norm = Math.sqrt(sq);
      const scale = Math.min(1, adamw.gradClip / (norm + 1e-6));
      const lr = lrAt(step, adamw);
      const t = step + 1;
      for (let i = 0; i < p.length; i++) {
        const gi = grad[i]! * scale;
        m[i] = adamw.beta1 * m[i]! + (1 - adamw.beta1) * gi;
        v[i] = adamw.beta2 * v[i]! + (1 - adamw.beta2) * gi * gi;
        const upd = m[i]! / (1 - adamw.beta1 ** t) / (Math.sqrt(v[i]! / (1 - adamw.beta2 ** t)) + adamw.eps);
        p[i] = p[i]! - lr * (upd + adamw.weightDecay * mask[i]! * p[i]!);
      }
      const stats = await trainer.train(batch);
      expect(stats.gradNorm).toBeCloseTo(norm, 4);
      expect(stats.lr).toBe(lr);
      expect(stats.step).toBe(t);
    }
    const got = flatten((await trainer.checkpoint()).weights, layout, 'test');
    let maxDiff = 0;
    for (let i = 0; i < p.length; i++) maxDiff = Math.max(maxDiff, Math.abs(got[i]! - p[i]!));
    // Three steps of lr ≤ 1e-2: float32 graph vs float64 host agree far below one step's size.
    expect(maxDiff).toBeLessThan(2e-5);
    const moved = got.some((x, i) => x !== flatten(start.weights, layout, 'test')[i]);
    expect(moved).toBe(true);
    await trainer.dispose();
    await g.release();
  }, 60_000);
});

describe('embedding gradient', () => {
  // onnxruntime 1.30's CPU ScatterND(reduction=add) was seen to return wrong sums with 4 and 16 threads (a race on
  // colliding rows, intermittent); the one-hot GEMM the rule now uses must be exact at any thread count.
  it('sums repeated ids exactly at 1 and 4 threads', async () => {
    const { Graph } = await import('../../src/nn/onnx/graph.js');
    const { gradients } = await import('../../src/nn/grad/autodiff.js');
    const { encodeModel } = await import('../../src/nn/onnx/encode.js');
    const rt = await import('../../src/nn/runtime/ort.js');
    const N = 4096;
    const V = 260;
    const C = 64;
    const rng = new Rng(1);
    const ids = Int32Array.from({ length: N }, () => rng.int(V));
    const w = Float32Array.from({ length: N * C }, () => rng.normal());
    const g = new Graph();
    const table = g.input('table', 'float32', [V, C]);
    const idx = g.input('ids', 'int32', [N]);
    const loss = g.reduceSum(g.mul(g.gather(table, idx, 0), g.constant(w, 'float32', [N, C])), [0, 1], false);
    g.output(gradients(g, loss, [table])[0]!, 'grad');
    const expected = new Float64Array(V * C);
    for (let i = 0; i < N; i++) for (let c = 0; c < C; c++) expected[ids[i]! * C + c]! += w[i * C + c]!;
    for (const threads of [1, 4]) {
      const s = await rt.RtSession.create(encodeModel(g), { threads });
      const out = rt.hostData<Float32Array>((await s.run({ table: rt.tensor('float32', new Float32Array(V * C), [V, C]), ids: rt.tensor('int32', ids, [N]) }))['grad']!);
      let err = 0;
      for (let i = 0; i < V * C; i++) err = Math.max(err, Math.abs(out[i]! - expected[i]!));
      expect(err, `threads ${threads}`).toBeLessThan(1e-3);
      await s.release();
    }
  });
});

describe('non-finite updates', () => {
  it('are refused with the step named, and the weights stay as they were', async () => {
    const init = initGpt(tinyConfig, 3);
    const bad = new Map(init.weights);
    const wte = Float32Array.from(bad.get('wte')!);
    wte.fill(Number.NaN, 0, 256 * tinyConfig.nEmbd); // every byte embedding
    bad.set('wte', wte);
    const trainer = await Trainer.create({ init: { ...init, weights: bad }, optim: adamw, loss: { kind: 'sft' }, batchSize: B, seqLen: T });
    await expect(trainer.train(copyBatch(new Rng(1), B, T))).rejects.toThrow(/^Trainer: non-finite loss \(NaN\) or gradient norm \(NaN\) at step 1 \(lr 0\.005\); the update was discarded$/);
    expect(trainer.step).toBe(0);
    const after = await trainer.checkpoint();
    expect(Number.isNaN(after.weights.get('wte')![0]!)).toBe(true);
    expect(after.weights.get('wpe')).toEqual(init.weights.get('wpe'));
    await trainer.dispose();
  });
});
