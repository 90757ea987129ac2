/**
 * `gp.evalset`: the General Points evaluation tasks of the chosen splits, as one JSONL file (`tasks`), one GpTask
 * per line. Task i of a split is dealt with seed seedBase + i, as the reference's create_test_dataset.py does
 * (42 + task_id); a task whose 51 deals were all unsolvable is skipped, so a split may hold fewer than perSplit.
 */
import { writeFile } from 'node:fs/promises';
import type { NodeContext, NodeKind } from '../../engine/node-kind.js';
import { dealTask, type GpTask } from './deal.js';
import { GP_SPLIT_NAMES, resolveGpSplit } from './splits.js';

/** Params of gp.evalset. */
export interface GpEvalsetParams {
  readonly splits?: readonly string[];
  readonly perSplit?: number;
  readonly seedBase?: number;
}

/** Deals every task of an evaluation set (pure; the node writes the result). */
export function buildEvalset(params: GpEvalsetParams, onProgress?: (done: number, total: number) => void): {
  readonly tasks: GpTask[];
  readonly skipped: Readonly<Record<string, number>>;
} {
  const splits = (params.splits ?? GP_SPLIT_NAMES).map(resolveGpSplit);
  const names = splits.map((s) => s.name);
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate !== undefined) throw new Error(`gp.evalset: split '${duplicate}' is listed twice`);
  const perSplit = params.perSplit ?? 500;
  const seedBase = params.seedBase ?? 42;
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

export const evalsetKind: NodeKind<GpEvalsetParams> = {
  kind: 'gp.evalset',
  description: 'General Points evaluation tasks (JSONL) for the chosen splits, seed seedBase + index',
  module: import.meta.url,
  isolate: true,
  params: {
    type: 'object',
    additionalProperties: false,
    properties: {
      splits: {
        type: 'array',
        items: { type: 'string' },
        minItems: 1,
        uniqueItems: true,
        description: `split names (default all): ${GP_SPLIT_NAMES.join(', ')}`,
      },
      perSplit: { type: 'integer', minimum: 1, maximum: 1000000, default: 500 },
      seedBase: { type: 'integer', minimum: 0, maximum: 4294967295, default: 42 },
    },
  },
  inputs: [],
  outputs: ['tasks'],
  resources: { cpu: 1 },
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
