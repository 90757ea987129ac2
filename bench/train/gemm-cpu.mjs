#!/usr/bin/env node
// Is MLAS (onnxruntime's CPU GEMM) itself slower than PyTorch's CPU GEMM at the shapes pipe trains? Times, one
// product per single-node session, the fp32 matrix products of one train step of the bench GPTs as pipe's CPU graphs
// emit them (src/nn/models/gpt.ts, src/nn/grad/rules.ts): each linear layer's forward Gemm (x·W + b), its input
// gradient Gemm(dy, W, transB) and its weight gradient Gemm(x, dy, transA); the tied head's Gemm(x, wte, transB) and
// its two gradients; the attention products as batched com.microsoft FusedMatMul over (B·heads, T, hd) (the
// gradient's dO·vᵀ, dS·k, dSᵀ·q, Pᵀ·dO; the forward's q·kᵀ and P·v run inside the ONNX Attention kernel, and are
// counted here at the same shapes). gemm_cpu.py times the same list in PyTorch (`--plan` prints it, so the list is
// declared once). Outputs are preallocated on both sides, so a run is the product and not an output copy. The MLP
// Gemms' alpha (1/√2, gpt.ts mlp) is left at 1: MLAS and the BLAS apply it while storing, without another pass.
// Usage: node bench/train/gemm-cpu.mjs --plan [--shapes default,1m,10m,50m] [--batch 8]   (JSON list of products)
//        node bench/train/gemm-cpu.mjs --threads 2 [--spin off,on] [--shapes …] [--batch 8] [--repeats 5] [--min-ms 40]
//   one JSON line per (product, spinning); after `npm run build` (reads dist/). --products fc.fwd,attn.q·kT keeps
//   the named products only (a minimal reproduction of one shape, with or without --plan).
import { parseArgs } from 'node:util';
import { Graph } from '../../dist/nn/onnx/graph.js';
import { encodeModel } from '../../dist/nn/onnx/encode.js';
import { tokenizer } from '../../dist/nn/index.js';

const { values } = parseArgs({
  options: {
    plan: { type: 'boolean', default: false },
    shapes: { type: 'string', default: 'default,1m,10m,50m' },
    products: { type: 'string' },
    batch: { type: 'string', default: '8' },
    threads: { type: 'string', default: '2' },
    spin: { type: 'string', default: 'off,on' },
    repeats: { type: 'string', default: '5' },
    'min-ms': { type: 'string', default: '40' },
  },
});

// The bench shapes (bench/train/pipe-train.mjs, cpu-profile.mjs): default is the main pipeline's GPT and batch.
const SHAPES = {
  default: { nLayer: 2, nHead: 4, nEmbd: 128, batch: 32, seq: 224 },
  '1m': { nLayer: 4, nHead: 4, nEmbd: 128, seq: 256 },
  '10m': { nLayer: 6, nHead: 6, nEmbd: 384, seq: 256 },
  '50m': { nLayer: 7, nHead: 12, nEmbd: 768, seq: 256 },
};

/**
 * The products of one train step of a shape: op(A) is (m, k), op(B) (k, n), `count` how many the step runs (0: a
 * diagnostic that pipe does not emit). Stored operands follow the transposes: A is (k, m) when transA.
 */
function plan(shape, s, batch) {
  const L = s.nLayer, C = s.nEmbd, T = s.seq, B = s.batch ?? batch;
  const N = B * T, hd = C / s.nHead, V = tokenizer.vocabSize;
  const out = [];
  const add = (product, op, [m, k, n], o = {}) => {
    const { transA = false, transB = false, bias = false, batch: bt = 1, count } = o;
    const lead = bt > 1 ? [bt] : [];
    out.push({
      shape, product, op, m, k, n, batch: bt, transA, transB, bias, count,
      a: [...lead, ...(transA ? [k, m] : [m, k])], b: [...lead, ...(transB ? [n, k] : [k, n])], y: [...lead, m, n],
      flops: 2 * bt * m * k * n,
    });
  };
  // A linear layer in → out over N rows with W stored (in, out), and the Gemm rule's two gradients.
  const linear = (name, inF, outF, count) => {
    add(`${name}.fwd`, 'Gemm', [N, inF, outF], { bias: true, count });
    add(`${name}.dx`, 'Gemm', [N, outF, inF], { transB: true, count });
    add(`${name}.dW`, 'Gemm', [inF, N, outF], { transA: true, count });
  };
  linear('qkv+proj', C, C, 4 * L); // q, k, v as three (C, C) Gemms (gpt.ts qkv), and attn.c_proj
  linear('fc', C, 4 * C, L);
  linear('mlp.proj', 4 * C, C, L);
  // The tied head: logits = x·wteᵀ; dx = dlogits·wte; dwte = dlogitsᵀ·x.
  add('head.fwd', 'Gemm', [N, C, V], { transB: true, count: 1 });
  add('head.dx', 'Gemm', [N, V, C], { count: 1 });
  add('head.dW', 'Gemm', [V, N, C], { transA: true, count: 1 });
  const bh = B * s.nHead;
  add('attn.q·kT', 'FusedMatMul', [T, hd, T], { transB: true, batch: bh, count: 2 * L }); // q·kᵀ, dO·vᵀ
  add('attn.P·v', 'FusedMatMul', [T, T, hd], { batch: bh, count: 2 * L }); // P·v, dS·k
  add('attn.PT·dO', 'FusedMatMul', [T, T, hd], { transA: true, batch: bh, count: 2 * L }); // dSᵀ·q, Pᵀ·dO
  // Diagnostic: q·kᵀ as a plain MatMul of a pre-transposed k, to tell a slow transB path from a slow shape.
  add('attn.q·kT(MatMul)', 'MatMul', [T, hd, T], { batch: bh, count: 0 });
  // Diagnostic: the cost of one call (a 1×1×1 Gemm), which a product in a whole-step graph does not pay.
  add('call overhead', 'Gemm', [1, 1, 1], { count: 0 });
  return out;
}

const products = values.shapes.split(',').flatMap((name) => {
  const s = SHAPES[name];
  if (!s) throw new Error(`unknown shape '${name}' (known: ${Object.keys(SHAPES).join(', ')})`);
  const only = values.products?.split(',');
  return plan(name, s, Number(values.batch)).filter((p) => !only || only.includes(p.product));
});
if (values.plan) {
  console.log(JSON.stringify(products));
  process.exit(0);
}

const rt = await import('../../dist/nn/runtime/ort.js');
const threads = Number(values.threads);
const repeats = Number(values.repeats);
const minMs = Number(values['min-ms']);
const spins = values.spin.split(',').map((s) => {
  if (s !== 'on' && s !== 'off') throw new Error(`--spin takes on and/or off, not '${s}'`);
  return s === 'on';
});
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const n = s.length; return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2; };
const rand = (dims) => Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => Math.random() - 0.5);

/**
 * Median ms of one run over `repeats` timed loops, each of enough runs to last ≥ minMs (so timer and call
 * overheads are small next to the product), after two warm-up runs.
 */
async function time(run) {
  await run();
  const t0 = performance.now();
  await run();
  const runs = Math.max(1, Math.ceil(minMs / (performance.now() - t0)));
  const per = [];
  for (let r = 0; r < repeats; r++) {
    const t = performance.now();
    for (let i = 0; i < runs; i++) await run();
    per.push((performance.now() - t) / runs);
  }
  return { ms: median(per), runs };
}

for (const [i, p] of products.entries()) {
  const g = new Graph({ cpuOnly: true });
  const a = g.input('a', 'float32', p.a);
  const b = g.input('b', 'float32', p.b);
  const c = p.bias ? g.input('c', 'float32', [p.n]) : null;
  const o = { transA: p.transA, transB: p.transB };
  g.output(p.op === 'Gemm' ? g.gemm(a, b, c, o) : p.op === 'FusedMatMul' ? g.fusedMatMul(a, b, o) : g.matmul(a, b), 'y');
  const model = encodeModel(g);
  const feeds = { a: rt.tensor('float32', rand(p.a), p.a), b: rt.tensor('float32', rand(p.b), p.b) };
  if (c) feeds.c = rt.tensor('float32', rand([p.n]), [p.n]);
  const y = rt.tensor('float32', new Float32Array(p.y.reduce((x, z) => x * z, 1)), p.y);
  // Sessions one after the other, never side by side: a spinning pool would steal the other's cores. The order
  // alternates between products so that drift in the machine's load does not favour one setting.
  for (const spinning of i % 2 === 0 ? spins : [...spins].reverse()) {
    const s = await rt.RtSession.create(model, { threads, spinning, label: `${p.shape} ${p.product}` });
    const { ms, runs } = await time(() => s.run(feeds, { y }));
    await s.release();
    const { a: _a, b: _b, y: _y, ...desc } = p;
    console.log(JSON.stringify({ impl: 'pipe', ...desc, threads, spinning, runs, repeats, ms: +ms.toFixed(4), gflops: +(p.flops / ms / 1e6).toFixed(1) }));
  }
}
