#!/usr/bin/env node
// Where does a WebGPU train step's time go? Measures fp32 matrix-product throughput of the WebGPU EP at the shapes
// of the bench models' MLP (M = batch·seq rows, C → 4C → C, 10 products chained in one run, inputs resident on the
// GPU), so the step's achieved TFLOP/s can be compared with what the EP's GEMM alone reaches. gemm.py does the
// same in PyTorch. Usage: node bench/gpu/gemm.mjs [--provider webgpu] [--m 4096] [--c 384,768]
import { parseArgs } from 'node:util';
import { Graph } from '../../dist/nn/onnx/graph.js';
import { encodeModel } from '../../dist/nn/onnx/encode.js';
import { DeviceMover } from '../../dist/nn/runtime/device.js';
import { Rng } from '../../dist/util/rng.js';

const rt = await import('../../dist/nn/runtime/ort.js');
const { values } = parseArgs({ options: { provider: { type: 'string', default: 'webgpu' }, m: { type: 'string', default: '4096' }, c: { type: 'string', default: '384,768' } } });
const M = Number(values.m);
const provider = values.provider;
const mover = new DeviceMover(rt, provider);
const rng = new Rng(1);
for (const C of values.c.split(',').map(Number)) {
  const g = new Graph();
  const x = g.input('x', 'float32', [M, C]);
  const w1 = g.input('w1', 'float32', [C, 4 * C]);
  const w2 = g.input('w2', 'float32', [4 * C, C]);
  let y = x;
  for (let i = 0; i < 5; i++) y = g.matmul(g.matmul(y, w1), w2);
  g.output(y, 'y');
  const s = await rt.RtSession.create(encodeModel(g), { provider, gpuOutputs: ['y'], label: 'gemm chain' });
  const rand = (n, scale) => Float32Array.from({ length: n }, () => rng.normal() * scale);
  const feeds = {
    x: await mover.upload(rt.tensor('float32', rand(M * C, 1), [M, C]), 'float32'),
    w1: await mover.upload(rt.tensor('float32', rand(C * 4 * C, 1 / Math.sqrt(C)), [C, 4 * C]), 'float32'),
    w2: await mover.upload(rt.tensor('float32', rand(4 * C * C, 1 / Math.sqrt(4 * C)), [4 * C, C]), 'float32'),
  };
  let out;
  for (let i = 0; i < 3; i++) out = (await s.run(feeds)).y;
  await mover.download(out, 'float32');
  // Time n and 3n runs, each ended by a read-back that waits for the GPU; the difference cancels the read-back.
  const timed = async (n) => {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) out = (await s.run(feeds)).y;
    await mover.download(out, 'float32');
    return performance.now() - t0;
  };
  const ms = (-(await timed(20)) + (await timed(3 * 20))) / (2 * 20);
  const flops = 10 * 2 * M * C * 4 * C;
  console.log(JSON.stringify({ impl: 'pipe', provider, M, C, msPerRun: +ms.toFixed(3), tflops: +(flops / ms / 1e9).toFixed(2) }));
  await s.release();
}


// Memory-bound ops: 20 chained elementwise ops (Mul by a scalar, Add a scalar) over an attention-sized tensor
// (64·6 heads · 256 · 256 floats = 100 MB), effective bandwidth = bytes read + written per op.
{
  const n = 64 * 6 * 256 * 256;
  const g = new Graph();
  const x = g.input('x', 'float32', [n]);
  let y = x;
  for (let i = 0; i < 10; i++) y = g.add(g.mul(y, g.scalar(0.999, 'float32')), g.scalar(0.001, 'float32'));
  g.output(y, 'y');
  const s = await rt.RtSession.create(encodeModel(g), { provider, gpuOutputs: ['y'], label: 'elementwise chain' });
  const feeds = { x: await mover.upload(rt.tensor('float32', new Float32Array(n).fill(1), [n]), 'float32') };
  let out;
  for (let i = 0; i < 3; i++) out = (await s.run(feeds)).y;
  await mover.download(out, 'float32');
  // Time n and 3n runs, each ended by a read-back that waits for the GPU; the difference cancels the read-back.
  const timed = async (n) => {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) out = (await s.run(feeds)).y;
    await mover.download(out, 'float32');
    return performance.now() - t0;
  };
  const ms = (-(await timed(10)) + (await timed(3 * 10))) / (2 * 10);
  console.log(JSON.stringify({ impl: 'pipe', provider, elementwiseOps: 20, mb: n * 4 / 1e6, msPerRun: +ms.toFixed(2), gbPerS: Math.round((20 * 2 * n * 4) / ms / 1e6) }));
  await s.release();
  await mover.release();
}
