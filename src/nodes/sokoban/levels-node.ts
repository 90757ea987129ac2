/**
 * `sokoban.levels`: `count` levels of a split, seeds `seed`, `seed+1`, … — each solved by BFS for its optimal
 * (first shortest, Up/Down/Left/Right order) action sequence — written as JSONL to output `levels`.
 */
import { writeFile } from 'node:fs/promises';
import type { NodeContext, NodeKind } from '../../engine/node-kind.js';
import { generateLevel } from './generator.js';
import { levelRecord } from './level-record.js';
import { solveBfs } from './solver-bfs.js';
import { resolveSplit, splitValueProblems, type SokobanSplit } from './splits.js';
import { LEVELS_JSONL } from '../formats.js';
import { Default, ParamsObject, Type, withDefaults, type Static } from '../params.js';

/** JSON Schema of a split: a name, or a user-declared split object. */
export const splitSchema = {
  oneOf: [
    { type: 'string', minLength: 1 },
    {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'size', 'boxes'],
      properties: {
        name: { type: 'string', minLength: 1 },
        size: {
          oneOf: [
            { type: 'integer', minimum: 4, maximum: 20 },
            { type: 'string', pattern: '^\\s*\\d+\\s*[xX]\\s*\\d+\\s*$' },
            { type: 'array', items: { type: 'integer', minimum: 4, maximum: 20 }, minItems: 2, maxItems: 2 },
          ],
        },
        boxes: { type: 'integer', minimum: 1, maximum: 8 },
        promptVocab: { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 4, maxItems: 4 },
        envVocab: { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 4, maxItems: 4 },
      },
    },
  ],
} as const;

/** sokoban.levels' params, declared once. */
export const levelsParams = ParamsObject({
  split: Default(Type.Unsafe<string | SokobanSplit>({ ...splitSchema, description: 'split name or {name, size, boxes, promptVocab, envVocab}' }), 'SimpleSokoban', { inKey: true }),
  count: Default(Type.Integer({ minimum: 1, maximum: 10000000, description: 'levels to generate' }), 1000, { inKey: true }),
  seed: Default(Type.Integer({ minimum: 0, maximum: 4294967295, description: 'seed of the first level' }), 42, { inKey: true }),
});
export type LevelsParams = Static<typeof levelsParams>;

/** Generates and solves the levels (pure apart from progress reporting). */
export function makeLevelLines(split: SokobanSplit, count: number, seed: number, onLevel?: (done: number) => void): string[] {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const g = generateLevel({ size: split.size, boxes: split.boxes, seed: seed + i });
    const solved = solveBfs(g.level);
    if (!solved.solvable) {
      // A* proved it solvable within 30 moves, so only the BFS expansion cap can get here (many boxes, big rooms).
      throw new Error(`BFS could not label the level of seed ${seed + i} (${solved.status} after ${solved.expanded} expansions); use fewer boxes or a smaller room`);
    }
    lines.push(JSON.stringify(levelRecord(g.level, seed + i, split, solved.actions)));
    onLevel?.(i + 1);
  }
  return lines;
}

/** The `sokoban.levels` node kind. */
export const levelsKind: NodeKind<LevelsParams> = {
  kind: 'sokoban.levels',
  description: 'generate Sokoban levels of a split (gym-sokoban/RAGEN generator) with BFS-optimal solutions (JSONL)',
  module: import.meta.url,
  isolate: true,
  params: levelsParams,
  inputs: [],
  outputs: ['levels'],
  outputFormats: { levels: LEVELS_JSONL },
  resources: { cpu: 1 },
  // An unknown split name or a split object the generator cannot fill is refused before anything runs.
  checkParams: (params) =>
    params.split === undefined ? [] : splitValueProblems(params.split as string | Readonly<Record<string, unknown>>).map((p) => ({ path: ['split', ...p.path], message: p.message })),
  async run(ctx: NodeContext<LevelsParams>): Promise<void> {
    const p = withDefaults(levelsParams, ctx.params);
    const split = resolveSplit(p.split);
    const count = p.count;
    const seed = p.seed;
    let optimalSum = 0;
    const lines = makeLevelLines(split, count, seed, (done) => {
      if (done % 50 === 0 || done === count) ctx.progress({ done, total: count, unit: 'levels' });
      if (ctx.signal.aborted) throw new Error('aborted');
    });
    for (const line of lines) optimalSum += (JSON.parse(line) as { optimal: number }).optimal;
    await writeFile(ctx.output('levels'), lines.join('\n') + '\n');
    ctx.metric('levels', count);
    ctx.metric('mean_optimal', optimalSum / count);
  },
};
