/**
 * `sokoban.evalset`: the evaluation environments — `perSplit` levels for each split in order, the i-th overall
 * (global index in split order) generated from seed `seedBase + i`, as in the paper's validation (seed 123 + i).
 */
import { writeFile } from 'node:fs/promises';
import type { NodeContext, NodeKind } from '../../engine/node-kind.js';
import { generateLevel } from './generator.js';
import { levelToXsb } from './level.js';
import { splitSchema } from './levels-node.js';
import { renderGrid } from './render.js';
import { PAPER_EVAL_TAGS, resolveSplit, type SokobanSplit } from './splits.js';

/** Params of `sokoban.evalset`. */
export interface EvalsetParams {
  readonly splits?: readonly (string | SokobanSplit)[];
  readonly perSplit?: number;
  readonly seedBase?: number;
}

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

/** The `sokoban.evalset` node kind. */
export const evalsetKind: NodeKind<EvalsetParams> = {
  kind: 'sokoban.evalset',
  description: "Sokoban evaluation environments: perSplit levels per split, seeds seedBase+i in split order (JSONL)",
  module: import.meta.url,
  isolate: true,
  params: {
    type: 'object',
    additionalProperties: false,
    properties: {
      splits: { type: 'array', items: splitSchema, minItems: 1, default: [...PAPER_EVAL_TAGS] },
      perSplit: { type: 'integer', minimum: 1, maximum: 100000, default: 100 },
      seedBase: { type: 'integer', minimum: 0, maximum: 4294967295, default: 123 },
    },
  },
  inputs: [],
  outputs: ['envs'],
  resources: { cpu: 1 },
  async run(ctx: NodeContext<EvalsetParams>): Promise<void> {
    const splits = (ctx.params.splits ?? PAPER_EVAL_TAGS).map((s) => resolveSplit(s));
    const names = splits.map((s) => s.name);
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup !== undefined) throw new Error(`sokoban.evalset: split '${dup}' is listed twice`);
    const perSplit = ctx.params.perSplit ?? 100;
    const total = splits.length * perSplit;
    const envs = makeEvalEnvs(splits, perSplit, ctx.params.seedBase ?? 123, (done) => {
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
