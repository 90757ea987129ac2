/**
 * `sokoban.dataset`: single-step behaviour-cloning data from `levels` (JSONL of `sokoban.levels`) in the paper's
 * Hugging Face schemas (docs/paper.md §6): `sft` (Parquet: data_source, prompt string, response, ability,
 * reward_model{style, ground_truth:[action id]}, extra_info{split, index, …}) and `rl` (same, prompt as
 * [{role, content}], no response). Answer-only or solver-trace CoT responses (every CoT row verified by the
 * environment); optional prompt diversity with a clean pool and `variantsPerState` fresh vocabularies per state.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { NodeContext, NodeKind } from '../../engine/node-kind.js';
import { writeParquet } from '../data/parquet.js';
import { readLevelRecords } from './level-record.js';
import { assertPoolClean, namedPool, poolByteCoverage } from './pools.js';
import { buildRows, toRlRow, type RowOptions } from './rows.js';
import { PAPER_EVAL_TAGS, resolveSplit } from './splits.js';
import { LEVELS_JSONL, RL_PARQUET, SFT_PARQUET } from '../formats.js';
import { Default, ParamsObject, StringEnum, Type, withDefaults, type Static } from '../params.js';

/** sokoban.dataset's params, declared once. */
export const datasetParams = ParamsObject({
  template: Type.String({ description: 'template file, e.g. pipelines/templates/sokoban-compact.txt' }),
  response: Default(StringEnum(['answer', 'cot'], { description: 'answer-only rows, or verified solver-trace CoT' }), 'answer', { inKey: true }),
  cotStyle: Default(
    StringEnum(['full', 'compact', 'route'], {
      description: 'CoT wording: sentences, terse lines, or the row-indexed grid and the route to the pushing position cell by cell',
    }),
    'compact',
    { inKey: true },
  ),
  diversity: Default(
    ParamsObject(
      {
        enabled: Default(Type.Boolean({ description: 'state freshly sampled action words in the prompts' }), false, { inKey: true }),
        pool: Default(
          Type.Unsafe<'words' | 'bytes' | string[]>({
            oneOf: [{ enum: ['words', 'bytes'] }, { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 4 }],
            description: "where the action words come from: a named pool ('words', 'bytes') or your own list",
          }),
          'bytes',
          { inKey: true },
        ),
        poolSize: Default(
          Type.Integer({
            minimum: 4,
            maximum: 1000000,
            description: "words in the generated 'bytes' pool (pool: bytes only); at the default's budget 1000 measured better than 100000 (pipelines/README.md)",
          }),
          1000,
        ),
        variantsPerState: Default(Type.Integer({ minimum: 1, maximum: 1000, description: 'rows per state, each with a fresh vocabulary' }), 1, { inKey: true }),
        baseVariantsPerState: Default(
          Type.Integer({ minimum: 0, maximum: 1000, description: "extra rows per state that state the level's own vocabulary (like the paper's mixed data set)" }),
          0,
          { inKey: true },
        ),
        wordLength: Default(
          StringEnum(['any', 'shared'], {
            description: "'shared': a row's four words have one length, uniform over the pool's lengths, so short maps (four single characters) are as common as long ones",
          }),
          'any',
        ),
        testWords: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: "more words no pool may contain (e.g. a custom test split's vocabulary)" })),
      },
      { description: 'prompt diversity' },
    ),
    {},
  ),
  detours: Default(
    Type.Integer({
      minimum: 0,
      maximum: 100,
      description: 'per level, extra states one wrong move off the optimal path (still solvable), labelled with the optimal plan from there: the states a history-free policy meets after a mistake',
    }),
    0,
  ),
  seed: Type.Optional(Type.Integer({ minimum: 0, maximum: 4294967295, description: 'vocabulary sampling seed (default: the node seed)' })),
  dataSource: Type.Optional(Type.String({ minLength: 1, description: 'data_source column (default sokoban_<R>x<C>_1horizon[_random])' })),
});
export type DatasetParams = Static<typeof datasetParams>;

/** The `sokoban.dataset` node kind. */
export const datasetKind: NodeKind<DatasetParams> = {
  kind: 'sokoban.dataset',
  description: 'Sokoban SFT and RL rows (Parquet, paper schema) from levels: answer-only or verified solver-trace CoT, optional diversity',
  module: import.meta.url,
  isolate: true,
  params: datasetParams,
  inputs: ['levels'],
  inputFormats: { levels: LEVELS_JSONL },
  outputs: ['sft', 'rl'],
  outputFormats: { sft: SFT_PARQUET, rl: RL_PARQUET },
  fileParams: ['template'],
  resources: { cpu: 1 },
  async run(ctx: NodeContext<DatasetParams>): Promise<void> {
    const p = withDefaults(datasetParams, ctx.params);
    const template = await readFile(p.template, 'utf8');
    const levels = readLevelRecords(await readFile(ctx.inputs.levels as string, 'utf8'), 'levels');
    if (levels.length === 0) throw new Error('sokoban.dataset: the levels input has no levels');
    const seed = p.seed ?? ctx.seed;
    const div = p.diversity;
    let diversity: RowOptions['diversity'] = null;
    if (div.enabled === true) {
      const spec = div.pool;
      const pool = typeof spec === 'string' ? namedPool(spec, seed, div.poolSize) : [...spec];
      assertPoolClean(pool, div.testWords ?? []);
      const missing = poolByteCoverage(pool);
      if (missing.length > 0) ctx.log(`diversity pool lacks test-word bytes ${missing.join(' ')} (a byte-level model cannot emit them)`);
      ctx.metric('pool_size', pool.length);
      ctx.metric('pool_missing_test_bytes', missing.length);
      const evalWords = PAPER_EVAL_TAGS.flatMap((t) => [...resolveSplit(t).promptVocab, ...resolveSplit(t).envVocab]);
      ctx.metric('pool_missing_paper_eval_bytes', poolByteCoverage(pool, evalWords).length);
      diversity = { pool, variantsPerState: div.variantsPerState, baseVariantsPerState: div.baseVariantsPerState, sharedLength: div.wordLength === 'shared' };
    }
    const first = levels[0]!.level;
    const dataSource = p.dataSource ?? `sokoban_${first.rows}x${first.cols}_1horizon${diversity !== null ? '_random' : ''}`;
    const { rows, stats } = buildRows(
      levels,
      { template, templateSource: basename(p.template), response: p.response, cotStyle: p.cotStyle, diversity, seed, dataSource, detours: p.detours },
      (done) => {
        if (done % 100 === 0 || done === levels.length) ctx.progress({ done, total: levels.length, unit: 'levels' });
        if (ctx.signal.aborted) throw new Error('aborted');
      },
    );
    if (rows.length === 0) throw new Error('sokoban.dataset: no rows (every level was already solved?)');
    await writeParquet(ctx.output('sft'), rows);
    await writeParquet(ctx.output('rl'), rows.map(toRlRow));
    ctx.metric('rows', stats.rows);
    ctx.metric('states', stats.states);
    if (p.detours > 0) ctx.metric('detours', stats.detours);
    ctx.metric('levels', stats.levels);
    ctx.metric('cot_rejected', stats.rejected);
  },
};
