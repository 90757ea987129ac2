/**
 * `gp.dataset`: General Points training data in the paper's two schemas (docs/paper.md §6) — `sft` (Parquet: question,
 * answer, data_source, extra_info) and `rl` (Parquet: data_source, question [{role, content}], extra_info{index,
 * cards, display_cards, solution[], target, face_card_mapping}). As in the reference, extra_info.cards holds the
 * card symbols and extra_info.display_cards their values under the row's mapping.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { NodeContext, NodeKind } from '../../engine/node-kind.js';
import { writeParquet } from '../data/parquet.js';
import { DEFAULT_DIVERSE_POOL, generateGpRows } from './dataset.js';
import { trainingPoolProblems } from './face-mappings.js';
import { inferGpFormat } from './prompt.js';
import { RL_PARQUET, SFT_PARQUET } from '../formats.js';
import { Default, ParamsObject, StringEnum, Type, withDefaults, type Static } from '../params.js';

/** gp.dataset's params, declared once. */
export const gpDatasetParams = ParamsObject(
  {
    count: Default(Type.Integer({ minimum: 1, maximum: 10000000, description: 'rows to write' }), 10000, { inKey: true }),
    seed: Default(Type.Integer({ minimum: 0, maximum: 4294967295, description: 'seed of the first deal' }), 42, { inKey: true }),
    template: Type.String({ description: 'prompt template file, e.g. pipelines/templates/gp-compact.txt' }),
    format: Type.Optional(StringEnum(['paper', 'compact'], { description: 'response format (default: inferred from the template: paper JSON if it mentions "formula", else compact)' })),
    response: Default(
      StringEnum(['answer', 'cot', 'values'], { description: 'answer-only, solver-trace CoT, or the values scaffold (mapped values, then the answer)' }),
      'answer',
      { inKey: true },
    ),
    cotStyle: Default(
      StringEnum(['solver', 'search'], { description: "CoT of response 'cot': the solver's solution path, or the pairwise search with its dead ends" }),
      'solver',
      { inKey: true },
    ),
    diversity: Default(
      ParamsObject(
        {
          enabled: Default(Type.Boolean({ description: 'state a face-card mapping drawn from the pool in each prompt' }), false, { inKey: true }),
          mappings: Type.Optional(
            Type.Array(Type.String(), { minItems: 1, uniqueItems: true, description: 'face-card pool (default the eight training mappings); test mappings are refused' }),
          ),
        },
        { description: 'face-card diversity' },
      ),
      {},
    ),
    cards: Default(Type.Integer({ minimum: 2, maximum: 6, description: 'cards per hand' }), 4, { inKey: true }),
  },
);
export type GpDatasetParams = Static<typeof gpDatasetParams>;

export const datasetKind: NodeKind<GpDatasetParams> = {
  kind: 'gp.dataset',
  description: 'General Points SFT and RL training data (Parquet), answer-only or solver-trace CoT, optional face-card diversity',
  module: import.meta.url,
  isolate: true,
  params: gpDatasetParams,
  inputs: [],
  outputs: ['sft', 'rl'],
  outputFormats: { sft: SFT_PARQUET, rl: RL_PARQUET },
  fileParams: ['template'],
  resources: { cpu: 1 },
  // A pool that would fail the run (an unknown or a test mapping, a pool without diversity) is refused before it.
  checkParams: (params) => {
    const mappings = params.diversity?.mappings;
    if (mappings === undefined) return [];
    if (params.diversity?.enabled !== true) return [{ path: ['diversity', 'mappings'], message: 'is set but diversity.enabled is not true' }];
    return trainingPoolProblems(mappings).map((p) => ({ path: ['diversity', 'mappings', ...(p.index !== undefined ? [p.index] : [])], message: p.message }));
  },
  async run(ctx: NodeContext<GpDatasetParams>): Promise<void> {
    const p = withDefaults(gpDatasetParams, ctx.params);
    const template = await readFile(p.template, 'utf8');
    const diversity = p.diversity.enabled;
    if (!diversity && p.diversity.mappings !== undefined) {
      throw new Error('gp.dataset: diversity.mappings is set but diversity.enabled is false');
    }
    const count = p.count;
    const sft: Record<string, unknown>[] = [];
    const rl: Record<string, unknown>[] = [];
    const rows = generateGpRows({
      count,
      seed: p.seed,
      template,
      templateName: basename(p.template),
      format: p.format ?? inferGpFormat(template),
      response: p.response,
      cotStyle: p.cotStyle,
      mappings: diversity ? (p.diversity.mappings ?? DEFAULT_DIVERSE_POOL) : undefined,
      cards: p.cards,
    });
    for (const row of rows) {
      sft.push(row.sft);
      rl.push(row.rl);
      if (sft.length % 500 === 0 || sft.length === count) {
        if (ctx.signal.aborted) throw new Error('gp.dataset: aborted');
        ctx.progress({ done: sft.length, total: count, unit: 'rows' });
      }
    }
    await writeParquet(ctx.output('sft'), sft);
    await writeParquet(ctx.output('rl'), rl);
    ctx.metric('rows', sft.length);
  },
};
