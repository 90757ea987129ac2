/**
 * `corpus.generic`: writes the generic pretraining corpus (corpus.ts) as Parquet in the prompt/response schema the
 * training nodes read, so `train.sft` pretrains a base model on it and later trainers start from that model (`init`).
 */
import type { NodeContext, NodeKind } from '../../engine/node-kind.js';
import { writeParquet } from '../data/parquet.js';
import { CORPUS_MIX, generateCorpus, type CorpusDocKind, type CorpusRow } from './corpus.js';
import { SFT_PARQUET } from '../formats.js';

/** Params of corpus.generic. */
export interface CorpusParams {
  readonly count?: number;
  readonly seed?: number;
  readonly mix?: Readonly<Partial<Record<CorpusDocKind, number>>>;
}

export const corpusKind: NodeKind<CorpusParams> = {
  kind: 'corpus.generic',
  description: 'Generic pretraining corpus (Parquet prompt/response): step-by-step arithmetic, symbol binding, grids with coordinates, shortest routes; no task text',
  module: import.meta.url,
  isolate: true,
  params: {
    type: 'object',
    additionalProperties: false,
    properties: {
      count: { type: 'integer', minimum: 1, maximum: 10000000, default: 50000, defaultInKey: true },
      seed: { type: 'integer', minimum: 0, maximum: 4294967295, default: 7, defaultInKey: true },
      mix: {
        type: 'object',
        additionalProperties: false,
        description: `relative weights of the document kinds (default ${JSON.stringify(CORPUS_MIX)})`,
        properties: Object.fromEntries(Object.keys(CORPUS_MIX).map((k) => [k, { type: 'number', minimum: 0 }])),
      },
    },
  },
  inputs: [],
  outputs: ['sft'],
  outputFormats: { sft: SFT_PARQUET },
  resources: { cpu: 1 },
  async run(ctx: NodeContext<CorpusParams>): Promise<void> {
    const count = ctx.params.count ?? 50000;
    const rows: CorpusRow[] = [];
    let chars = 0;
    for (const row of generateCorpus({ count, seed: ctx.params.seed ?? 7, mix: ctx.params.mix })) {
      rows.push(row);
      chars += row.prompt.length + row.response.length;
      if (rows.length % 2000 === 0 || rows.length === count) {
        if (ctx.signal.aborted) throw new Error('corpus.generic: aborted');
        ctx.progress({ done: rows.length, total: count, unit: 'rows' });
      }
    }
    await writeParquet(ctx.output('sft'), rows as unknown as Record<string, unknown>[]);
    ctx.metric('rows', rows.length);
    ctx.metric('chars', chars);
  },
};
