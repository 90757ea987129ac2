// Llama-family equivalence on every available execution provider: logits and parameter gradients of pipe's graphs
// against the transformers fixtures in test/fixtures/hf (relative error max|a−b| / max|b|). Usage (after a build):
//   node bench/gpu/llama-equivalence.mjs [cpu,webgpu]   → one JSON line per family × provider × check
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSafetensors } from '../../dist/nn/hf/safetensors.js';
import { parseLlamaConfig } from '../../dist/nn/hf/config.js';
import { llamaCheckpoint } from '../../dist/nn/index.js';
import { decoderModel } from '../../dist/nn/models/model.js';
import { inputParams } from '../../dist/nn/models/gpt.js';
import { encodeModel } from '../../dist/nn/onnx/encode.js';
import { Graph } from '../../dist/nn/onnx/graph.js';
import { TRAIN_IO, buildGradGraph, modelBytes } from '../../dist/nn/train-graph.js';
import { flatten, unflatten } from '../../dist/nn/flat.js';
import * as rt from '../../dist/nn/runtime/ort.js';

const FIX = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'hf');
const providers = (process.argv[2] ?? 'cpu,webgpu').split(',');
const rel = (a, b) => {
  let num = 0, den = 0;
  for (let i = 0; i < b.length; i++) { num = Math.max(num, Math.abs(a[i] - b[i])); den = Math.max(den, Math.abs(b[i])); }
  return num / den;
};
for (const family of ['llama', 'qwen2', 'qwen3']) {
  const cfg = parseLlamaConfig(JSON.parse(readFileSync(join(FIX, family, 'config.json'), 'utf8')), 'config.json');
  const tensors = await readSafetensors(join(FIX, family, 'model.safetensors'));
  const ckpt = llamaCheckpoint(cfg, tensors);
  const exp = JSON.parse(readFileSync(join(FIX, `${family}.expected.json`), 'utf8'));
  const wantGrads = await readSafetensors(join(FIX, `${family}.grads.safetensors`));
  const T = exp.ids.length;
  for (const provider of providers) {
    // forward
    const model = decoderModel(ckpt.config);
    const g = new Graph();
    const { params } = inputParams(g, model.specs);
    const tokens = g.input('tokens', 'int32', [1, T]);
    g.output(model.forward(g, params, tokens).logits, 'logits');
    const s = await rt.RtSession.create(encodeModel(g), { label: 'forward', provider });
    const feeds = { tokens: rt.tensor('int32', Int32Array.from(exp.ids), [1, T]) };
    for (const spec of model.specs) feeds[spec.name] = rt.tensor('float32', ckpt.weights.get(spec.name), spec.shape);
    const out = await s.run(feeds);
    const logitsErr = rel(rt.hostData(out.logits), exp.logits);
    await s.release();
    // gradients (the portable graph: what runs on WebGPU)
    const built = buildGradGraph(ckpt.config, { kind: 'sft' }, 1, T, { cpuOnly: provider === 'cpu' });
    const gs = await rt.RtSession.create(modelBytes(built), { label: 'grad', provider });
    const o = await gs.run({
      [TRAIN_IO.params]: rt.tensor('float32', flatten(ckpt.weights, built.layout, 'bench'), [built.layout.size]),
      [TRAIN_IO.tokens]: rt.tensor('int32', Int32Array.from(exp.ids), [1, T]),
      [TRAIN_IO.targets]: rt.tensor('int32', Int32Array.from({ length: T }, (_, t) => (t + 1 < T ? exp.ids[t + 1] : 0)), [T]),
      [TRAIN_IO.mask]: rt.tensor('float32', Float32Array.from({ length: T }, (_, t) => (t + 1 < T ? 1 : 0)), [T]),
    });
    const grads = unflatten(Float32Array.from(rt.hostData(o.grad)), built.layout);
    let worst = ['', 0];
    for (const [name, t] of wantGrads) { const e = rel(grads.get(name), t.data); if (e > worst[1]) worst = [name, e]; }
    await gs.release();
    console.log(JSON.stringify({ family, provider, logitsRelErr: logitsErr, worstGradRelErr: worst[1], worstGradTensor: worst[0],
      loss: rt.hostScalar(o[TRAIN_IO.loss]), torchLoss: exp.loss }));
  }
}
