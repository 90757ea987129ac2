/**
 * GRPO on Hugging Face models (the tiny transformers fixtures): rollouts read prompts through the chat template and
 * stop at the model's end of turn, the update's policy ratio is 1 before the first step (so the loss is minus the
 * mean advantage, whatever the KL coefficient), LoRA trains the adapters only, and the node writes a model with an
 * hf/ folder that `pipe model` reads back.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runModel } from '../../../src/cli/commands/model.js';
import { writeParquet } from '../../../src/nodes/data/parquet.js';
import { evalCurveKind } from '../../../src/nodes/curve/eval-curve.js';
import { createModelPolicy, hfCodec } from '../../../src/nodes/eval/model-policy.js';
import { evalsetKind as gpEvalsetKind } from '../../../src/nodes/gp/evalset-node.js';
import { loadBaseModel } from '../../../src/nodes/train/base-model.js';
import { grpoBatch, rolloutEncoding } from '../../../src/nodes/train/grpo-batch.js';
import { collectRollouts } from '../../../src/nodes/train/grpo-core.js';
import { grpoKind, type GrpoParams } from '../../../src/nodes/train/grpo.js';
import type { RlItem } from '../../../src/nodes/eval/rl-item.js';
import { sftKind } from '../../../src/nodes/train/sft.js';
import { forwardLogits, initGpt, loadCheckpoint, saveCheckpoint, tokenizer, Trainer } from '../../../src/nn/index.js';
import { readSafetensors } from '../../../src/nn/hf/safetensors.js';
import { fixture, tempDir } from '../../nn/hf/helpers.js';
import { fakeCtx } from './fake-ctx.js';

const optim = { lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, warmupSteps: 0, totalSteps: 4, minLrRatio: 1, gradClip: 1 };

function same(a: Float32Array, b: Float32Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

async function pipeModel(...args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await runModel(args, { out: (t) => (out += t), err: () => undefined });
  return { code, out };
}

const WORDS = ['a', 'b', 'c', 'd'] as const;

/** Sokoban-schema RL rows whose compact prompt states the action words a…d. */
async function rlData(dir: string): Promise<string> {
  const rows = Array.from({ length: 8 }, (_, i) => ({
    data_source: 'sokoban',
    prompt: [{ role: 'user', content: `map: a=Up b=Down c=Left d=Right\nlevel ${i}\nact:` }],
    ability: 'bfs',
    reward_model: { style: 'rule', ground_truth: [1 + (i % 4)] },
    extra_info: { split: 'train', index: i, vocab: [...WORDS] },
  }));
  const path = join(dir, 'rl.parquet');
  await writeParquet(path, rows);
  return path;
}

/** SFT rows teaching the answer format with a random action word, so sampled answers earn rewards 0 and 1. */
async function formatData(dir: string): Promise<string> {
  const rows = Array.from({ length: 32 }, (_, i) => ({
    data_source: 'sokoban',
    prompt: `map: a=Up b=Down c=Left d=Right\nlevel ${i}\nact:`,
    response: `<answer>${WORDS[(i * 7) % 4]}</answer>`,
    extra_info: { index: i },
  }));
  const path = join(dir, 'sft.parquet');
  await writeParquet(path, rows);
  return path;
}

describe('GRPO on a Hugging Face model', () => {
  it('rollouts through the chat template end at the end of turn; at step 0 the ratio is 1 and only the adapters train', async () => {
    const base = (await loadBaseModel('t', { init: fixture('qwen3'), lora: { rank: 4, alpha: 8, dropout: 0, targets: ['q_proj', 'v_proj'] } }, undefined, 1))!;
    const tok = base.hf!.tokenizer;
    const codec = await hfCodec(base.ckpt, tok, true);
    const policy = await createModelPolicy(base.ckpt, { codec, threads: 1, maxBatch: 8 });
    const reference = await createModelPolicy(base.ckpt, { codec, threads: 1, maxBatch: 8 });
    const maxNewTokens = 8;
    // A reward of the decoded text's length, so groups differ and advantages are not all 0.
    const items: RlItem[] = ['go left', 'go up'].map((prompt) => ({ task: 'sokoban', prompt, maxReward: 99, row: {}, reward: (out: string) => out.length % 5 }));
    const rollout = await collectRollouts(policy, items, 4, { temperature: 1.5, topP: 1, seed: 3, maxNewTokens });
    const encoding = await rolloutEncoding(base, codec, maxNewTokens);
    const seqLen = 32;
    const batch = await grpoBatch(rollout, 4, seqLen, encoding, policy, reference);
    const imEnd = tok.tokenId('<|im_end|>')!;
    const prompt = tok.encodeChat([{ role: 'user', content: 'go left' }], true);
    for (let b = 0; b < 8; b++) {
      const c = rollout.completions[b]!;
      expect(rollout.rewards[b]).toBe(tok.decode([...c.tokens]).length % 5); // the reward read the decoded text
      const row = [...batch.tokens.subarray(b * seqLen, (b + 1) * seqLen)];
      const p = b < 4 ? prompt : tok.encodeChat([{ role: 'user', content: 'go up' }], true);
      expect(row.slice(0, p.length)).toEqual(p);
      const response = c.tokens.length < maxNewTokens ? [...c.tokens, imEnd] : [...c.tokens];
      expect(row.slice(p.length, p.length + response.length)).toEqual(response);
      // The loss covers the response (and its end of turn), nothing else.
      const mask = [...batch.mask.subarray(b * seqLen, (b + 1) * seqLen)];
      expect(mask.reduce((a, m) => a + m, 0)).toBe(response.length);
    }
    let advSum = 0;
    let maskSum = 0;
    for (let i = 0; i < batch.mask.length; i++) {
      advSum += batch.advantages[i]!;
      maskSum += batch.mask[i]!;
    }
    expect(rollout.advantages.some((a) => a !== 0)).toBe(true);
    // Before the first update the policy is the behaviour policy and the reference: ratio 1, KL 0, so the loss is
    // minus the token-mean advantage — the trainer's log-probs agree with the sampler's.
    const trainer = await Trainer.create({ init: base.ckpt, optim, loss: { kind: 'grpo', clipEps: 0.2, klCoef: 0.5 }, batchSize: 8, seqLen, threads: 1 });
    const stats = await trainer.train(batch);
    expect(Math.abs(stats.loss - -advSum / maskSum)).toBeLessThan(1e-5);
    expect(stats.gradNorm).toBeGreaterThan(0);
    // Only the adapters train: parameters and AdamW moments exist for them alone.
    const ckpt = await trainer.checkpoint();
    const adapters = [...ckpt.weights.keys()].filter((n) => n.includes('.lora_'));
    expect(adapters.length).toBe(2 * 2 * 2); // 2 layers × q_proj, v_proj × A, B
    expect([...ckpt.optimizer!.m.keys()].sort()).toEqual(adapters.sort());
    expect(trainer.trainableSize).toBe(adapters.reduce((n, a) => n + ckpt.weights.get(a)!.length, 0));
    // After the update the policy moved: ratio ≠ 1 on the same batch.
    await policy.setWeights(ckpt);
    const after = await policy.logProbs(batch);
    expect(batch.oldLogProbs.some((lp, i) => batch.mask[i] === 1 && Math.abs(lp - after[i]!) > 1e-6)).toBe(true);
    for (const x of [trainer, policy, reference]) await x.dispose();
  }, 120_000);

  it('train.grpo: LoRA on a trained Qwen3 (model input) and full on a Llama folder (init); hf/ reads back with pipe model', async () => {
    const dir = tempDir('pipe-grpo-hf-');
    const rl = await rlData(dir);
    // Teach the answer format first, so sampled answers are well formed and rewards vary.
    const sft = fakeCtx({ init: fixture('qwen3'), steps: 16, batchSize: 8, lr: 0.02, warmupSteps: 0, valFraction: 0, threads: 1 }, { data: await formatData(dir) });
    await sftKind.run(sft);
    const params: GrpoParams = { steps: 3, prompts: 2, group: 4, maxNewTokens: 24, temperature: 0.7, lr: 0.05, klCoef: 0.1, threads: 1 };
    const lora = fakeCtx({ ...params, evalEvery: 3, lora: { rank: 4, alpha: 8, targets: ['q_proj', 'v_proj'] as ('q_proj' | 'v_proj')[] } }, { model: sft.output('model'), data: rl });
    await grpoKind.run(lora);
    const log = readFileSync(join(lora.output('model'), 'train-log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { loss: number; reward: number });
    expect(log).toHaveLength(3);
    for (const r of log) expect(Number.isFinite(r.loss)).toBe(true);
    expect(lora.metrics.filter((m) => m.name === 'reward_std').some((m) => m.value > 0)).toBe(true);
    // The fine-tuned model ends its turn by itself, within the budget.
    expect(lora.metrics.filter((m) => m.name === 'response_tokens').every((m) => m.value < params.maxNewTokens!)).toBe(true);
    // Base weights unchanged, adapted projections moved (LoRA merged into the export under the original names).
    const start = await readSafetensors(join(sft.output('model'), 'hf', 'model.safetensors'));
    const tuned = await readSafetensors(join(lora.output('model'), 'hf', 'model.safetensors'));
    expect([...tuned.keys()].sort()).toEqual([...start.keys()].sort());
    for (const [name, t] of start) expect(same(tuned.get(name)!.data, t.data), name).toBe(!/\.(q_proj|v_proj)\.weight$/.test(name));
    // The export reads back with `pipe model`: its logits are the trained checkpoint's.
    const info = await pipeModel('info', join(lora.output('model'), 'hf'), '--json');
    expect(info.code).toBe(0);
    expect(JSON.parse(info.out)).toMatchObject({ architecture: 'Qwen3ForCausalLM', vocabulary: 360 });
    const ids = [5, 17, 42, 99, 2];
    const r = await pipeModel('logits', join(lora.output('model'), 'hf'), '--ids', ids.join(','), '--json');
    expect(r.code).toBe(0);
    const trained = await forwardLogits(await loadCheckpoint(lora.output('model')), ids, { threads: 1 });
    const got = (JSON.parse(r.out) as { logits: number[] }).logits;
    expect(Math.max(...got.map((x, i) => Math.abs(x - trained.logits[i]!)))).toBeLessThan(1e-5);
    const sidecar = JSON.parse(readFileSync(join(lora.output('model'), 'checkpoint.json'), 'utf8')) as { meta: { chat?: boolean } };
    expect(sidecar.meta.chat).toBe(true);

    // Its snapshots (weights only) are evaluated through the output's tokenizer and chat template.
    const tasks = fakeCtx({ perSplit: 1, seedBase: 42, splits: ['id'] }, {});
    await gpEvalsetKind.run(tasks);
    const curve = fakeCtx(
      { method: 'grpo', template: new URL('../../../pipelines/templates/gp-compact.txt', import.meta.url).pathname, perSplit: 1, maxNewTokens: 4, threads: 1 },
      { model: lora.output('model'), tasks: tasks.output('tasks') },
    );
    await evalCurveKind.run(curve);
    expect((JSON.parse(readFileSync(curve.output('curve'), 'utf8')) as { steps: { step: number }[] }).steps.map((x) => x.step)).toEqual([3]);

    // A trained input renders prompts as its trainer did (meta.chat) unless `chat` says otherwise.
    const plain = join(dir, 'plain');
    cpSync(sft.output('model'), plain, { recursive: true });
    const side = JSON.parse(readFileSync(join(plain, 'checkpoint.json'), 'utf8')) as { meta: Record<string, unknown> };
    writeFileSync(join(plain, 'checkpoint.json'), JSON.stringify({ ...side, meta: { ...side.meta, chat: false } }));
    expect((await loadBaseModel('t', {}, plain, 1, 'model'))!.hf!.chat).toBe(false);
    expect((await loadBaseModel('t', { chat: true }, plain, 1, 'model'))!.hf!.chat).toBe(true);

    // A Llama folder given as `init`, fully fine-tuned.
    const full = fakeCtx({ ...params, steps: 1, init: fixture('llama') }, { data: rl });
    await grpoKind.run(full);
    const llamaOut = await pipeModel('info', full.output('model'), '--json');
    expect(JSON.parse(llamaOut.out)).toMatchObject({ architecture: 'LlamaForCausalLM' });
  }, 300_000);

  it('refuses LoRA on a byte-vocabulary model, and a missing model', async () => {
    const dir = tempDir('pipe-grpo-hf-');
    const rl = await rlData(dir);
    await expect(grpoKind.run(fakeCtx({ steps: 1, prompts: 1 } as GrpoParams, { data: rl }))).rejects.toThrow(
      'train.grpo: give the `init` param (a Hugging Face folder) or wire the `model` input',
    );
    const gpt = join(dir, 'gpt');
    await saveCheckpoint(gpt, initGpt({ vocabSize: tokenizer.vocabSize, blockSize: 64, nLayer: 1, nHead: 2, nEmbd: 16 }, 5));
    await expect(grpoKind.run(fakeCtx({ steps: 1, prompts: 1, lora: { rank: 2, alpha: 4 } } as GrpoParams, { model: gpt, data: rl }))).rejects.toThrow(
      'train.grpo: lora needs a Hugging Face model; the `model` input was trained over bytes',
    );
  });
});

describe('resuming a LoRA run', () => {
  it('train.grpo and train.sft killed mid-run and resumed end with the bytes of an uninterrupted run (adapters and AdamW state kept)', async () => {
    const dir = tempDir('pipe-grpo-hf-');
    const rl = await rlData(dir);
    const sftData = await formatData(dir);
    const lora = { rank: 4, alpha: 8, targets: ['q_proj', 'v_proj', 'down_proj'] as const };
    const cases = [
      { kind: grpoKind, params: { init: fixture('qwen3'), lora, steps: 4, prompts: 2, group: 2, maxNewTokens: 6, lr: 0.05, checkpointEvery: 2, threads: 1 }, inputs: { data: rl } },
      { kind: sftKind, params: { init: fixture('llama'), lora, steps: 4, batchSize: 4, lr: 0.05, warmupSteps: 0, valFraction: 0, checkpointEvery: 2, threads: 1 }, inputs: { data: sftData } },
    ] as const;
    for (const c of cases) {
      const run = (ctx: ReturnType<typeof fakeCtx>) => (c.kind.run as (x: typeof ctx) => Promise<void>)(ctx);
      const whole = fakeCtx(c.params, c.inputs);
      await run(whole);
      const killed = fakeCtx(c.params, c.inputs, {
        onProgress: (u) => {
          if (u.done === 3) throw new Error('killed');
        },
      });
      await expect(run(killed)).rejects.toThrow('killed');
      const resumed = fakeCtx(c.params, c.inputs, { resumeDir: killed.resumeDir });
      await run(resumed);
      expect(resumed.logs.some((l) => l.includes('resuming from step 2')), c.kind.kind).toBe(true);
      for (const f of ['model.onnx', 'checkpoint.json', 'train-log.jsonl', 'hf/model.safetensors']) {
        expect(readFileSync(join(resumed.output('model'), f)).equals(readFileSync(join(whole.output('model'), f))), `${c.kind.kind} ${f}`).toBe(true);
      }
    }
  }, 300_000);
});
