import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Trainer, initGpt, loadCheckpoint, saveCheckpoint, type Checkpoint } from '../../src/nn/index.js';
import { Rng } from '../../src/util/rng.js';
import { adamw, copyBatch, tinyConfig } from './helpers.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pipe-nn-ckpt-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const B = 4;
const T = 12;
const batches = Array.from({ length: 6 }, (_, i) => copyBatch(new Rng(100 + i), B, T));

function same(a: Checkpoint, b: Checkpoint): void {
  expect(b.step).toBe(a.step);
  expect(b.config).toEqual(a.config);
  for (const [name, w] of a.weights) expect(Buffer.from(b.weights.get(name)!.buffer).equals(Buffer.from(w.buffer)), name).toBe(true);
  for (const key of ['m', 'v'] as const) {
    for (const [name, w] of a.optimizer![key]) {
      const other = b.optimizer![key].get(name)!;
      expect(Buffer.compare(Buffer.from(other.buffer, other.byteOffset, other.byteLength), Buffer.from(w.buffer, w.byteOffset, w.byteLength)), `${key} ${name}`).toBe(0);
    }
  }
}

describe('checkpoints', () => {
  it('round-trip weights, AdamW moments, step and meta exactly', async () => {
    const trainer = await Trainer.create({ init: initGpt(tinyConfig, 1), optim: adamw, loss: { kind: 'sft' }, batchSize: B, seqLen: T });
    await trainer.train(batches[0]!);
    const ck = { ...(await trainer.checkpoint()), meta: { note: 'x' } };
    await saveCheckpoint(join(dir, 'a'), ck);
    const back = await loadCheckpoint(join(dir, 'a'));
    same(ck, back);
    expect(back.meta).toEqual({ note: 'x' });
    const sidecar = JSON.parse(await readFile(join(dir, 'a', 'checkpoint.json'), 'utf8'));
    expect(sidecar.tokenizer.specials).toEqual({ BOS: 256, EOS: 257, PAD: 258, SEP: 259 });
    expect(sidecar.model).toMatchObject({ file: 'model.onnx', input: 'input_ids', output: 'logits' });
    await trainer.dispose();
  });

  it('training resumed from a saved checkpoint is bit-identical to an uninterrupted run (CPU)', async () => {
    const init = initGpt(tinyConfig, 2);
    const straight = await Trainer.create({ init, optim: adamw, loss: { kind: 'sft' }, batchSize: B, seqLen: T });
    const losses: number[] = [];
    for (const b of batches) losses.push((await straight.train(b)).loss);
    const end = await straight.checkpoint();
    await straight.dispose();

    const first = await Trainer.create({ init, optim: adamw, loss: { kind: 'sft' }, batchSize: B, seqLen: T });
    for (const b of batches.slice(0, 3)) await first.train(b);
    await saveCheckpoint(join(dir, 'mid'), await first.checkpoint());
    await first.dispose(); // "killed"
    const resumed = await Trainer.create({ init: await loadCheckpoint(join(dir, 'mid')), optim: adamw, loss: { kind: 'sft' }, batchSize: B, seqLen: T });
    expect(resumed.step).toBe(3);
    const later: number[] = [];
    for (const b of batches.slice(3)) later.push((await resumed.train(b)).loss);
    expect(later).toEqual(losses.slice(3));
    same(end, await resumed.checkpoint());
    await resumed.dispose();
  });

  it('loadCheckpoint names what is wrong', async () => {
    await expect(loadCheckpoint(join(dir, 'missing'))).rejects.toThrow(/cannot read .*checkpoint\.json/);
  });
});
