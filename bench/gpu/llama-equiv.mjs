#!/usr/bin/env node
// Equivalence of pipe's Llama-family graphs with transformers on each execution provider, against the committed
// fixtures (test/fixtures/hf, made by transformers): per family and provider, the logits and every parameter's
// gradient of the mean next-token cross-entropy, as relative errors max|a − b| / max|b| (worst tensor named).
// npm test checks the CPU EP; this runs the same comparison on the WebGPU EP too.
// Usage: node bench/gpu/llama-equiv.mjs [--providers cpu,webgpu]     (after `npm run build`)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { llamaCheckpoint } from '../../dist/nn/index.js';
import { flatten, unflatten } from '../../dist/nn/flat.js';
import { parseLlamaConfig } from '../../dist/nn/hf/config.js';
import { readSafetensors } from '../../dist/nn/hf/safetensors.js';
import { TRAIN_IO, buildGradGraph, modelBytes } from '../../dist/nn/train-graph.js';

const { values } = parseArgs({ options: { providers: { type: 'string', default: 'cpu,webgpu' } } });
const dir = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'hf');
const rel = (a, b) => {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    num = Math.max(num, Math.abs(a[i] - b[i]));
    den = Math.max(den, Math.abs(b[i]));
  }
  return num / den;
};
const rt = await import('../../dist/nn/runtime/ort.js');
for (const family of ['llama', 'qwen2', 'qwen3']) {
  const exp = JSON.parse(readFileSync(join(dir, `${family}.expected.json`), 'utf8'));
  const cfgFile = join(dir, family, 'config.json');
  const ckpt = llamaCheckpoint(parseLlamaConfig(JSON.parse(readFileSync(cfgFile, 'utf8')), cfgFile), await readSafetensors(join(dir, family, 'model.safetensors')));
  const torchGrads = await readSafetensors(join(dir, `${family}.grads.safetensors`));
  const T = exp.ids.length;
  for (const provider of values.providers.split(',')) {
    for (const cpuOnly of provider === 'cpu' ? [false, true] : [false]) {
      const built = buildGradGraph(ckpt.config, { kind: 'sft' }, 1, T, { cpuOnly });
      const s = await rt.RtSession.create(modelBytes(built), { provider, label: 'grad' });
      const out = await s.run({
        [TRAIN_IO.params]: rt.tensor('float32', flatten(ckpt.weights, built.layout, family), [built.layout.size]),
        [TRAIN_IO.tokens]: rt.tensor('int32', Int32Array.from(exp.ids), [1, T]),
        [TRAIN_IO.targets]: rt.tensor('int32', Int32Array.from({ length: T }, (_, t) => (t + 1 < T ? exp.ids[t + 1] : 0)), [T]),
        [TRAIN_IO.mask]: rt.tensor('float32', Float32Array.from({ length: T }, (_, t) => (t + 1 < T ? 1 : 0)), [T]),
      });
      const grads = unflatten(Float32Array.from(rt.hostData(out.grad)), built.layout);
      let worst = ['', 0];
      for (const [name, t] of torchGrads) {
        const e = rel(grads.get(name), t.data);
        if (e > worst[1]) worst = [name, e];
      }
      console.log(JSON.stringify({
        family, provider, graph: cpuOnly ? 'cpu-only' : 'portable',
        lossRelErr: Math.abs(rt.hostScalar(out[TRAIN_IO.loss]) - exp.loss) / exp.loss,
        logitsRelErr: rel(rt.hostData(out.logits), exp.logits),
        worstGradRelErr: worst[1], worstGradTensor: worst[0],
      }));
      await s.release();
    }
  }
}
