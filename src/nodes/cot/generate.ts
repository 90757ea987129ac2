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
import { modelNodeTraits, providerSchema, threadsFor } from '../model-node.js';
import { MODEL_DIR, RL_PARQUET, SFT_PARQUET } from '../formats.js';
import { Default, ParamsObject, Type, withDefaults, type Static } from '../params.js';
import { rlTaskNamed } from '../rl-tasks.js';

/** cot.generate's params, declared once. */
export const cotGenerateParams = ParamsObject({
  n: Type.Optional(Type.Integer({ minimum: 1, maximum: 1024, description: 'samples per prompt (default: the paper\'s 16 for Sokoban, 3 for General Points)' })),
  temperature: Default(Type.Number({ exclusiveMinimum: 0, maximum: 5, description: 'sampling temperature' }), 1),
  topP: Default(Type.Number({ exclusiveMinimum: 0, maximum: 1, description: 'nucleus sampling mass' }), 1),
  maxNewTokens: Default(Type.Integer({ minimum: 1, maximum: 8192, description: 'longest sample in tokens' }), 128),
  maxRows: Type.Optional(Type.Integer({ minimum: 1, description: 'use at most this many prompts (a seeded sample), e.g. for a quick run' })),
  batch: Default(Type.Integer({ minimum: 1, maximum: 4096, description: 'samples decoded together' }), 128),
  provider: providerSchema,
  threads: Type.Optional(Type.Integer({ minimum: 1, maximum: 256, description: 'ONNX Runtime intra-op threads (default: the CPU slots the node holds)' })),
});
export type CotGenerateParams = Static<typeof cotGenerateParams>;

export const cotGenerateKind: NodeKind<CotGenerateParams> = {
  kind: 'cot.generate',
  description: 'Rejection-sampled CoT SFT data from a checkpoint: n samples per RL prompt, keep the first verified',
  module: import.meta.url,
  params: cotGenerateParams,
  inputs: ['model', 'data'],
  inputFormats: { model: MODEL_DIR, data: RL_PARQUET },
  outputFormats: { sft: SFT_PARQUET },
  outputs: ['sft'],
  ...modelNodeTraits,
  async run(ctx) {
    const p = withDefaults(cotGenerateParams, ctx.params);
    const { readParquetInput, writeParquet } = await import('../data/parquet.js');
    let items = toRlItems(await readParquetInput(ctx.inputs['data'] as string, "cot.generate input 'data'", RL_PARQUET));
    if (p.maxRows !== undefined && p.maxRows < items.length) items = new Rng(ctx.seed).sample(items, p.maxRows);
    const n = p.n ?? (items[0] === undefined ? 16 : rlTaskNamed(items[0].task).rejectionSamples);
    const policy = await loadModelPolicy(ctx.inputs['model'] as string, {
      provider: p.provider,
      maxBatch: p.batch,
      ...threadsFor(p, ctx),
    });
    let result;
    try {
      result = await rejectionSample(
        policy,
        items,
        n,
        { temperature: p.temperature, topP: p.topP, maxNewTokens: p.maxNewTokens, seed: ctx.seed },
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
