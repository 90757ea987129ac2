#!/usr/bin/env node
// The public API on another provider vs the CPU EP: Trainer (train, evalLoss, checkpoint read back from the GPU) and
// Generator (prefill + KV-cache decode, logProbs), same weights and batches. Prints JSON with the differences and
// generation timings. Usage: node bench/gpu/smoke.mjs [--provider webgpu]   (after `npm run build`)
import { parseArgs } from 'node:util';
import { Generator, Trainer, initGpt, packBatch, tokenizer } from '../../dist/nn/index.js';
import { Rng } from '../../dist/util/rng.js';

const { values } = parseArgs({ options: { provider: { type: 'string', default: 'webgpu' } } });
const cfg = { vocabSize: tokenizer.vocabSize, blockSize: 64, nLayer: 2, nHead: 4, nEmbd: 64 };
const optim = { lr: 3e-3, beta1: 0.9, beta2: 0.98, eps: 1e-8, weightDecay: 0.01, warmupSteps: 2, totalSteps: 20, minLrRatio: 0.1, gradClip: 1 };
const rng = new Rng(5);
const rows = () => Array.from({ length: 8 }, () => { const p = Array.from({ length: rng.range(3, 8) }, () => 97 + rng.int(6)); return { prompt: p, response: p }; });
const batches = Array.from({ length: 10 }, () => packBatch(rows(), 32));
const result = {};
const maxDiff = (a, b) => a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0);
const run = async (provider) => {
  const trainer = await Trainer.create({ init: initGpt(cfg, 1), optim, loss: { kind: 'sft' }, batchSize: 8, seqLen: 32, provider });
  const losses = [];
  for (const b of batches) losses.push((await trainer.train(b)).loss);
  const evalLoss = await trainer.evalLoss(batches[0]);
  const ckpt = await trainer.checkpoint();
  await trainer.dispose();
  const gen = await Generator.create(ckpt, { maxBatch: 16, maxLen: 64, provider });
  const prompts = Array.from({ length: 16 }, (_, i) => tokenizer.encode('abcdef'.slice(0, 3 + (i % 4))));
  const t0 = performance.now();
  const out = await gen.generate(prompts, { maxNewTokens: 12, temperature: 0, topP: 1, seed: 1 });
  const genMs = performance.now() - t0;
  const lp = await gen.logProbs(batches[1]);
  await gen.dispose();
  return { losses, evalLoss, weights: ckpt.weights, text: out.text, genMs, lp };
};
const cpu = await run('cpu');
const other = await run(values.provider);
result.provider = values.provider;
result.trainLossMaxDiff = maxDiff(other.losses, cpu.losses);
result.lossStartEnd = [cpu.losses[0], cpu.losses.at(-1)];
result.evalLossDiff = Math.abs(other.evalLoss - cpu.evalLoss);
result.weightsMaxDiff = Math.max(...[...cpu.weights].map(([k, w]) => maxDiff(other.weights.get(k), w)));
result.greedyTextsEqual = other.text.filter((t, i) => t === cpu.text[i]).length + '/' + cpu.text.length;
result.sample = [cpu.text[0], other.text[0]];
result.logProbsMaxDiff = maxDiff(other.lp, cpu.lp);
result.generateMs = { cpu: Math.round(cpu.genMs), [values.provider]: Math.round(other.genMs) };
console.log(JSON.stringify(result));
