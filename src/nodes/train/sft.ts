/**
 * `train.sft`: supervised fine-tuning of a byte-level GPT on an SFT dataset (Sokoban prompt/response or GP
 * question/answer Parquet) — masked cross-entropy on response tokens, AdamW with warmup + cosine and clipping,
 * a held-out validation slice, resumable checkpoints in ctx.resumeDir, and a train log beside the output model.
 */
import type { NodeKind } from '../../engine/node-kind.js';
import type { Checkpoint, TokenBatch } from '../../nn/index.js';
import { deriveSeed, Rng } from '../../util/rng.js';
import type { TrainLogRow } from './train-log.js';
import { MODEL_DIR, SFT_PARQUET } from '../formats.js';
import { Default, ParamsObject, Type, withDefaults, type Static } from '../params.js';
import { assertFinite, loadResume, isSnapshotStep, logEverySchema, logRow, modelSchema, publishSnapshots, saveSnapshot, saveResume, trainerProps, warmupStepsSchema } from './common.js';
import { initModel, modelShapeProblems } from './init-model.js';
import { baseModelSchemaProps, encodePair, initFolderProblems, loadBaseModel, packFor, writeTrainedModel, type BaseModel } from './base-model.js';
import { batchIndices } from './sft-rows.js';
import { modelNodeTraits, threadsFor } from '../model-node.js';

/** train.sft's params, declared once (type, schema, defaults, descriptions). */
export const sftParams = ParamsObject({
  model: Type.Optional(modelSchema),
  steps: Type.Optional(Type.Integer({ minimum: 1, description: 'optimizer steps; or give epochs' })),
  epochs: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'passes over the training rows (steps = ceil(epochs · rows / batchSize))' })),
  batchSize: Type.Integer({ minimum: 1, maximum: 4096, description: 'rows per optimizer step' }),
  valFraction: Default(Type.Number({ minimum: 0, maximum: 0.5, description: 'fraction of rows held out for validation loss (at most 256 rows)' }), 0.02),
  valEvery: Type.Optional(Type.Integer({ minimum: 1, description: 'validation loss every N steps (default: a tenth of the steps)' })),
  maxRows: Type.Optional(Type.Integer({ minimum: 1, description: 'use only the first N rows (after a seeded shuffle), e.g. for tiny tests' })),
  ...trainerProps({
    lr: 1e-3,
    beta1: 0.9,
    beta2: 0.95,
    weightDecay: 0.01,
    minLrRatio: 0.1,
    gradClip: 1.0,
    seqLenDoc: "the model's blockSize; for a Hugging Face model the longest row, rounded up to 8",
  }),
  warmupSteps: Type.Optional(warmupStepsSchema('min(100, 10% of the steps)')),
  logEvery: Type.Optional(logEverySchema('a hundredth of the steps')),
  ...baseModelSchemaProps,
});
export type SftParams = Static<typeof sftParams>;

export const sftKind: NodeKind<SftParams> = {
  kind: 'train.sft',
  description: 'Supervised fine-tuning of a byte-level GPT or a Hugging Face model (full or LoRA) on an SFT Parquet dataset (masked CE, AdamW, resumable)',
  module: import.meta.url,
  params: sftParams,
  folderParams: ['init'],
  checkFiles: initFolderProblems,
  // What would stop the run before its first step, found while the pipeline loads.
  checkParams: (params) => [
    ...(params.steps === undefined && params.epochs === undefined ? [{ path: ['steps'], message: 'is missing: give `steps` or `epochs`' }] : []),
    ...(params.model === undefined ? [] : modelShapeProblems(params.model).map((p) => ({ path: ['model', ...p.path], message: p.message }))),
  ],
  inputs: ['data', 'init'],
  inputFormats: { data: SFT_PARQUET, init: MODEL_DIR },
  outputFormats: { model: MODEL_DIR },
  optionalInputs: ['init'],
  outputs: ['model'],
  ...modelNodeTraits,
  async run(ctx) {
    const p = withDefaults(sftParams, ctx.params);
    const nn = await import('../../nn/index.js');
    const { readTextPairs } = await import('../data/read-text-pairs.js');
    const dataPath = ctx.inputs['data'];
    if (dataPath === undefined) throw new Error("train.sft: input 'data' is not wired");
    if (p.steps === undefined && p.epochs === undefined) throw new Error('train.sft: give `steps` or `epochs`');

    // A Hugging Face starting point (param or a trained Llama-family input) brings its tokenizer and chat template.
    const base: BaseModel | null = await loadBaseModel('train.sft', p, ctx.inputs['init'], deriveSeed(ctx.seed, 'lora'));

    // Data: text pairs → ids, a seeded split into train / validation.
    const pairs = await readTextPairs(dataPath, "train.sft input 'data'");
    const rng = new Rng(deriveSeed(ctx.seed, 'data'));
    let order = rng.shuffle(pairs.map((_, i) => i));
    if (p.maxRows !== undefined) order = order.slice(0, p.maxRows);
    const encoded = order.map((i) => {
      const r = pairs[i] as (typeof pairs)[number];
      return encodePair(base, r, nn.tokenizer.encode);
    });
    const nVal = Math.min(256, Math.floor(encoded.length * (p.valFraction)));
    const val = encoded.slice(0, nVal);
    const train = encoded.slice(nVal);
    if (train.length === 0) throw new Error('train.sft: no training rows left after the validation split');

    // Model: from `init`, from the resume directory, or fresh.
    const initPath = ctx.inputs['init'];
    let init: Checkpoint;
    if (base !== null) init = base.ckpt;
    else if (initPath !== undefined) init = await nn.loadCheckpoint(initPath);
    else {
      if (p.model === undefined) throw new Error('train.sft: give `model` (shape) or wire an `init` checkpoint');
      init = initModel(nn, p.model, deriveSeed(ctx.seed, 'init'));
    }
    // A Hugging Face model's context is long (32k for Qwen2.5): by default rows are as long as the longest one.
    const longest = Math.max(...encoded.map((r) => r.prompt.length + r.response.length));
    const seqLen = p.seqLen ?? (base !== null ? Math.min(nn.contextLength(init.config), Math.ceil(longest / 8) * 8) : nn.contextLength(init.config));
    if (seqLen > nn.contextLength(init.config)) {
      throw new Error(`train.sft: seqLen ${seqLen} exceeds the model's blockSize ${nn.contextLength(init.config)}`);
    }
    const totalSteps = p.steps ?? Math.ceil(((p.epochs as number) * train.length) / p.batchSize);
    const log: TrainLogRow[] = [];
    const resumed = await loadResume(ctx.resumeDir);
    let startStep = 0;
    if (resumed !== null) {
      init = resumed.ckpt; // under LoRA: the base weights, the adapters and their AdamW state
      startStep = resumed.ckpt.step;
      log.push(...resumed.log);
      ctx.log(`train.sft: resuming from step ${startStep}`);
    } else if (initPath !== undefined && base === null) {
      // Fine-tuning a checkpoint: fresh optimizer, step counter from 0.
      const { optimizer: _o, ...weights } = init;
      init = { ...weights, step: 0 };
    }

    const trainer = await nn.Trainer.create({
      init,
      optim: {
        lr: p.lr,
        beta1: p.beta1,
        beta2: p.beta2,
        eps: 1e-8,
        weightDecay: p.weightDecay,
        warmupSteps: p.warmupSteps ?? Math.min(100, Math.ceil(totalSteps * 0.1)),
        totalSteps,
        minLrRatio: p.minLrRatio,
        gradClip: p.gradClip,
      },
      loss: { kind: 'sft' },
      batchSize: p.batchSize,
      seqLen,
      provider: p.provider,
      ...threadsFor(p, ctx),
    });
    try {
      const perms = new Map<number, number[]>();
      const permutation = (epoch: number): number[] => {
        let perm = perms.get(epoch);
        if (perm === undefined) {
          perm = new Rng(deriveSeed(ctx.seed, 'epoch', epoch)).shuffle(train.map((_, i) => i));
          perms.clear();
          perms.set(epoch, perm);
        }
        return perm;
      };
      const valBatches: TokenBatch[] = [];
      for (let i = 0; i + p.batchSize <= val.length; i += p.batchSize) {
        valBatches.push(await packFor(base, val.slice(i, i + p.batchSize), seqLen));
      }
      const validate = async (): Promise<number | undefined> => {
        if (valBatches.length === 0) return undefined;
        let sum = 0;
        for (const b of valBatches) sum += await trainer.evalLoss(b);
        return sum / valBatches.length;
      };
      const logEvery = p.logEvery ?? Math.max(1, Math.floor(totalSteps / 100));
      const valEvery = p.valEvery ?? Math.max(1, Math.floor(totalSteps / 10));
      const ckptEvery = p.checkpointEvery ?? Math.max(1, Math.floor(totalSteps / 10));
      let lossSum = 0;
      let lossCount = 0;
      let windowStart = performance.now();
      let windowTokens = 0;
      for (let step = startStep; step < totalSteps; step++) {
        if (ctx.signal.aborted) throw new Error('train.sft: aborted');
        const idx = batchIndices(step, p.batchSize, train.length, permutation);
        const batch = await packFor(base, idx.map((i) => train[i] as (typeof train)[number]), seqLen);
        const stats = await trainer.train(batch);
        assertFinite('loss', stats.loss, step + 1, ctx.resumeDir);
        assertFinite('grad_norm', stats.gradNorm, step + 1, ctx.resumeDir);
        lossSum += stats.loss;
        lossCount++;
        windowTokens += p.batchSize * seqLen;
        const done = step + 1;
        const last = done === totalSteps;
        if (done % logEvery === 0 || last) {
          const seconds = (performance.now() - windowStart) / 1000;
          // Throughput is wall-clock: a metric, never part of the model output (which must be byte-identical on rerun).
          ctx.metric('tokens_per_s', seconds > 0 ? windowTokens / seconds : 0, done);
          const row: { -readonly [K in keyof TrainLogRow]: TrainLogRow[K] } = {
            step: done,
            loss: lossSum / lossCount,
            lr: stats.lr,
            grad_norm: stats.gradNorm,
          };
          if (done % valEvery === 0 || last) {
            const v = await validate();
            if (v !== undefined) {
              assertFinite('val_loss', v, done, ctx.resumeDir);
              row.val_loss = v;
            }
          }
          logRow(ctx, log, row);
          lossSum = 0;
          lossCount = 0;
          windowTokens = 0;
          windowStart = performance.now();
        }
        if (isSnapshotStep(done, p.evalEvery, totalSteps)) await saveSnapshot(ctx.resumeDir, await trainer.checkpoint());
        if (done % ckptEvery === 0 && !last) await saveResume(ctx.resumeDir, await trainer.checkpoint(), log);
        ctx.progress({ done, total: totalSteps, unit: 'steps', message: `loss ${stats.loss.toFixed(4)}` });
      }
      const final = await trainer.checkpoint();
      await writeTrainedModel(ctx.output('model'), { ...final, meta: { ...(final.meta ?? {}), trainedBy: ctx.id, rows: train.length } }, log, base);
      await publishSnapshots(ctx.resumeDir, ctx.output('model'));
    } finally {
      await trainer.dispose();
    }
  },
};
