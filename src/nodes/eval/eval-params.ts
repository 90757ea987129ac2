/**
 * The evaluation temperature when none is given: the paper samples at 0.5 (seeded per episode and turn, so results
 * do not depend on batching). `temperature: 0` is greedy decoding.
 */
export const DEFAULT_TEMPERATURE = 0.5;

/** Params shared by both evaluators: who is evaluated (method), how to sample, how to batch. */
export interface EvalParams {
  /** Label of the evaluated training method, e.g. 'diverse-cot' (a column of `episodes` / `eval_summary`). */
  readonly method: string;
  /** Prompt template file — the same one the training data used. */
  readonly template: string;
  readonly temperature?: number;
  readonly topP?: number;
  readonly maxNewTokens?: number;
  /** Evaluate only these splits (default: every split in the input). */
  readonly splits?: readonly string[];
  /** At most this many episodes per split (default: all). */
  readonly limit?: number;
  /** Episodes decoded together. */
  readonly batch?: number;
  readonly provider?: 'cpu' | 'webgpu' | 'cuda';
  readonly threads?: number;
}

export const evalParamProps = {
  method: { type: 'string', minLength: 1 },
  template: { type: 'string', minLength: 1 },
  temperature: { type: 'number', minimum: 0, maximum: 5, default: DEFAULT_TEMPERATURE, description: 'sampling temperature (the paper: 0.5); 0 = greedy' },
  topP: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
  maxNewTokens: { type: 'integer', minimum: 1, maximum: 8192 },
  splits: { type: 'array', items: { type: 'string' }, minItems: 1 },
  limit: { type: 'integer', minimum: 1 },
  batch: { type: 'integer', minimum: 1, maximum: 4096 },
  provider: { enum: ['cpu', 'webgpu', 'cuda'], default: 'cpu' },
  threads: { type: 'integer', minimum: 1, maximum: 256 },
} as const;

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
