import { describe, expect, it } from 'vitest';
import { gradients } from '../../src/nn/grad/autodiff.js';
import { Graph } from '../../src/nn/onnx/graph.js';

describe('builder and autodiff errors name the op and node', () => {
  it('a MatMul shape mismatch', () => {
    const g = new Graph();
    const a = g.input('a', 'float32', [2, 3]);
    const b = g.input('b', 'float32', [4, 5]);
    expect(() => g.scoped('block', () => g.matmul(a, b))).toThrow("Shape error in MatMul node 'block/MatMul': inner dimensions differ: [2,3] · [4,5]");
  });

  it('a broadcast mismatch', () => {
    const g = new Graph();
    const a = g.input('a', 'float32', [2, 3]);
    const b = g.input('b', 'float32', [4]);
    expect(() => g.add(a, b)).toThrow("Shape error in Add node 'Add': cannot broadcast [2,3] with [4]");
  });

  it('a bad reshape', () => {
    const g = new Graph();
    const a = g.input('a', 'float32', [2, 3]);
    expect(() => g.reshape(a, [4, 2])).toThrow("Shape error in Reshape node 'Reshape': cannot reshape [2,3] to [4,2]");
  });

  it('an op without a gradient rule', () => {
    const g = new Graph();
    const x = g.input('x', 'float32', [3]);
    const y = g.apply('Abs', [x])[0]!;
    const loss = g.reduceSum(y, [0], false);
    expect(() => gradients(g, loss, [x])).toThrow("No gradient rule for op Abs (node 'Abs'); add one to src/nn/grad/rules.ts");
  });

  it('no rule is needed where no gradient flows', () => {
    const g = new Graph();
    const x = g.input('x', 'float32', [3]);
    const c = g.apply('Abs', [g.input('c', 'float32', [3])])[0]!; // constant w.r.t. x
    const loss = g.reduceSum(g.mul(x, c), [0], false);
    expect(gradients(g, loss, [x])[0]!.shape).toEqual([3]);
  });
});

describe('batch ids out of the vocabulary', () => {
  it('train() and evalLoss() name the array, row and position (no onnxruntime error from inside the graph)', async () => {
    const { Trainer, initGpt } = await import('../../src/nn/index.js');
    const { adamw, tinyConfig } = await import('./helpers.js');
    const t = await Trainer.create({ init: initGpt(tinyConfig, 1), optim: adamw, loss: { kind: 'sft' }, batchSize: 1, seqLen: 4, threads: 1 });
    const batch = (targets: number[]) => ({ batchSize: 1, seqLen: 4, tokens: Int32Array.of(1, 2, 3, 4), targets: Int32Array.from(targets), mask: Float32Array.of(1, 1, 0, 0) });
    await expect(t.train(batch([2, 3, 999, 5]))).rejects.toThrow('batch: targets[2] (row 0, position 2) is 999, outside the vocabulary [0, 260)');
    await expect(t.evalLoss(batch([2, 3, 4, -1]))).rejects.toThrow('batch: targets[3] (row 0, position 3) is -1, outside the vocabulary [0, 260)');
    expect(t.step).toBe(0);
    await t.dispose();
  });
});
