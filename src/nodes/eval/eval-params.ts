import { Default, ParamsObject, Type, type Static } from '../params.js';
import { providerSchema } from '../model-node.js';
/**
 * The evaluation temperature when none is given: the paper samples at 0.5 (seeded per episode and turn, so results
 * do not depend on batching). `temperature: 0` is greedy decoding.
 */
export const DEFAULT_TEMPERATURE = 0.5;


/** Params shared by the evaluators: who is evaluated (method), how to sample, how to batch. */
export const evalParamProps = {
  method: Type.String({ minLength: 1, description: "label of the evaluated training method, e.g. 'diverse-cot' (a column of episodes / eval_summary)" }),
  template: Type.String({ minLength: 1, description: 'prompt template file — the same one the training data used' }),
  temperature: Default(Type.Number({ minimum: 0, maximum: 5, description: 'sampling temperature (the paper: 0.5); 0 = greedy' }), DEFAULT_TEMPERATURE, { inKey: true }),
  topP: Default(Type.Number({ exclusiveMinimum: 0, maximum: 1, description: 'nucleus sampling mass' }), 1),
  maxNewTokens: Default(Type.Integer({ minimum: 1, maximum: 8192, description: 'longest answer in tokens per turn (longer answers are cut off)' }), 64),
  splits: Type.Optional(Type.Array(Type.String(), { minItems: 1, description: 'evaluate only these splits (default: every split in the input)' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, description: 'at most this many episodes per split (default: all)' })),
  batch: Default(Type.Integer({ minimum: 1, maximum: 4096, description: 'episodes decoded together' }), 100),
  provider: providerSchema,
  threads: Type.Optional(Type.Integer({ minimum: 1, maximum: 256, description: 'ONNX Runtime intra-op threads (default: the CPU slots the node holds)' })),
};

/** The shared evaluator params' schema (each evaluator adds its task's own). */
export const evalParams = ParamsObject(evalParamProps);
/** The shared evaluator params as written in a pipeline. */
export type EvalParams = Static<typeof evalParams>;

/** Keeps the chosen splits (all when none given) and the first `limit` of each, in input order. */
export function selectEpisodes<T extends { readonly split: unknown }>(items: readonly T[], splits?: readonly string[], limit?: number): T[] {
  const want = splits === undefined ? undefined : new Set(splits.map((s) => s.toLowerCase()));
  const counts = new Map<string, number>();
  return items.filter((it) => {
    const split = String(it.split);
    if (want !== undefined && !want.has(split.toLowerCase())) return false;
    const n = counts.get(split) ?? 0;
    if (limit !== undefined && n >= limit) return false;
    counts.set(split, n + 1);
    return true;
  });
}
