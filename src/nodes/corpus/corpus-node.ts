/**
 * `corpus.generic`: writes the generic pretraining corpus (corpus.ts) as Parquet in the prompt/response schema the
 * training nodes read, so `train.sft` pretrains a base model on it and later trainers start from that model (`init`).
 */
import type { NodeContext, NodeKind } from '../../engine/node-kind.js';
import { writeParquet } from '../data/parquet.js';
import { CORPUS_MIX, generateCorpus, type CorpusDocKind, type CorpusRow } from './corpus.js';
import { SFT_PARQUET } from '../formats.js';
import { Default, ParamsObject, Type, withDefaults, type Static } from '../params.js';
import type { TNumber, TOptional } from '@sinclair/typebox';

/** corpus.generic's params, declared once. */
export const corpusParams = ParamsObject({
  count: Default(Type.Integer({ minimum: 1, maximum: 10000000, description: 'documents (rows) to write' }), 50000, { inKey: true }),
  seed: Default(Type.Integer({ minimum: 0, maximum: 4294967295, description: 'generator seed' }), 7, { inKey: true }),
  mix: Type.Optional(
    ParamsObject(
      Object.fromEntries(Object.keys(CORPUS_MIX).map((k) => [k, Type.Optional(Type.Number({ minimum: 0 }))])) as Record<CorpusDocKind, TOptional<TNumber>>,
      {
        description: `relative weights of the document kinds; a kind left out of a given mix gets weight 0 (default ${JSON.stringify(CORPUS_MIX)})`,
      },
    ),
  ),
});
export type CorpusParams = Static<typeof corpusParams>;

export const corpusKind: NodeKind<CorpusParams> = {
  kind: 'corpus.generic',
  description: 'Generic pretraining corpus (Parquet prompt/response): step-by-step arithmetic, symbol binding, grids with coordinates, shortest routes; no task text',
  module: import.meta.url,
  isolate: true,
  params: corpusParams,
  inputs: [],
  outputs: ['sft'],
  outputFormats: { sft: SFT_PARQUET },
  resources: { cpu: 1 },
  async run(ctx: NodeContext<CorpusParams>): Promise<void> {
    const p = withDefaults(corpusParams, ctx.params);
    const count = p.count;
    const rows: CorpusRow[] = [];
    let chars = 0;
    for (const row of generateCorpus({ count, seed: p.seed, mix: p.mix })) {
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
