import { Graph } from '../../dist/nn/onnx/graph.js';
import { encodeModel } from '../../dist/nn/onnx/encode.js';
import { DeviceMover } from '../../dist/nn/runtime/device.js';
const rt = await import('../../dist/nn/runtime/ort.js');
const provider = process.argv[2] ?? 'webgpu';
const mover = new DeviceMover(rt, provider);
const n = Number(process.argv[3] ?? 64 * 6 * 256 * 256);
for (const shape of [[n], [n / 256, 256], [n / 65536, 256, 256], [n / 65536, 1, 256, 256]]) {
  for (const kind of ['scalar', 'same', 'scalar-add-alt']) {
    const g = new Graph();
    const x = g.input('x', 'float32', shape);
    let y = x;
    for (let i = 0; i < 10; i++) y = kind === 'same' ? g.mul(y, x) : kind === 'scalar' ? g.mul(y, g.scalar(0.999, 'float32')) : (i % 2 ? g.add(y, g.scalar(0.001, 'float32')) : g.mul(y, g.scalar(0.999, 'float32')));
    g.output(y, 'y');
    const s = await rt.RtSession.create(encodeModel(g), { provider, gpuOutputs: ['y'] });
    const feeds = { x: await mover.upload(rt.tensor('float32', new Float32Array(n).fill(0.5), shape), 'float32') };
    let out;
    for (let i = 0; i < 2; i++) out = (await s.run(feeds)).y;
    await mover.download(out, 'float32');
    const t0 = performance.now();
    for (let i = 0; i < 5; i++) out = (await s.run(feeds)).y;
    await mover.download(out, 'float32');
    const ms = (performance.now() - t0) / 5;
    console.log(JSON.stringify({ shape: shape.join('x'), kind, msPer10: +ms.toFixed(2) }));
    await s.release();
  }
}
