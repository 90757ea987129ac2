#!/usr/bin/env node
// Which ops onnxruntime's CPU graph optimizer leaves in pipe's train-step graph (fusions show up as com.microsoft
// ops such as FusedMatMul, Gelu, FusedGemm). Usage: node bench/train/optimized-ops.mjs NN_INDEX_JS [level]
import { fromBinary } from '@bufbuild/protobuf';
import { ModelProtoSchema } from 'onnx-buf';
import { readFileSync } from 'node:fs';
import { resolve, dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as ort from 'onnxruntime-node';

const nnPath = resolve(process.argv[2] ?? 'dist/nn/index.js');
const level = process.argv[3] ?? 'all';
const tg = await import(pathToFileURL(join(dirname(nnPath), 'train-graph.js')).href);
const cfg = { vocabSize: 260, blockSize: 256, nLayer: 2, nHead: 4, nEmbd: 128 };
const optim = { lr: 1e-3, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, warmupSteps: 2, totalSteps: 1000, minLrRatio: 0.1, gradClip: 1 };
const bytes = tg.modelBytes(tg.buildTrainGraph(cfg, optim, { kind: 'sft' }, 32, 224, { cpuOnly: process.argv[4] !== 'plain' }));
const count = (m) => {
  const c = new Map();
  for (const n of m.graph.node) { const k = `${n.domain ? n.domain + '::' : ''}${n.opType}`; c.set(k, (c.get(k) ?? 0) + 1); }
  return Object.fromEntries([...c.entries()].sort((a, b) => b[1] - a[1]));
};
const out = `/tmp/nnab/optimized-${process.pid}.onnx`;
await ort.InferenceSession.create(bytes, { graphOptimizationLevel: level, optimizedModelFilePath: out, intraOpNumThreads: 1 });
console.log(JSON.stringify({ before: count(fromBinary(ModelProtoSchema, bytes)), after: count(fromBinary(ModelProtoSchema, readFileSync(out))) }));
