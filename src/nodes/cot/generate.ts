/**
 * `cot.generate` (model mode): rejection-sampled CoT data — n samples per RL prompt from a checkpoint, the first the
 * environment verifies is kept (docs/paper.md §5) — written as an `sft` Parquet like the dataset nodes', with the
 * acceptance rate as a metric.
 */
import type { NodeKind } from '../../engine/node-kind.js';
import { Rng } from '../../util/rng.js';
import { loadModelPolicy } from '../eval/model-policy.js';
import { toRlItems } from '../train/rl-rows.js';
import { rejectionSample, toSftRow } from './rejection.js';
import { modelNodeTraits, threadsFor } from '../model-node.js';
import { MODEL_DIR, RL_PARQUET, SFT_PARQUET } from '../formats.js';

export interface CotGenerateParams {
  /** Samples per prompt (the paper: 16 for Sokoban, 3 for GP). */
  readonly n?: number;
  readonly temperature?: number;
  readonly topP?: number;
  readonly maxNewTokens?: number;
  /** Use at most this many prompts (a seeded sample), e.g. for a quick run. */
  readonly maxRows?: number;
  readonly batch?: number;
  readonly provider?: 'cpu' | 'webgpu' | 'cuda';
  readonly threads?: number;
}

export const cotGenerateKind: NodeKind<CotGenerateParams> = {
  kind: 'cot.generate',
  description: 'Rejection-sampled CoT SFT data from a checkpoint: n samples per RL prompt, keep the first verified',
  module: import.meta.url,
  params: {
    type: 'object',
    additionalProperties: false,
    properties: {
      n: { type: 'integer', minimum: 1, maximum: 1024 },
      temperature: { type: 'number', exclusiveMinimum: 0, maximum: 5 },
      topP: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
      maxNewTokens: { type: 'integer', minimum: 1, maximum: 8192 },
      maxRows: { type: 'integer', minimum: 1 },
      batch: { type: 'integer', minimum: 1, maximum: 4096 },
      provider: { enum: ['cpu', 'webgpu', 'cuda'], default: 'cpu', defaultInKey: true },
      threads: { type: 'integer', minimum: 1, maximum: 256 },
    },
  },
  inputs: ['model', 'data'],
  inputFormats: { model: MODEL_DIR, data: RL_PARQUET },
  outputFormats: { sft: SFT_PARQUET },
  outputs: ['sft'],
  ...modelNodeTraits,
  async run(ctx) {
    const p = ctx.params;
    const { readParquetInput, writeParquet } = await import('../data/parquet.js');
    let items = toRlItems(await readParquetInput(ctx.inputs['data'] as string, "cot.generate input 'data'", RL_PARQUET));
    if (p.maxRows !== undefined && p.maxRows < items.length) items = new Rng(ctx.seed).sample(items, p.maxRows);
    const n = p.n ?? (items[0]?.task === 'gp' ? 3 : 16);
    const policy = await loadModelPolicy(ctx.inputs['model'] as string, {
      provider: p.provider ?? 'cpu',
      maxBatch: p.batch ?? 128,
      ...threadsFor(p, ctx),
    });
    let result;
    try {
      result = await rejectionSample(
        policy,
        items,
        n,
        { temperature: p.temperature ?? 1, topP: p.topP ?? 1, maxNewTokens: p.maxNewTokens ?? 128, seed: ctx.seed },
        (round, accepted) => ctx.progress({ done: round, total: n, unit: 'rounds', message: `${accepted}/${items.length} accepted` }),
      );
    } finally {
      await policy.dispose();
    }
    ctx.metric('acceptance', result.acceptance);
    ctx.metric('samples', result.samples);
    ctx.metric('accepted', result.accepted.length);
    ctx.log(`cot.generate: accepted ${result.accepted.length}/${result.prompts} prompts (${(100 * result.acceptance).toFixed(1)} %) in ${result.samples} samples`);
    if (result.accepted.length === 0) {
      throw new Error(`cot.generate: no sample was verified in ${n} tries for any of ${result.prompts} prompts (the model cannot solve the task yet)`);
    }
    await writeParquet(ctx.output('sft'), result.accepted.map(toSftRow));
  },
};
