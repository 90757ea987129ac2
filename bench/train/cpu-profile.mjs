#!/usr/bin/env node
// A/B training throughput of pipe's train step on the CPU EP, interleaved in one process so that load from other
// processes hits every variant alike. Each --impl is a compiled src/nn (bench/train/snapshot.sh REV DIR prints the
// path of its nn/index.js). Rounds alternate the variants (ABAB…, then BABA…); prints per-variant median ms/step,
// tokens/s and the ratio to the first variant; --profile adds kernel time per op type (onnxruntime profiling).
// Usage: node bench/train/cpu-profile.mjs --impl base=/tmp/a/out/nn/index.js,new=/tmp/b/out/nn/index.js
//        [--shape default|1m|3m|llama] [--threads 2] [--rounds 6] [--steps 2] [--batch B] [--seq T] [--profile] [--isolate]
// A `+spin` suffix on a variant's path (new=/tmp/b/out/nn/index.js+spin) runs it with spinning idle threads.
import { parseArgs } from 'node:util';
import { readFileSync, unlinkSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const SHAPES = {
  // The main pipeline's model and batch.
  default: { nLayer: 2, nHead: 4, nEmbd: 128, seq: 224, batch: 32, blockSize: 256 },
  '1m': { nLayer: 4, nHead: 4, nEmbd: 128, seq: 256, batch: 16, blockSize: 256 },
  '3m': { nLayer: 4, nHead: 8, nEmbd: 256, seq: 256, batch: 16, blockSize: 256 },
  // A small Llama-family decoder (RMSNorm, RoPE, SwiGLU, 8 query heads over 2 key/value heads), byte vocabulary.
  llama: {
    seq: 256, batch: 16,
    llama: {
      architecture: 'LlamaForCausalLM', hiddenSize: 256, intermediateSize: 688, numLayers: 4, numHeads: 8, numKvHeads: 2,
      headDim: 32, maxPositions: 256, rmsNormEps: 1e-5, ropeTheta: 10000, ropeScaling: null, attentionBias: false,
      qkNorm: false, tieWordEmbeddings: true, bosTokenId: null, eosTokenId: null,
    },
  },
};
/** Runs at the start of a profile that summarize() skips. */
const WARM_RUNS = 2;
const { values } = parseArgs({
  options: {
    impl: { type: 'string', default: 'work=dist/nn/index.js' },
    shape: { type: 'string', default: 'default' },
    threads: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '6' },
    steps: { type: 'string', default: '2' },
    batch: { type: 'string' },
    seq: { type: 'string' },
    profile: { type: 'boolean', default: false },
    isolate: { type: 'boolean', default: false },
  },
});
const shape = SHAPES[values.shape];
if (!shape) throw new Error(`unknown shape ${values.shape}`);
const B = Number(values.batch ?? shape.batch);
const T = Number(values.seq ?? shape.seq);
const threads = Number(values.threads);
if (values.isolate) await isolated();
const optim = { lr: 1e-3, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, warmupSteps: 2, totalSteps: 1000, minLrRatio: 0.1, gradClip: 1 };

function batch(seed) {
  let s = seed >>> 0;
  const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 24);
  const tokens = new Int32Array(B * T).map(() => next());
  const targets = new Int32Array(B * T).map(() => next());
  return { batchSize: B, seqLen: T, tokens, targets, mask: new Float32Array(B * T).fill(1) };
}
const data = [batch(1), batch(2)];

const variants = [];
for (const spec of values.impl.split(',')) {
  // NAME=PATH, or NAME=PATH+spin for a variant whose idle onnxruntime threads spin (Trainer option `spinning`).
  const [name, target] = spec.split('=');
  const spinning = target.endsWith('+spin');
  const nn = await import(pathToFileURL(resolve(target.replace(/\+spin$/, ''))).href);
  const cfg = shape.llama
    ? { ...shape.llama, vocabSize: nn.tokenizer.vocabSize }
    : { vocabSize: nn.tokenizer.vocabSize, blockSize: shape.blockSize, nLayer: shape.nLayer, nHead: shape.nHead, nEmbd: shape.nEmbd };
  const init = shape.llama ? nn.initLlama(cfg, 1) : nn.initGpt(cfg, 1);
  const trainer = await nn.Trainer.create({
    init, optim, loss: { kind: 'sft' }, batchSize: B, seqLen: T, threads, provider: 'cpu', spinning,
    ...(values.profile ? { profile: true } : {}),
  });
  const first = await trainer.train(data[0]); // warm-up
  const params = shape.llama ? undefined : nn.countParams?.(cfg);
  variants.push({ name, trainer, params, times: [], cpu: [], firstLoss: first.loss, loss: 0 });
}
const rounds = Number(values.rounds);
const steps = Number(values.steps);
for (let r = 0; r < rounds; r++) {
  const order = r % 2 === 0 ? variants : [...variants].reverse();
  for (const v of order) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    for (let s = 0; s < steps; s++) v.loss = (await v.trainer.train(data[s % 2])).loss;
    v.times.push((performance.now() - t0) / steps);
    const c = process.cpuUsage(c0);
    v.cpu.push((c.user + c.system) / 1000 / steps);
  }
}
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const n = s.length; return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2; };
const base = median(variants[0].times);
const baseCpu = median(variants[0].cpu);
for (const v of variants) {
  const ms = median(v.times);
  const out = {
    impl: v.name, shape: values.shape, batch: B, seq: T, threads, params: v.params,
    medianMsPerStep: Math.round(ms * 10) / 10, tokensPerSecond: Math.round((B * T * 1000) / ms),
    speedupVsFirst: Math.round((base / ms) * 1000) / 1000, msPerStep: v.times.map((t) => Math.round(t)),
    // Process CPU time (all threads) per step: the work a step costs, far less sensitive than wall time to other
    // processes taking the cores (their time slices are not counted).
    medianCpuMsPerStep: Math.round(median(v.cpu) * 10) / 10, cpuSpeedupVsFirst: Math.round((baseCpu / median(v.cpu)) * 1000) / 1000,
    firstLoss: v.firstLoss, lastLoss: v.loss,
  };
  if (values.profile) out.profile = summarize(await v.trainer.endProfiling());
  await v.trainer.dispose();
  console.log(JSON.stringify(out));
}

/**
 * --isolate: one child process per (round, variant), alternating, so variants never share a process (their thread
 * pools' spinning cannot steal each other's cores); each child times --steps steps after its warm-up.
 */
async function isolated() {
  const { execFileSync } = await import('node:child_process');
  const specs = values.impl.split(',');
  const times = new Map(specs.map((s) => [s, []]));
  const cpu = new Map(specs.map((s) => [s, []]));
  const rest = process.argv.slice(2).filter((a, i, all) => a !== '--isolate' && a !== '--impl' && all[i - 1] !== '--impl' && a !== '--rounds' && all[i - 1] !== '--rounds');
  for (let r = 0; r < Number(values.rounds); r++) {
    for (const spec of r % 2 === 0 ? specs : [...specs].reverse()) {
      const out = execFileSync(process.execPath, [process.argv[1], '--impl', spec, '--rounds', '1', ...rest], { encoding: 'utf8' });
      const res = JSON.parse(out.trim().split('\n').pop());
      times.get(spec).push(res.medianMsPerStep);
      cpu.get(spec).push(res.medianCpuMsPerStep);
    }
  }
  const med = (xs) => { const s = [...xs].sort((a, b) => a - b); const n = s.length; return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2; };
  const base = med(times.get(specs[0]));
  for (const [spec, ts] of times) {
    const ms = med(ts);
    console.log(JSON.stringify({ impl: spec.split('=')[0], isolated: true, shape: values.shape, batch: B, seq: T, threads,
      medianMsPerStep: ms, tokensPerSecond: Math.round((B * T * 1000) / ms), speedupVsFirst: Math.round((base / ms) * 1000) / 1000, msPerStep: ts,
      medianCpuMsPerStep: med(cpu.get(spec)) }));
  }
  process.exit(0);
}

/** Kernel ms per op type (and the top nodes), averaged over the runs after the first WARM_RUNS, from an onnxruntime JSON trace. */
function summarize(file) {
  const events = JSON.parse(readFileSync(file, 'utf8'));
  unlinkSync(file);
  // The first two runs page-fault their buffers in (the first traces onnxruntime's memory pattern, the second
  // allocates the planned block): their kernel times are several times the steady state's, so they are left out.
  const starts = events.filter((e) => e.cat === 'Session' && e.name === 'model_run').map((e) => e.ts).sort((a, b) => a - b);
  const from = starts[WARM_RUNS] ?? Infinity;
  const runs = Math.max(0, starts.length - WARM_RUNS);
  const byOp = new Map();
  const byNode = new Map();
  let total = 0;
  let nodes = 0;
  for (const e of events) {
    if (e.cat !== 'Node' || !e.name.endsWith('_kernel_time') || e.ts < from) continue;
    const op = e.args?.op_name ?? '?';
    byOp.set(op, (byOp.get(op) ?? 0) + e.dur);
    const node = `${e.name.replace(/_kernel_time$/, '').replace(/h\.\d+/g, 'h.*')} ${op}`;
    byNode.set(node, (byNode.get(node) ?? 0) + e.dur);
    total += e.dur;
    nodes++;
  }
  const per = (us) => Math.round(us / 100 / runs) / 10;
  return {
    runs, nodesPerRun: nodes / runs, kernelMsPerRun: per(total),
    opsMs: [...byOp.entries()].sort((a, b) => b[1] - a[1]).map(([k, us]) => [k, per(us)]),
    topNodesMs: [...byNode.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.TOPN ?? 20)).map(([k, us]) => [k, per(us)]),
  };
}
