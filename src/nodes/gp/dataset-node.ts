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
import type { GpCotStyle } from './cot.js';
import { DEFAULT_DIVERSE_POOL, generateGpRows, type GpResponse } from './dataset.js';
import { inferGpFormat, type GpFormat } from './prompt.js';
import { RL_PARQUET, SFT_PARQUET } from '../formats.js';

/** Params of gp.dataset. */
export interface GpDatasetParams {
  readonly count?: number;
  readonly seed?: number;
  /** Template file (absolute path by the time the node runs). */
  readonly template: string;
  /** Response format; default inferred from the template (paper JSON if it mentions "formula", else compact). */
  readonly format?: GpFormat;
  readonly response?: GpResponse;
  readonly cotStyle?: GpCotStyle;
  readonly diversity?: { readonly enabled?: boolean; readonly mappings?: readonly string[] };
  readonly cards?: number;
}

export const datasetKind: NodeKind<GpDatasetParams> = {
  kind: 'gp.dataset',
  description: 'General Points SFT and RL training data (Parquet), answer-only or solver-trace CoT, optional face-card diversity',
  module: import.meta.url,
  isolate: true,
  params: {
    type: 'object',
    additionalProperties: false,
    required: ['template'],
    properties: {
      count: { type: 'integer', minimum: 1, maximum: 10000000, default: 10000, defaultInKey: true },
      seed: { type: 'integer', minimum: 0, maximum: 4294967295, default: 42, defaultInKey: true },
      template: { type: 'string', description: 'prompt template file, e.g. pipelines/templates/gp-compact.txt' },
      format: { enum: ['paper', 'compact'], description: 'response format (default: inferred from the template)' },
      response: {
        enum: ['answer', 'cot', 'values'],
        default: 'answer', defaultInKey: true,
        description: 'answer-only, solver-trace CoT, or the values scaffold (mapped values, then the answer)',
      },
      cotStyle: {
        enum: ['solver', 'search'],
        default: 'solver', defaultInKey: true,
        description: "CoT of response 'cot': the solver's solution path, or the pairwise search with its dead ends",
      },
      diversity: {
        type: 'object',
        additionalProperties: false,
        properties: {
          enabled: { type: 'boolean', default: false, defaultInKey: true },
          mappings: {
            type: 'array',
            items: { type: 'string' },
            minItems: 1,
            uniqueItems: true,
            description: 'face-card pool (default the eight training mappings); test mappings are refused',
          },
        },
      },
      cards: { type: 'integer', minimum: 2, maximum: 6, default: 4, defaultInKey: true },
    },
  },
  inputs: [],
  outputs: ['sft', 'rl'],
  outputFormats: { sft: SFT_PARQUET, rl: RL_PARQUET },
  fileParams: ['template'],
  resources: { cpu: 1 },
  async run(ctx: NodeContext<GpDatasetParams>): Promise<void> {
    const p = ctx.params;
    const template = await readFile(p.template, 'utf8');
    const diversity = p.diversity?.enabled ?? false;
    if (!diversity && p.diversity?.mappings !== undefined) {
      throw new Error('gp.dataset: diversity.mappings is set but diversity.enabled is false');
    }
    const count = p.count ?? 10000;
    const sft: Record<string, unknown>[] = [];
    const rl: Record<string, unknown>[] = [];
    const rows = generateGpRows({
      count,
      seed: p.seed ?? 42,
      template,
      templateName: basename(p.template),
      format: p.format ?? inferGpFormat(template),
      response: p.response ?? 'answer',
      cotStyle: p.cotStyle ?? 'solver',
      mappings: diversity ? (p.diversity?.mappings ?? DEFAULT_DIVERSE_POOL) : undefined,
      cards: p.cards ?? 4,
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
