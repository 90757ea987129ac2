/**
 * `gp.evalset`: the General Points evaluation tasks of the chosen splits, as one JSONL file (`tasks`), one GpTask
 * per line. Task i of a split is dealt with seed seedBase + i, as the reference's create_test_dataset.py does
 * (42 + task_id); a task whose 51 deals were all unsolvable is skipped, so a split may hold fewer than perSplit.
 */
import { writeFile } from 'node:fs/promises';
import type { NodeContext, NodeKind, ParamProblem } from '../../engine/node-kind.js';
import { dealTask, type GpTask } from './deal.js';
import { gpSplitFromObject, gpSplitProblems, type GpSplitObject } from './split-object.js';
import { GP_SPLIT_NAMES, builtInGpSplit, resolveGpSplit, type GpSplit } from './splits.js';
import { TASKS_JSONL } from '../formats.js';
import { Default, ParamsObject, Type, withDefaults, type Static } from '../params.js';


/** Deals every task of an evaluation set (pure; the node writes the result). */
export function buildEvalset(written: GpEvalsetParams, onProgress?: (done: number, total: number) => void): {
  readonly tasks: GpTask[];
  readonly skipped: Readonly<Record<string, number>>;
} {
  const params = withDefaults(gpEvalsetParams, written);
  const splits = params.splits.map((s): GpSplit => (typeof s === 'string' ? resolveGpSplit(s) : gpSplitFromObject(s)));
  const names = splits.map((s) => s.name);
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate !== undefined) throw new Error(`gp.evalset: split '${duplicate}' is listed twice`);
  const perSplit = params.perSplit;
  const seedBase = params.seedBase;
  const tasks: GpTask[] = [];
  const skipped: Record<string, number> = {};
  const total = splits.length * perSplit;
  for (const [s, split] of splits.entries()) {
    skipped[split.name] = 0;
    for (let i = 0; i < perSplit; i++) {
      const task = dealTask(split, seedBase + i, { index: i });
      if (task === null) skipped[split.name] = (skipped[split.name] ?? 0) + 1;
      else tasks.push(task);
      const done = s * perSplit + i + 1;
      if (onProgress && (done % 250 === 0 || done === total)) onProgress(done, total);
    }
  }
  return { tasks, skipped };
}

/**
 * What `checkParams` reports before anything runs: unknown built-in names, every mistake in a split object, and a
 * split listed twice (its episodes would be indistinguishable downstream).
 */
export function gpEvalsetProblems(params: GpEvalsetParams): ParamProblem[] {
  const out: ParamProblem[] = [];
  const seen = new Map<string, number>();
  (params.splits ?? []).forEach((s, i) => {
    let name: string | undefined;
    if (typeof s === 'string') {
      name = builtInGpSplit(s)?.name;
      if (name === undefined) out.push({ path: ['splits', i], message: `names no built-in split ('${s}'; known: ${GP_SPLIT_NAMES.join(', ')})` });
    } else {
      const problems = gpSplitProblems(s as unknown as Readonly<Record<string, unknown>>);
      out.push(...problems.map((p) => ({ path: ['splits', i, ...p.path], message: p.message })));
      if (problems.length === 0) name = s.name.trim();
    }
    if (name === undefined) return;
    const first = seen.get(name);
    if (first !== undefined) out.push({ path: ['splits', i], message: `lists split '${name}' again (first at splits.${first})` });
    else seen.set(name, i);
  });
  return out;
}

const facesSchema = {
  oneOf: [
    { type: 'string', minLength: 1, description: 'a face-card mapping name, e.g. all_5 or face_as_regular' },
    {
      type: 'object',
      additionalProperties: false,
      required: ['J', 'Q', 'K'],
      properties: { J: { type: 'integer' }, Q: { type: 'integer' }, K: { type: 'integer' } },
      description: 'the values J, Q and K count as, 1..99',
    },
  ],
} as const;

/** The documentation of a user-declared split object, shown by `pipe ls --kinds gp.evalset`. */
const SPLIT_OBJECT_DOC =
  'a built-in split name or your own split: {name, cards?, promptFaces?, scoringFaces?, maxCard?, forced?, target?}. ' +
  'Episodes, eval_summary and the report carry its name; each task line carries the stated face values and the ' +
  'numbers a formula must use, so the evaluator needs nothing else.';

const gpSplitSchema = {
  description: SPLIT_OBJECT_DOC,
  oneOf: [
    { type: 'string', minLength: 1, description: `a built-in split: ${GP_SPLIT_NAMES.join(', ')}` },
    {
      type: 'object',
      additionalProperties: false,
      required: ['name'],
      description: 'a split of your own',
      properties: {
        name: { type: 'string', minLength: 1, description: 'its name in episodes and summaries; must not name a built-in split' },
        cards: { type: 'integer', description: 'cards per task, 2..6 (default 4)' },
        promptFaces: { ...facesSchema, description: 'the face-card mapping the prompt states (default all_10)' },
        scoringFaces: { ...facesSchema, description: 'the mapping whose numbers a correct formula uses (default promptFaces; another one makes a Fake-style split)' },
        maxCard: { type: 'integer', description: 'cards are dealt from A..maxCard, 10..19 (above 13 they show as numbers; default 13)' },
        forced: { enum: ['face', 'large', 'none'], description: 'one card forced per deal: a J/Q/K, one in 14..maxCard, or none (default none)' },
        target: { type: 'integer', description: 'the number the formula must reach, 1..999 (default 24)' },
      },
    },
  ],
} as const;

/** gp.evalset's params, declared once. */
export const gpEvalsetParams = ParamsObject({
  splits: Default(
    Type.Array(Type.Unsafe<string | GpSplitObject>(gpSplitSchema), { minItems: 1, description: `the splits, in order (default all built-in ones); each ${SPLIT_OBJECT_DOC}` }),
    [...GP_SPLIT_NAMES],
  ),
  perSplit: Default(Type.Integer({ minimum: 1, maximum: 1000000, description: 'tasks per split (unsolvable deals are skipped)' }), 500, { inKey: true }),
  seedBase: Default(Type.Integer({ minimum: 0, maximum: 4294967295, description: 'task i of a split is dealt with seed seedBase + i' }), 42, { inKey: true }),
});
export type GpEvalsetParams = Static<typeof gpEvalsetParams>;

export const evalsetKind: NodeKind<GpEvalsetParams> = {
  kind: 'gp.evalset',
  description: 'General Points evaluation tasks (JSONL) for the chosen splits, seed seedBase + index',
  module: import.meta.url,
  isolate: true,
  params: gpEvalsetParams,
  inputs: [],
  outputs: ['tasks'],
  outputFormats: { tasks: TASKS_JSONL },
  resources: { cpu: 1 },
  checkParams: gpEvalsetProblems,
  async run(ctx: NodeContext<GpEvalsetParams>): Promise<void> {
    const { tasks, skipped } = buildEvalset(ctx.params, (done, total) =>
      ctx.progress({ done, total, unit: 'tasks' }),
    );
    await writeFile(ctx.output('tasks'), tasks.map((t) => JSON.stringify(t)).join('\n') + '\n');
    for (const [split, n] of Object.entries(skipped)) {
      if (n > 0) ctx.log(`split ${split}: ${n} task(s) skipped (no solvable deal in 51 tries)`);
    }
    ctx.metric('tasks', tasks.length);
  },
};
