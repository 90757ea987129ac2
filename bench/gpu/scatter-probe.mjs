#!/usr/bin/env node
// The embedding gradient two ways, at a train step's size (N = 64·256 token rows of width 384 into 260 rows):
// ScatterND with reduction=add (atomics on WebGPU; many rows hit the same id) vs one-hot(ids)ᵀ·dY as a GEMM.
// Usage: node bench/gpu/scatter-probe.mjs [--provider webgpu] [--n 16384]
import { parseArgs } from 'node:util';
import { Graph } from '../../dist/nn/onnx/graph.js';
import { encodeModel } from '../../dist/nn/onnx/encode.js';
import { DeviceMover } from '../../dist/nn/runtime/device.js';
import { Rng } from '../../dist/util/rng.js';

const rt = await import('../../dist/nn/runtime/ort.js');
const { values } = parseArgs({ options: { provider: { type: 'string', default: 'webgpu' }, n: { type: 'string', default: '16384' } } });
const provider = values.provider;
const N = Number(values.n);
const V = 260;
const C = 384;
const mover = new DeviceMover(rt, provider);
const rng = new Rng(1);
const ids = Int32Array.from({ length: N }, () => rng.int(V));
const dy = Float32Array.from({ length: N * C }, () => rng.normal());
const variants = {
  scatterND: (g, idx, d) => g.scatterNDAdd(g.zeros([V, C], 'float32'), g.unsqueeze(g.cast(idx, 'int64'), [1]), d),
  onehotGemm: (g, idx, d) => {
    const onehot = g.cast(g.equal(g.reshape(idx, [N, 1]), g.constant(Int32Array.from({ length: V }, (_, i) => i), 'int32', [V])), 'float32');
    return g.gemm(onehot, d, null, { transA: true });
  },
};
let reference;
for (const [name, f] of Object.entries(variants)) {
  const g = new Graph();
  const idx = g.input('ids', 'int32', [N]);
  const d = g.input('dy', 'float32', [N, C]);
  g.output(f(g, idx, d), 'y');
  const s = await rt.RtSession.create(encodeModel(g), { provider, gpuOutputs: ['y'], label: name });
  const feeds = { ids: await mover.upload(rt.tensor('int32', ids, [N]), 'int32'), dy: await mover.upload(rt.tensor('float32', dy, [N, C]), 'float32') };
  let out;
  for (let i = 0; i < 2; i++) out = (await s.run(feeds)).y;
  const result = Float32Array.from(await mover.download(out, 'float32'));
  reference ??= result;
  const timed = async (n) => {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) out = (await s.run(feeds)).y;
    await mover.download(out, 'float32');
    return performance.now() - t0;
  };
  const ms = (-(await timed(5)) + (await timed(15))) / 10;
  const maxDiff = result.reduce((m, x, i) => Math.max(m, Math.abs(x - reference[i])), 0);
  console.log(JSON.stringify({ provider, variant: name, N, msPerRun: +ms.toFixed(3), maxDiffVsFirst: maxDiff }));
  await s.release();
}
await mover.release();
