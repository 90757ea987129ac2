// Kernels of one decode step: the nodes of the resident decode graph after onnxruntime's graph optimization on the
// CPU EP (written with optimizedModelFilePath and read back), per op type, for each decode graph.
// Run: npm run build && node bench/eval/decode-kernels.mjs [--models gpt,llama-fixture] [--batch 8] [--slots 192]
//        [--graph standard,fused,fused-mha] [--level all|basic|none]
// The CPU EP's optimizer fuses a little more than the WebGPU EP's (its fusions are EP-specific), so these counts are
// a lower bound of what WebGPU dispatches; `--level basic` shows the graph without the EP-specific fusions.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromBinary } from '@bufbuild/protobuf';
import * as ort from 'onnxruntime-node';
import { ModelProtoSchema } from 'onnx-buf';
import { buildDecodeGraph } from '../../dist/nn/generator.js';
import { encodeModel } from '../../dist/nn/onnx/encode.js';
import { benchModel } from './bench-models.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i < 0 ? dflt : args[i + 1];
};
const models = opt('--models', 'gpt,llama-fixture').split(',');
const B = Number(opt('--batch', '8'));
const S = Number(opt('--slots', '192'));
const graphs = opt('--graph', 'standard,fused,fused-mha').split(',');
const level = opt('--level', 'all');

const dir = mkdtempSync(join(tmpdir(), 'decode-kernels-'));
try {
  for (const name of models) {
    const { ckpt } = await benchModel(name);
    for (const graph of graphs) {
      const file = join(dir, `${name}-${graph}.onnx`);
      const model = encodeModel(buildDecodeGraph(ckpt.config, B, S, { resident: true, graph }));
      const session = await ort.InferenceSession.create(model, { executionProviders: ['cpu'], graphOptimizationLevel: level, optimizedModelFilePath: file, logSeverityLevel: 3 });
      await session.release();
      const nodes = fromBinary(ModelProtoSchema, readFileSync(file)).graph?.node ?? [];
      const byOp = new Map();
      for (const n of nodes) byOp.set(n.opType, (byOp.get(n.opType) ?? 0) + 1);
      const ops = [...byOp].sort((a, b) => b[1] - a[1]).map(([op, n]) => `${op} ${n}`).join(', ');
      console.log(`${name.padEnd(14)} ${graph.padEnd(8)} batch ${B}, ${S} slots, level ${level}: ${nodes.length} nodes (${ops})`);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
