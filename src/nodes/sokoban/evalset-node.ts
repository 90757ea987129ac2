/**
 * `sokoban.evalset`: the evaluation environments — `perSplit` levels for each split in order, the i-th overall
 * (global index in split order) generated from seed `seedBase + i`, as in the paper's validation (seed 123 + i).
 */
import { writeFile } from 'node:fs/promises';
import type { NodeContext, NodeKind, ParamProblem } from '../../engine/node-kind.js';
import { generateLevel } from './generator.js';
import { levelToXsb } from './level.js';
import { splitSchema } from './levels-node.js';
import { renderGrid } from './render.js';
import { PAPER_EVAL_TAGS, builtInSplit, resolveSplit, splitValueProblems, type SokobanSplit } from './splits.js';
import { ENVS_JSONL } from '../formats.js';
import { Default, ParamsObject, Type, withDefaults, type Static } from '../params.js';

/** Params of `sokoban.evalset`. */

/** One evaluation environment. */
export interface EvalEnvRecord {
  readonly split: string;
  readonly index: number;
  readonly seed: number;
  readonly xsb: string;
  readonly grid: string;
  readonly optimal: number;
  readonly promptVocab: readonly string[];
  readonly envVocab: readonly string[];
}

/** The environments in order (pure). */
export function makeEvalEnvs(splits: readonly SokobanSplit[], perSplit: number, seedBase: number, onEnv?: (done: number) => void): EvalEnvRecord[] {
  const out: EvalEnvRecord[] = [];
  splits.forEach((split, s) => {
    for (let index = 0; index < perSplit; index++) {
      const seed = seedBase + s * perSplit + index;
      const g = generateLevel({ size: split.size, boxes: split.boxes, seed });
      out.push({
        split: split.name,
        index,
        seed,
        xsb: levelToXsb(g.level),
        grid: renderGrid(g.level),
        optimal: g.optimal,
        promptVocab: [...split.promptVocab],
        envVocab: [...split.envVocab],
      });
      onEnv?.(out.length);
    }
  });
  return out;
}

/**
 * What `checkParams` reports before anything runs: every mistake in a user-declared split object, unknown built-in
 * names, and a split listed twice (its episodes would be indistinguishable downstream).
 */
export function evalsetProblems(params: EvalsetParams): ParamProblem[] {
  const out: ParamProblem[] = [];
  const seen = new Map<string, number>();
  (params.splits ?? []).forEach((s, i) => {
    const problems = splitValueProblems(s as string | Readonly<Record<string, unknown>>);
    out.push(...problems.map((p) => ({ path: ['splits', i, ...p.path], message: p.message })));
    if (problems.length > 0) return;
    const name = typeof s === 'string' ? (builtInSplit(s) as SokobanSplit).name : s.name.trim();
    const first = seen.get(name.toLowerCase());
    if (first !== undefined) out.push({ path: ['splits', i], message: `lists split '${name}' again (first at splits.${first})` });
    else seen.set(name.toLowerCase(), i);
  });
  return out;
}

/** The documentation of a user-declared split object, shown by `pipe ls --kinds sokoban.evalset`. */
const SPLIT_OBJECT_DOC =
  'a built-in split name (e.g. SimpleSokobanNumerical) or your own split: {name, size, boxes, promptVocab?, envVocab?}. ' +
  'Episodes, eval_summary and the report carry its name; each environment line carries its vocabularies, so the ' +
  'evaluator needs nothing else.';

const evalSplitSchema = {
  description: SPLIT_OBJECT_DOC,
  oneOf: [
    { type: 'string', minLength: 1, description: 'a built-in split (tag or alias, case-insensitive)' },
    {
      ...splitSchema.oneOf[1],
      description: 'a split of your own',
      properties: {
        name: { type: 'string', minLength: 1, description: 'its name in episodes and summaries; must not name a built-in split' },
        size: { ...splitSchema.oneOf[1].properties.size, description: 'room size with walls: 6, "8x7" or [8, 7]; sides 4..20, interior ≥ 2·boxes + 3 cells' },
        boxes: { ...splitSchema.oneOf[1].properties.boxes, description: 'boxes (and targets), 1..8' },
        promptVocab: {
          ...splitSchema.oneOf[1].properties.promptVocab,
          description: 'the four action words the prompt states, in Up, Down, Left, Right order (default Up, Down, Left, Right); distinct ignoring case',
        },
        envVocab: {
          ...splitSchema.oneOf[1].properties.envVocab,
          description: 'the four words the environment accepts (default: promptVocab); differ from promptVocab for a Fake-style split',
        },
      },
    },
  ],
} as const;

/** sokoban.evalset's params, declared once. */
export const evalsetParams = ParamsObject({
  splits: Default(
    Type.Array(Type.Unsafe<string | SokobanSplit>(evalSplitSchema), { minItems: 1, description: `the splits, in order (default the paper's eight); each ${SPLIT_OBJECT_DOC}` }),
    [...PAPER_EVAL_TAGS],
    { inKey: true },
  ),
  perSplit: Default(Type.Integer({ minimum: 1, maximum: 100000, description: 'environments per split' }), 100, { inKey: true }),
  seedBase: Default(Type.Integer({ minimum: 0, maximum: 4294967295, description: 'environment i of a split has seed seedBase + i' }), 123, { inKey: true }),
});
export type EvalsetParams = Static<typeof evalsetParams>;

/** The `sokoban.evalset` node kind. */
export const evalsetKind: NodeKind<EvalsetParams> = {
  kind: 'sokoban.evalset',
  description: "Sokoban evaluation environments: perSplit levels per split, seeds seedBase+i in split order (JSONL)",
  module: import.meta.url,
  isolate: true,
  params: evalsetParams,
  inputs: [],
  outputs: ['envs'],
  outputFormats: { envs: ENVS_JSONL },
  resources: { cpu: 1 },
  checkParams: evalsetProblems,
  async run(ctx: NodeContext<EvalsetParams>): Promise<void> {
    const p = withDefaults(evalsetParams, ctx.params);
    const splits = p.splits.map((s) => resolveSplit(s));
    const names = splits.map((s) => s.name);
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup !== undefined) throw new Error(`sokoban.evalset: split '${dup}' is listed twice`);
    const perSplit = p.perSplit;
    const total = splits.length * perSplit;
    const envs = makeEvalEnvs(splits, perSplit, p.seedBase, (done) => {
      if (done % 50 === 0 || done === total) ctx.progress({ done, total, unit: 'envs' });
    });
    await writeFile(ctx.output('envs'), envs.map((e) => JSON.stringify(e)).join('\n') + '\n');
    ctx.metric('envs', envs.length);
    for (const split of splits) {
      const own = envs.filter((e) => e.split === split.name);
      ctx.metric(`mean_optimal.${split.name}`, own.reduce((s, e) => s + e.optimal, 0) / own.length);
    }
  },
};
