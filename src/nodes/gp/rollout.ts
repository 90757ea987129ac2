/**
 * Single-turn General Points evaluation: one prompt per task, one completion, scored by the task's scorer
 * (success = reward +5, valid = reward ≥ −1 as in the paper). The task specifics come in through `GpOps`.
 */
import { deriveSeed } from '../../util/rng.js';
import type { Episode } from '../eval/episode-rows.js';
import type { Completion, Policy, SampleOptions } from '../eval/policy.js';

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

/** A General Points episode: one prompt, one answer (no optimal length). */
export type GpEpisode = Omit<Episode, 'optimal'>;

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
  const episode = (t: GpTaskSpec, c: Completion): GpEpisode => {
    const s = ops.score(c.text, t);
    return {
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
    };
  };
  // One seed per task (split, index): a completion does not depend on the batch it was decoded in.
  const seedOf = (t: GpTaskSpec): number => deriveSeed(opts.seed, t.split, t.index);
  if (policy.stream !== undefined) {
    const done: (GpEpisode | undefined)[] = new Array(tasks.length).fill(undefined);
    let next = 0;
    let count = 0;
    await policy.stream(
      () => {
        if (opts.signal?.aborted) throw new Error('evaluation aborted');
        if (next >= tasks.length) return undefined;
        const t = tasks[next] as GpTaskSpec;
        return { prompt: ops.prompt(t), seed: seedOf(t), at: next++ };
      },
      (item, c) => {
        done[item.at] = episode(tasks[item.at] as GpTaskSpec, c);
        if (++count % opts.batch === 0 || count === tasks.length) opts.onBatch?.(count, tasks.length);
      },
      opts.sample,
    );
    return done.map((e) => {
      if (e === undefined) throw new Error('Internal error: a task got no completion');
      return e;
    });
  }
  const out: GpEpisode[] = [];
  for (let i = 0; i < tasks.length; i += opts.batch) {
    if (opts.signal?.aborted) throw new Error('evaluation aborted');
    const chunk = tasks.slice(i, i + opts.batch);
    const completions = await policy.complete(
      chunk.map((t) => ops.prompt(t)),
      { ...opts.sample, seed: deriveSeed(opts.seed, 'batch', i), seeds: chunk.map(seedOf) },
    );
    chunk.forEach((t, j) => {
      const c = completions[j];
      if (c === undefined) throw new Error('Internal error: the policy returned too few completions');
      out.push(episode(t, c));
    });
    opts.onBatch?.(out.length, tasks.length);
  }
  return out;
}
