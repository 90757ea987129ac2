import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeParquet } from '../../../src/nodes/data/parquet.js';
import { assertFinite } from '../../../src/nodes/train/common.js';
import { sftKind, type SftParams } from '../../../src/nodes/train/sft.js';
import { toTextPairs } from '../../../src/nodes/data/text-pairs.js';
import { batchIndices } from '../../../src/nodes/train/sft-rows.js';
import { fakeCtx } from './fake-ctx.js';

/** A tiny learnable task: the response repeats the prompt's letter. */
async function dataset(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'pipe-sft-'));
  const rows = Array.from({ length: 64 }, (_, i) => {
    const c = 'abcd'[i % 4] as string;
    return { data_source: 't', prompt: `say ${c}:`, response: `${c}${c}`, extra_info: { index: i } };
  });
  const path = join(dir, 'sft.parquet');
  await writeParquet(path, rows);
  return path;
}

const params: SftParams = {
  model: { nLayer: 1, nHead: 2, nEmbd: 16, blockSize: 16 },
  steps: 40,
  batchSize: 8,
  lr: 0.01,
  warmupSteps: 2,
  valFraction: 0.25,
  logEvery: 10,
  valEvery: 20,
  checkpointEvery: 10,
  threads: 1,
};

describe('train.sft helpers', () => {
  it('reads Sokoban and GP schemas and names the columns it expected', () => {
    expect(toTextPairs([{ prompt: 'p', response: 'r' }])).toEqual([{ prompt: 'p', response: 'r' }]);
    expect(toTextPairs([{ question: [{ role: 'user', content: 'q' }], answer: 'a' }])).toEqual([{ prompt: 'q', response: 'a' }]);
    expect(() => toTextPairs([{ text: 'x' }])).toThrow('SFT dataset has columns [text]; expected prompt/response (Sokoban) or question/answer (General Points)');
  });
  it('draws batches as a pure function of the step (resumable), each epoch a permutation', () => {
    const perm = (e: number) => (e % 2 === 0 ? [2, 0, 1] : [1, 2, 0]);
    expect(batchIndices(0, 2, 3, perm)).toEqual([2, 0]);
    expect(batchIndices(1, 2, 3, perm)).toEqual([1, 1]);
    expect(batchIndices(2, 2, 3, perm)).toEqual([2, 0]);
  });
  it('stops with a clear error on NaN', () => {
    expect(() => assertFinite('loss', Number.NaN, 12, '/r')).toThrow('training diverged: loss is NaN at step 12; the last good checkpoint is kept in /r');
  });
});

describe('train.sft', () => {
  it('lowers the loss, logs metrics, writes a checkpoint with its train log', async () => {
    const ctx = fakeCtx(params, { data: await dataset() });
    await sftKind.run(ctx);
    const log = readFileSync(join(ctx.output('model'), 'train-log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(log.map((r: { step: number }) => r.step)).toEqual([10, 20, 30, 40]);
    expect(log[3].loss).toBeLessThan(log[0].loss * 0.6);
    expect(log[3].val_loss).toBeTypeOf('number');
    expect(ctx.metrics.some((m) => m.name === 'tokens_per_s' && m.value > 0)).toBe(true);
    // The node's log (what `pipe show` points to) has a readable line per logged step.
    expect(ctx.logs.filter((l) => /^step \d+ {2}loss \d/.test(l)).map((l) => l.split(' ')[1])).toEqual(['10', '20', '30', '40']);
    const { loadCheckpoint } = await import('../../../src/nn/index.js');
    const ckpt = await loadCheckpoint(ctx.output('model'));
    expect(ckpt.step).toBe(40);
    expect(ckpt.optimizer).toBeUndefined();
  }, 60_000);

  it('resumes after a kill from its last checkpoint and ends bit-identical to an uninterrupted run', async () => {
    const data = await dataset();
    const whole = fakeCtx(params, { data });
    await sftKind.run(whole);
    const killed = fakeCtx(params, { data }, {
      onProgress: (u) => {
        if (u.done === 25) throw new Error('killed');
      },
    });
    await expect(sftKind.run(killed)).rejects.toThrow('killed');
    const resumed = fakeCtx(params, { data }, { resumeDir: killed.resumeDir });
    await sftKind.run(resumed);
    expect(resumed.logs.some((l) => l.includes('resuming from step 20'))).toBe(true);
    expect(readFileSync(join(resumed.output('model'), 'model.onnx')).equals(readFileSync(join(whole.output('model'), 'model.onnx')))).toBe(true);
    // The whole model output (weights, sidecar and train log) is byte-identical, so a retrained model gets early
    // cutoff and `pipe audit` passes: wall-clock throughput is a metric, not part of the log.
    for (const f of ['checkpoint.json', 'train-log.jsonl']) {
      expect(readFileSync(join(resumed.output('model'), f), 'utf8')).toBe(readFileSync(join(whole.output('model'), f), 'utf8'));
    }
    expect(readFileSync(join(whole.output('model'), 'train-log.jsonl'), 'utf8')).not.toContain('tokens_per_s');
  }, 60_000);
});

describe('train.sft with a Llama-family model', () => {
  it('pretrains a RoPE model from scratch, fine-tunes it through init, and the result decodes what it learned', async () => {
    const data = await dataset();
    const base = fakeCtx({ ...params, model: { ...(params.model as NonNullable<SftParams["model"]>), arch: "llama" as const } }, { data });
    await sftKind.run(base);
    const { loadCheckpoint, isLlama } = await import('../../../src/nn/index.js');
    const pre = await loadCheckpoint(base.output('model'));
    expect(isLlama(pre.config)).toBe(true);
    // Its sidecar says how its ids map to text: the byte tokenizer (a Hugging Face model's travels in hf/).
    const sidecar = JSON.parse(readFileSync(join(base.output('model'), 'checkpoint.json'), 'utf8')) as { tokenizer: unknown };
    expect(sidecar.tokenizer).toEqual({ kind: 'bytes', vocabSize: 260, specials: { BOS: 256, EOS: 257, PAD: 258, SEP: 259 } });
    const baseLog = readFileSync(join(base.output('model'), 'train-log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(baseLog[3].loss).toBeLessThan(baseLog[0].loss * 0.6);
    const { model: _shape, ...rest } = params;
    const tuned = fakeCtx({ ...rest, steps: 20 }, { data, init: base.output('model') });
    await sftKind.run(tuned);
    const ckpt = await loadCheckpoint(tuned.output('model'));
    expect(isLlama(ckpt.config)).toBe(true);
    const { createModelPolicy } = await import('../../../src/nodes/eval/model-policy.js');
    const policy = await createModelPolicy(ckpt, { threads: 1 });
    const out = await policy.complete(['say c:', 'say a:', 'say d:', 'say b:'], { temperature: 0, topP: 1, maxNewTokens: 4, seed: 1 });
    expect(out.map((c) => c.text.slice(0, 2))).toEqual(['cc', 'aa', 'dd', 'bb']);
  }, 120_000);
});

describe('train.sft params checked at load', () => {
  const check = (params: Partial<SftParams>) => sftKind.checkParams?.({ batchSize: 2, ...params } as SftParams);

  it('neither steps nor epochs; heads that do not divide the width; an odd llama head width', () => {
    expect(check({ model: { nLayer: 1, nHead: 2, nEmbd: 16, blockSize: 32 } })).toEqual([{ path: ['steps'], message: 'is missing: give `steps` or `epochs`' }]);
    expect(check({ steps: 1, model: { nLayer: 1, nHead: 3, nEmbd: 16, blockSize: 32 } })).toEqual([
      { path: ['model', 'nHead'], message: 'must divide nEmbd (16) into equal heads' },
    ]);
    expect(check({ epochs: 1, model: { nLayer: 1, nHead: 4, nEmbd: 20, blockSize: 32, arch: 'llama' } })).toEqual([
      { path: ['model', 'nHead'], message: "gives an odd head width (20/4); a llama model's rotary positions need an even one" },
    ]);
    // The same width is fine for the GPT (no rotary positions), and a wired init needs no model shape.
    expect(check({ steps: 1, model: { nLayer: 1, nHead: 4, nEmbd: 20, blockSize: 32 } })).toEqual([]);
    expect(check({ steps: 1 })).toEqual([]);
  });
});
