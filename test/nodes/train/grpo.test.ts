import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { initGpt, saveCheckpoint, tokenizer } from '../../../src/nn/index.js';
import { writeParquet } from '../../../src/nodes/data/parquet.js';
import { cotGenerateKind } from '../../../src/nodes/cot/generate.js';
import { grpoKind } from '../../../src/nodes/train/grpo.js';
import { initModel } from '../../../src/nodes/train/init-model.js';
import { fakeCtx } from './fake-ctx.js';

async function fixtures(): Promise<{ model: string; rl: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'pipe-grpo-'));
  const model = join(dir, 'model');
  await saveCheckpoint(model, initGpt({ vocabSize: tokenizer.vocabSize, blockSize: 64, nLayer: 1, nHead: 2, nEmbd: 16 }, 5));
  const rows = Array.from({ length: 6 }, (_, i) => ({
    data_source: 'sokoban',
    prompt: [{ role: 'user', content: `map: a=Up b=Down c=Left d=Right\n#P_#${i}\nact:` }],
    ability: 'bfs',
    reward_model: { style: 'rule', ground_truth: [1 + (i % 4)] },
    extra_info: { split: 'train', index: i, vocab: ['a', 'b', 'c', 'd'] },
  }));
  const rl = join(dir, 'rl.parquet');
  await writeParquet(rl, rows);
  return { model, rl };
}

describe('train.grpo', () => {
  it('runs rollouts and updates, logging reward and update statistics, and writes a model', async () => {
    const { model, rl } = await fixtures();
    const ctx = fakeCtx({ steps: 2, prompts: 2, group: 2, maxNewTokens: 6, lr: 1e-3, threads: 1 }, { model, data: rl });
    await grpoKind.run(ctx);
    const log = readFileSync(join(ctx.output('model'), 'train-log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(log.map((r: { step: number }) => r.step)).toEqual([1, 2]);
    expect(log[0].reward).toBeTypeOf('number');
    for (const name of ['loss', 'grad_norm', 'reward', 'reward_std', 'flat_groups', 'solved', 'response_tokens']) {
      expect(ctx.metrics.some((m) => m.name === name)).toBe(true);
    }
  }, 60_000);
});

describe('train.grpo on a Llama-family model over bytes', () => {
  it('trains a model.arch: llama checkpoint through the byte framing and writes it with the byte tokenizer', async () => {
    const { rl } = await fixtures();
    const nn = await import('../../../src/nn/index.js');
    const model = join(mkdtempSync(join(tmpdir(), 'pipe-grpo-')), 'llama');
    await saveCheckpoint(model, initModel(nn, { nLayer: 1, nHead: 2, nEmbd: 16, blockSize: 64, arch: 'llama' }, 5));
    const ctx = fakeCtx({ steps: 2, prompts: 2, group: 2, maxNewTokens: 6, lr: 1e-3, threads: 1 }, { model, data: rl });
    await grpoKind.run(ctx);
    const out = await nn.loadCheckpoint(ctx.output('model'));
    expect(nn.isLlama(out.config)).toBe(true);
    expect(out.step).toBe(2);
    const sidecar = JSON.parse(readFileSync(join(ctx.output('model'), 'checkpoint.json'), 'utf8')) as { tokenizer: { kind: string } };
    expect(sidecar.tokenizer.kind).toBe('bytes');
  }, 60_000);
});

describe('cot.generate', () => {
  it('fails clearly when no sample is verified (an untrained model)', async () => {
    const { model, rl } = await fixtures();
    const ctx = fakeCtx({ n: 2, maxNewTokens: 4, threads: 1 }, { model, data: rl });
    await expect(cotGenerateKind.run(ctx)).rejects.toThrow(/no sample was verified in 2 tries for any of 6 prompts/);
    expect(ctx.metrics.find((m) => m.name === 'acceptance')?.value).toBe(0);
  }, 60_000);
});

