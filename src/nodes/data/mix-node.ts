/**
 * `data.mix`: an SFT dataset with replay. Every row of `data` plus rows drawn from `replay` (e.g. the pretraining
 * corpus a base model learned), so that fine-tuning keeps rehearsing what the base knew while it learns the task;
 * the standard remedy for a fine-tune that overwrites a base model's general skills.
 */
import type { NodeKind } from '../../engine/node-kind.js';
import { SFT_PARQUET } from '../formats.js';
import { Default, ParamsObject, Type, withDefaults, type Static } from '../params.js';
import type { TextPair } from './text-pairs.js';
import { readTextPairs } from './read-text-pairs.js';
import { Rng } from '../../util/rng.js';
import { writeParquet } from './parquet.js';

/** data.mix's params, declared once. */
export const mixParams = ParamsObject({
  replayFraction: Default(
    Type.Number({ minimum: 0, exclusiveMaximum: 1, description: "fraction of the output rows drawn from 'replay' (the rest are every row of 'data')" }),
    0.25,
    { inKey: true },
  ),
});
export type MixParams = Static<typeof mixParams>;

/**
 * Every row of `data` and round(n·f / (1 − f)) rows of `replay` (n data rows, f the replay fraction), drawn without
 * replacement in a seeded order (cycled when replay is shorter), the whole shuffled.
 */
export function mixRows(data: readonly TextPair[], replay: readonly TextPair[], replayFraction: number, rng: Rng): TextPair[] {
  const wanted = Math.round((data.length * replayFraction) / (1 - replayFraction));
  const order = rng.shuffle(replay.map((_, i) => i));
  const drawn = Array.from({ length: wanted }, (_, k) => replay[order[k % order.length] as number] as TextPair);
  return rng.shuffle([...data, ...drawn]);
}

async function readPairs(path: string | undefined, input: string): Promise<TextPair[]> {
  if (path === undefined) throw new Error(`data.mix: input '${input}' is not wired`);
  return readTextPairs(path, `data.mix input '${input}'`);
}

export const mixKind: NodeKind<MixParams> = {
  kind: 'data.mix',
  description: "An SFT dataset with replay: every row of 'data' plus a fraction of rows from 'replay' (e.g. a base model's corpus), shuffled",
  module: import.meta.url,
  isolate: true,
  params: mixParams,
  inputs: ['data', 'replay'],
  inputFormats: { data: SFT_PARQUET, replay: SFT_PARQUET },
  outputs: ['sft'],
  outputFormats: { sft: SFT_PARQUET },
  resources: { cpu: 1 },
  async run(ctx) {
    const p = withDefaults(mixParams, ctx.params);
    const data = await readPairs(ctx.inputs['data'], 'data');
    const replay = await readPairs(ctx.inputs['replay'], 'replay');
    const rows = mixRows(data, replay, p.replayFraction, new Rng(ctx.seed));
    await writeParquet(ctx.output('sft'), rows.map((r) => ({ prompt: r.prompt, response: r.response })));
    ctx.metric('rows', rows.length);
    ctx.metric('replay_rows', rows.length - data.length);
  },
};
