import { Rng } from '../util/rng.js';
import { packBatch } from './batch.js';
import { initGpt } from './models/gpt-params.js';
import { encodeModel } from './onnx/encode.js';
import { Graph } from './onnx/graph.js';
import { tokenizer } from './tokenizer.js';
import { Trainer } from './trainer.js';
import type { Provider } from './types.js';

/** Whether an execution provider can create and run a small graph here. */
export interface ProviderProbe {
  readonly provider: Provider;
  readonly ok: boolean;
  readonly error?: string;
}

/**
 * Tries each provider on a tiny graph (MatMul + Softmax) and checks the numbers against the CPU's. `cuda` is only
 * tried when this onnxruntime-node build says its libraries are bundled.
 */
export async function probeProviders(): Promise<ProviderProbe[]> {
  const rt = await import('./runtime/ort.js');
  const g = new Graph();
  const a = g.input('a', 'float32', [4, 8]);
  const b = g.input('b', 'float32', [8, 4]);
  g.output(g.softmax(g.matmul(a, b), -1), 'y');
  const model = encodeModel(g);
  const rng = new Rng(1);
  const A = Float32Array.from({ length: 32 }, () => rng.normal());
  const Bm = Float32Array.from({ length: 32 }, () => rng.normal());
  const candidates: Provider[] = ['cpu', 'webgpu'];
  if (rt.bundledBackends().some((x) => x.name === 'cuda' && x.bundled)) candidates.push('cuda');
  const results: ProviderProbe[] = [];
  let reference: Float32Array | undefined;
  for (const provider of candidates) {
    try {
      const s = await rt.RtSession.create(model, { provider, label: 'provider probe' });
      const out = await s.run({ a: rt.tensor('float32', A, [4, 8]), b: rt.tensor('float32', Bm, [8, 4]) });
      const y = Float32Array.from(rt.hostData<Float32Array>(out['y']!));
      await s.release();
      reference ??= y;
      const err = y.reduce((m, v, i) => Math.max(m, Math.abs(v - (reference as Float32Array)[i]!)), 0);
      results.push(err < 1e-4 ? { provider, ok: true } : { provider, ok: false, error: `results differ from the CPU's by ${err}` });
    } catch (e) {
      results.push({ provider, ok: false, error: (e instanceof Error ? e.message : String(e)).split('\n')[0]! });
    }
  }
  return results;
}

/** What `doctorTrain` reports. */
export interface TrainProbe {
  readonly provider: Provider;
  readonly steps: number;
  readonly lossStart: number;
  readonly lossEnd: number;
  readonly tokensPerSecond: number;
}

/**
 * Trains a tiny GPT (2 layers, 64 wide) for `steps` optimizer steps on a fixed-seed copy task (prompt = random
 * letters, response = the same letters). lossStart/lossEnd are the mean training loss of the first and last 5
 * steps; tokensPerSecond counts every position of every batch over the timed steps (after one warm-up step).
 */
export async function doctorTrain(opts: { provider?: Provider; steps?: number; threads?: number } = {}): Promise<TrainProbe> {
  const provider = opts.provider ?? 'cpu';
  const steps = opts.steps ?? 40;
  const B = 32;
  const T = 16;
  const cfg = { vocabSize: tokenizer.vocabSize, blockSize: T, nLayer: 2, nHead: 2, nEmbd: 64 };
  const optim = { lr: 3e-3, beta1: 0.9, beta2: 0.98, eps: 1e-8, weightDecay: 0.01, warmupSteps: 5, totalSteps: steps, minLrRatio: 0.1, gradClip: 1 };
  const trainer = await Trainer.create({
    init: initGpt(cfg, 1),
    optim,
    loss: { kind: 'sft' },
    batchSize: B,
    seqLen: T,
    provider,
    ...(opts.threads !== undefined ? { threads: opts.threads } : {}),
  });
  const rng = new Rng(7);
  const batch = () =>
    packBatch(
      Array.from({ length: B }, () => {
        const p = Array.from({ length: rng.range(3, 5) }, () => 97 + rng.int(6));
        return { prompt: p, response: p };
      }),
      T,
    );
  const losses: number[] = [];
  let t0 = 0;
  try {
    for (let s = 0; s < steps; s++) {
      if (s === 1) t0 = performance.now();
      losses.push((await trainer.train(batch())).loss);
    }
  } finally {
    await trainer.dispose();
  }
  const seconds = (performance.now() - t0) / 1000;
  const k = Math.min(5, Math.floor(steps / 2));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return {
    provider,
    steps,
    lossStart: mean(losses.slice(0, k)),
    lossEnd: mean(losses.slice(-k)),
    tokensPerSecond: steps > 1 ? ((steps - 1) * B * T) / seconds : 0,
  };
}
