#!/usr/bin/env node
// Effective bandwidth of the memory-bound ops a train step is made of, on one provider: each probe chains 10 of the
// op over an attention-sized float tensor (64·6·256·256 = 25 M floats, 100 MB) with inputs resident on the device.
// GB/s counts one read of each full-size input and one write per op. Usage: node bench/gpu/ops.mjs [--provider webgpu]
import { parseArgs } from 'node:util';
import { Graph } from '../../dist/nn/onnx/graph.js';
import { encodeModel } from '../../dist/nn/onnx/encode.js';
import { DeviceMover } from '../../dist/nn/runtime/device.js';

const rt = await import('../../dist/nn/runtime/ort.js');
const { values } = parseArgs({ options: { provider: { type: 'string', default: 'webgpu' } } });
const provider = values.provider;
const mover = new DeviceMover(rt, provider);
const R = Number(process.env.OPS_ROWS ?? 64 * 6 * 256);
const T = 256;
const probes = {
  'Mul by scalar': { io: 2, f: (g, y) => g.mul(y, g.scalar(0.999, 'float32')) },
  'Mul same shape': { io: 3, f: (g, y, x) => g.mul(y, x) },
  'Add (T,T) mask broadcast': { io: 2, f: (g, y, _x, m) => g.reshape(g.add(g.reshape(y, [R / T, T, T]), m), [R, T]) },
  'Sub row stat (R,1)': { io: 2, f: (g, y, _x, _m, r) => g.sub(y, r) },
  'Softmax last axis': { io: 2, f: (g, y) => g.softmax(y, -1) },
  'ReduceSum last axis + Expand back': { io: 2, f: (g, y) => g.expand(g.reduceSum(y, [-1], true), [R, T]) },
  // A Mul between the transposes stops onnxruntime from cancelling them.
  'Transpose swap (T,T) blocks, then Mul': { io: 4, f: (g, y) => g.mul(g.reshape(g.transpose(g.reshape(y, [R / T, T, T]), [0, 2, 1]), [R, T]), g.scalar(0.999, 'float32')) },
  Erf: { io: 2, f: (g, y) => g.erf(y) },
};
for (const [name, p] of Object.entries(probes)) {
  const g = new Graph();
  const x = g.input('x', 'float32', [R, T]);
  const m = g.constant(new Float32Array(T * T).fill(0.001), 'float32', [T, T]);
  const r = g.constant(new Float32Array(R).fill(0.001), 'float32', [R, 1]);
  let y = x;
  for (let i = 0; i < 10; i++) y = p.f(g, y, x, m, r);
  g.output(y, 'y');
  const s = await rt.RtSession.create(encodeModel(g), { provider, gpuOutputs: ['y'], label: name });
  const feeds = { x: await mover.upload(rt.tensor('float32', new Float32Array(R * T).fill(0.5), [R, T]), 'float32') };
  let out;
  for (let i = 0; i < 2; i++) out = (await s.run(feeds)).y;
  await mover.download(out, 'float32');
  // Time n and 3n runs, each ended by a read-back that waits for the GPU; the difference cancels the read-back.
  const timed = async (n) => {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) out = (await s.run(feeds)).y;
    await mover.download(out, 'float32');
    return performance.now() - t0;
  };
  const ms = (-(await timed(5)) + (await timed(3 * 5))) / (2 * 5);
  console.log(JSON.stringify({ provider, op: name, msPer10: +ms.toFixed(2), gbPerS: Math.round((10 * p.io * R * T * 4) / ms / 1e6) }));
  await s.release();
}
await mover.release();
