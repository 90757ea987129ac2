/**
 * Single-turn General Points evaluation: one prompt per task, one completion, scored by the task's scorer
 * (success = reward +5, valid = reward ≥ −1 as in the paper). The task specifics come in through `GpOps`.
 */
import { deriveSeed } from '../../util/rng.js';
import type { Policy, SampleOptions } from './policy.js';

/** One line of `gp.evalset`'s `tasks` (only the fields the loop itself reads; the rest go to the ops). */
export interface GpTaskSpec {
  readonly split: string;
  readonly index: number;
  readonly seed: number;
  readonly [field: string]: unknown;
}

export interface GpOps {
  prompt(task: GpTaskSpec): string;
  score(output: string, task: GpTaskSpec): { readonly reward: number; readonly valid: boolean };
  /** Strings that end an answer (generation stops there). */
  readonly stop?: readonly string[];
}

export interface GpEpisode {
  readonly split: string;
  readonly index: number;
  readonly env_seed: number;
  readonly success: boolean;
  readonly valid: number;
  readonly reward: number;
  readonly actions: number;
  readonly turns: number;
  readonly tokens: number;
  readonly output: string;
}

/** Evaluates every task in batches of `batch` prompts; returns episodes in task order. */
export async function rolloutGp(
  policy: Policy,
  ops: GpOps,
  tasks: readonly GpTaskSpec[],
  opts: {
    readonly sample: Omit<SampleOptions, 'seed'>;
    readonly seed: number;
    readonly batch: number;
    readonly onBatch?: (done: number, total: number) => void;
    readonly signal?: AbortSignal;
  },
): Promise<GpEpisode[]> {
  const out: GpEpisode[] = [];
  for (let i = 0; i < tasks.length; i += opts.batch) {
    if (opts.signal?.aborted) throw new Error('evaluation aborted');
    const chunk = tasks.slice(i, i + opts.batch);
    const completions = await policy.complete(
      chunk.map((t) => ops.prompt(t)),
      { ...opts.sample, seed: deriveSeed(opts.seed, 'batch', i) },
    );
    chunk.forEach((t, j) => {
      const c = completions[j];
      if (c === undefined) throw new Error('Internal error: the policy returned too few completions');
      const s = ops.score(c.text, t);
      out.push({
        split: t.split,
        index: t.index,
        env_seed: t.seed,
        success: s.reward === 5,
        valid: s.valid ? 1 : 0,
        reward: s.reward,
        actions: 1,
        turns: 1,
        tokens: c.tokens.length,
        output: c.text,
      });
    });
    opts.onBatch?.(out.length, tasks.length);
  }
  return out;
}
