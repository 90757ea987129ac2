#!/usr/bin/env node
// pipe half of the PyTorch cross-check. Builds a small GPT with fixed weights and a fixed batch, and writes to DIR:
//   case.json (config, layout, lr, AdamW settings, losses), weights.bin, tokens.bin, targets.bin, mask.bin, and per
//   provider <p>.logits.bin, <p>.grad.bin, <p>.step.bin (params after one Trainer step). crosscheck.py compares.
// Usage: node bench/gpu/crosscheck.mjs DIR [--providers cpu,webgpu]     (after `npm run build`)
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Trainer, initGpt, packBatch, tokenizer, lrAt, saveCheckpoint } from '../../dist/nn/index.js';
import { flatten } from '../../dist/nn/flat.js';
import { flatLayout } from '../../dist/nn/models/gpt.js';
import { TRAIN_IO, buildGradGraph, modelBytes } from '../../dist/nn/train-graph.js';
import { Rng } from '../../dist/util/rng.js';

const { positionals, values } = parseArgs({ allowPositionals: true, options: { providers: { type: 'string', default: 'cpu,webgpu' } } });
const dir = positionals[0] ?? '/tmp/crosscheck';
mkdirSync(dir, { recursive: true });
const cfg = { vocabSize: tokenizer.vocabSize, blockSize: 32, nLayer: 2, nHead: 4, nEmbd: 64 };
const B = 4;
const T = 32;
const optim = { lr: 1e-3, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, warmupSteps: 1, totalSteps: 10, minLrRatio: 0.1, gradClip: 1 };

// nanoGPT init, with LayerNorm parameters and biases perturbed so every path carries a generic gradient.
const init = initGpt(cfg, 1);
const rng = new Rng(2);
const weights = new Map();
for (const [name, w] of init.weights) {
  const generic = !name.endsWith('.weight') || name.includes('ln_');
  weights.set(name, Float32Array.from(w, (x) => (generic ? x + 0.1 * rng.normal() : x)));
}
const ckpt = { ...init, weights };
const rows = Array.from({ length: B }, () => ({
  prompt: Array.from({ length: rng.range(4, 20) }, () => rng.int(256)),
  response: Array.from({ length: rng.range(2, 12) }, () => rng.int(256)),
}));
const batch = packBatch(rows, T);
const layout = flatLayout(cfg);
const flat = flatten(weights, layout, 'crosscheck');
const bin = (name, arr) => writeFileSync(join(dir, name), new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength));
bin('weights.bin', flat);
bin('tokens.bin', batch.tokens);
bin('targets.bin', batch.targets);
bin('mask.bin', batch.mask);

await saveCheckpoint(join(dir, 'ckpt'), ckpt);
const rt = await import('../../dist/nn/runtime/ort.js');
const results = {};
for (const provider of values.providers.split(',')) {
  const s = await rt.RtSession.create(modelBytes(buildGradGraph(cfg, { kind: 'sft' }, B, T)), { provider, label: 'grad' });
  const out = await s.run({
    [TRAIN_IO.params]: rt.tensor('float32', flat, [flat.length]),
    [TRAIN_IO.tokens]: rt.tensor('int32', batch.tokens, [B, T]),
    [TRAIN_IO.targets]: rt.tensor('int32', batch.targets, [B * T]),
    [TRAIN_IO.mask]: rt.tensor('float32', batch.mask, [B * T]),
  });
  bin(`${provider}.logits.bin`, rt.hostData(out.logits));
  bin(`${provider}.grad.bin`, rt.hostData(out.grad));
  const loss = rt.hostScalar(out[TRAIN_IO.loss]);
  await s.release();
  const trainer = await Trainer.create({ init: ckpt, optim, loss: { kind: 'sft' }, batchSize: B, seqLen: T, provider });
  const stats = await trainer.train(batch);
  bin(`${provider}.step.bin`, flatten((await trainer.checkpoint()).weights, layout, 'step'));
  await trainer.dispose();
  results[provider] = { loss, stepLoss: stats.loss, gradNorm: stats.gradNorm };
  console.log(JSON.stringify({ provider, loss, gradNorm: stats.gradNorm }));
}
writeFileSync(join(dir, 'case.json'), JSON.stringify({
  config: cfg, batch: B, seq: T, optim, lr: lrAt(0, optim),
  layout: layout.specs.map((s, i) => ({ name: s.name, shape: s.shape, offset: layout.offsets[i], decay: s.decay })),
  size: layout.size, results,
}, null, 1));
