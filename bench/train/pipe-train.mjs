#!/usr/bin/env node
// Training throughput of pipe's train-step graph: prints one JSON line per shape.
// Shapes: the GPT's (1m, 3m, 10m, 50m) and Llama-family ones (smollm-135m, qwen-0.5b; random weights), the latter
// fully fine-tuned or, with a `+lora` suffix (smollm-135m+lora), with LoRA rank 8, alpha 16 on q_proj and v_proj.
// Usage: node bench/train/pipe-train.mjs --provider cpu|webgpu [--shapes 1m,10m,50m] [--batch 8] [--seq 256]
//        [--steps 5] [--threads N] [--profile] [--spinning]  (--spinning: onnxruntime's default thread spinning,
//        for idle machines; the Trainer's default is off)   (after `npm run build`; reads dist/)
import { parseArgs } from 'node:util';
import { readdirSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import { Trainer, initGpt, countParams, tokenizer, initLlama, withLora, decoderModel } from '../../dist/nn/index.js';
import { Rng } from '../../dist/util/rng.js';

export const SHAPES = {
  '1m': { nLayer: 4, nHead: 4, nEmbd: 128 },
  '3m': { nLayer: 4, nHead: 8, nEmbd: 256 },
  '10m': { nLayer: 6, nHead: 6, nEmbd: 384 },
  '50m': { nLayer: 7, nHead: 12, nEmbd: 768 },
};

/** Llama-family shapes: SmolLM2-135M-like and Qwen2.5-0.5B-like (their config.json values, random weights). */
export const LLAMA_SHAPES = {
  'smollm-135m': {
    architecture: 'LlamaForCausalLM', vocabSize: 49152, hiddenSize: 576, intermediateSize: 1536, numLayers: 30, numHeads: 9,
    numKvHeads: 3, headDim: 64, maxPositions: 8192, rmsNormEps: 1e-5, ropeTheta: 100000, ropeScaling: null,
    attentionBias: false, qkNorm: false, tieWordEmbeddings: true, bosTokenId: 0, eosTokenId: 0,
  },
  'qwen-0.5b': {
    architecture: 'Qwen2ForCausalLM', vocabSize: 151936, hiddenSize: 896, intermediateSize: 4864, numLayers: 24, numHeads: 14,
    numKvHeads: 2, headDim: 64, maxPositions: 32768, rmsNormEps: 1e-6, ropeTheta: 1000000, ropeScaling: null,
    attentionBias: true, qkNorm: false, tieWordEmbeddings: true, bosTokenId: null, eosTokenId: 151645,
  },
};
/** The LoRA setting of `+lora` shapes (torch_train.py uses the same). */
export const LORA = { rank: 8, alpha: 16, dropout: 0, targets: ['q_proj', 'v_proj'], seed: 1 };

const { values } = parseArgs({
  options: {
    provider: { type: 'string', default: 'cpu' },
    shapes: { type: 'string', default: '1m,10m,50m' },
    batch: { type: 'string', default: '8' },
    seq: { type: 'string', default: '256' },
    steps: { type: 'string', default: '5' },
    threads: { type: 'string' },
    profile: { type: 'boolean', default: false },
    spinning: { type: 'boolean', default: false },
  },
});
const B = Number(values.batch);
const T = Number(values.seq);
const steps = Number(values.steps);
const optim = { lr: 1e-3, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, warmupSteps: 2, totalSteps: 1000, minLrRatio: 0.1, gradClip: 1 };

function batch(rng, vocab) {
  const tokens = new Int32Array(B * T);
  const targets = new Int32Array(B * T);
  const mask = new Float32Array(B * T).fill(1);
  for (let i = 0; i < B * T; i++) tokens[i] = rng.int(vocab);
  for (let i = 0; i < B * T; i++) targets[i] = rng.int(vocab);
  return { batchSize: B, seqLen: T, tokens, targets, mask };
}

/** The initial checkpoint of a shape name, its parameter count and its trainable count. */
function initOf(name) {
  const [base, mode] = name.split('+');
  if (SHAPES[base]) {
    const cfg = { vocabSize: tokenizer.vocabSize, blockSize: T, ...SHAPES[base] };
    return { init: initGpt(cfg, 1), params: countParams(cfg), trainable: countParams(cfg), vocab: 256 };
  }
  const cfg = LLAMA_SHAPES[base];
  if (!cfg || (mode !== undefined && mode !== 'lora')) throw new Error(`unknown shape '${name}'`);
  const count = (specs) => specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0);
  const full = initLlama(cfg, 1);
  const init = mode === 'lora' ? withLora(full, LORA) : full;
  const model = decoderModel(cfg, init.lora);
  return { init, params: count(decoderModel(cfg).specs), trainable: count(model.trainable), vocab: cfg.vocabSize };
}

for (const name of values.shapes.split(',')) {
  const shape = initOf(name);
  const t0 = performance.now();
  const trainer = await Trainer.create({
    init: shape.init, optim, loss: { kind: 'sft' }, batchSize: B, seqLen: T, provider: values.provider,
    ...(values.threads ? { threads: Number(values.threads) } : {}),
    ...(values.profile ? { profile: true } : {}),
    spinning: values.spinning,
  });
  const createMs = performance.now() - t0;
  const rng = new Rng(3);
  const data = Array.from({ length: 2 }, () => batch(rng, shape.vocab));
  let loss = 0;
  loss = (await trainer.train(data[0])).loss; // warm-up (first run allocates and, on WebGPU, uploads)
  const t1 = performance.now();
  for (let s = 0; s < steps; s++) loss = (await trainer.train(data[s % 2])).loss;
  const sec = (performance.now() - t1) / 1000;
  const out = {
    impl: 'pipe', provider: values.provider, shape: name, params: shape.params, trainable: shape.trainable,
    // AdamW state: the m and v flat buffers of the trainable tensors (float32).
    optimizerStateMiB: Math.round((2 * shape.trainable * 4) / 2 ** 20), batch: B, seq: T, steps,
    threads: values.threads ? Number(values.threads) : null,
    tokensPerSecond: Math.round((steps * B * T) / sec), msPerStep: Math.round((1000 * sec) / steps),
    createMs: Math.round(createMs), loss, peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  };
  if (values.profile) out.profile = summarizeProfile(await trainer.endProfiling());
  await trainer.dispose();
  console.log(JSON.stringify(out));
}

/** Sums kernel time per op type and provider from an onnxruntime profile (JSON trace events). */
function summarizeProfile(file) {
  const events = JSON.parse(readFileSync(file, 'utf8'));
  const byOp = new Map();
  const byNode = new Map();
  let total = 0;
  const providers = new Map();
  let runs = 0;
  for (const e of events) {
    if (e.cat === 'Session' && e.name === 'model_run') runs++;
    if (e.cat !== 'Node' || !e.name.endsWith('_kernel_time')) continue;
    const op = e.args?.op_name ?? '?';
    const prov = e.args?.provider ?? '?';
    const key = `${op}@${prov}`;
    byOp.set(key, (byOp.get(key) ?? 0) + e.dur);
    // Group layers together (h.3/… → h.*/…) so the top entries name the costly parts of a block.
    const node = `${e.name.replace(/_kernel_time$/, '').replace(/h\.\d+/g, 'h.*')} ${op}`;
    byNode.set(node, (byNode.get(node) ?? 0) + e.dur);
    providers.set(prov, (providers.get(prov) ?? 0) + 1);
    total += e.dur;
  }
  unlinkSync(file);
  const top = [...byOp.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([k, us]) => [k, Math.round(us / 1000)]);
  const topNodes = [...byNode.entries()].sort((a, b) => b[1] - a[1]).slice(0, 25).map(([k, us]) => [k, Math.round(us / 1000)]);
  return { runs, topNodesMs: topNodes, kernelMsTotal: Math.round(total / 1000), nodesByProvider: Object.fromEntries(providers), topOpsMs: top };
}
