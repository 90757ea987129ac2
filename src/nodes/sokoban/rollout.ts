/**
 * Multi-turn Sokoban evaluation, batched across episodes: every turn each live episode shows the policy only its
 * current prompt (no history), the first answer is parsed through the split's environment vocabulary, a mappable
 * answer executes one action, an unmappable one burns the turn. An episode ends on success, after `maxTurns` turns
 * or `maxActions` executed actions (30/30 in the paper). The task specifics come in through `SokobanOps`, so this
 * loop is testable with a fake policy and a fake environment.
 */
import { deriveSeed } from '../../util/rng.js';
import type { Vocab } from './api.js';
import type { Completion, Policy, SampleOptions } from '../eval/policy.js';

/** One environment to play (a line of `sokoban.evalset`'s `envs`). */
export interface SokobanEnvSpec {
  readonly split: string;
  readonly index: number;
  readonly seed: number;
  readonly xsb: string;
  readonly optimal?: number;
  /** The words the prompt states and the words the environment accepts (Up, Down, Left, Right order). */
  readonly promptVocab: Vocab;
  readonly envVocab: Vocab;
}

/** A live episode: renders its prompt, and applies a model output. */
export interface EpisodeDriver {
  prompt(): string;
  /** Parses `output`; executes it if it maps to an action. */
  act(output: string): { readonly valid: boolean; readonly done: boolean; readonly success: boolean; readonly reward: number };
}

/** Binds the Sokoban task API (level parsing, env, prompt template, action parsing) to the loop. */
export interface SokobanOps {
  start(spec: SokobanEnvSpec, maxActions: number): EpisodeDriver;
  /** Strings that end an answer (generation stops there). */
  readonly stop?: readonly string[];
}

/** One finished episode, as recorded in `episodes`. */
export interface SokobanEpisode {
  readonly split: string;
  readonly index: number;
  readonly env_seed: number;
  readonly success: boolean;
  /** Sum of the environment's rewards. */
  readonly reward: number;
  /** Fraction of turns whose output mapped to an action. */
  readonly valid: number;
  readonly actions: number;
  readonly turns: number;
  /** Generated tokens over all turns. */
  readonly tokens: number;
  readonly optimal: number | null;
  /** The raw outputs of every turn, as a JSON array. */
  readonly output: string;
}

export interface RolloutOptions {
  readonly maxTurns: number;
  readonly maxActions: number;
  readonly sample: Omit<SampleOptions, 'seed'>;
  readonly seed: number;
  /**
   * Answer a prompt seen before with its earlier completion instead of asking the policy again. Exact for a
   * deterministic policy (greedy decoding): a history-free agent that sees the same prompt says the same thing,
   * so an episode stuck on an invalid answer or cycling between states costs no further model calls.
   */
  readonly memo?: boolean;
  /**
   * Progress as turn slots: every episode owns maxTurns of them; a turn played fills one and an episode that ends
   * early fills the rest of its own. So `turns` reaches `turnsTotal` exactly when the last episode ends, and each
   * unfilled slot is one model call still to come (at most).
   */
  readonly onProgress?: (p: { readonly turns: number; readonly turnsTotal: number; readonly finished: number; readonly episodes: number }) => void;
  readonly signal?: AbortSignal;
}

/**
 * Plays every spec to the end; returns episodes in the order of `specs`. With a streaming policy an episode's next
 * turn is asked as soon as its previous answer is in (continuous batching); otherwise every live episode's turn goes
 * in one call per round. Both give the same episodes: a turn is sampled with its own seed (split, index, turn).
 */
export async function rolloutSokoban(
  policy: Policy,
  ops: SokobanOps,
  specs: readonly SokobanEnvSpec[],
  opts: RolloutOptions,
): Promise<SokobanEpisode[]> {
  const live = specs.map((spec) => ({
    spec,
    driver: ops.start(spec, opts.maxActions),
    outputs: [] as string[],
    validTurns: 0,
    actions: 0,
    tokens: 0,
    reward: 0,
    success: false,
    done: false,
  }));
  type Live = (typeof live)[number];
  let finished = 0;
  let slots = 0;
  const slotsTotal = live.length * opts.maxTurns;
  // Streaming reports at most ~200 times, not once per completion.
  const every = Math.max(1, Math.floor(slotsTotal / 200));
  let reported = -1;
  const report = (force: boolean): void => {
    if (opts.onProgress === undefined || (!force && Math.floor(slots / every) === reported)) return;
    reported = Math.floor(slots / every);
    opts.onProgress({ turns: slots, turnsTotal: slotsTotal, finished, episodes: live.length });
  };
  const memo = new Map<string, Completion>();
  const apply = (e: Live, c: Completion): void => {
    e.outputs.push(c.text);
    e.tokens += c.tokens.length;
    const r = e.driver.act(c.text);
    e.reward += r.reward;
    if (r.valid) {
      e.validTurns++;
      e.actions++;
    }
    if (r.success) e.success = true;
    slots++;
    if (r.done || r.success || e.actions >= opts.maxActions || e.outputs.length >= opts.maxTurns) {
      e.done = true;
      finished++;
      slots += opts.maxTurns - e.outputs.length;
    }
  };
  const seedOf = (e: Live): number => deriveSeed(opts.seed, e.spec.split, e.spec.index, e.outputs.length);
  if (policy.stream !== undefined) {
    // Episodes waiting for their next answer, in spec order; memoized prompts are answered without the policy.
    const queue: Live[] = live.slice();
    let head = 0;
    await policy.stream(
      () => {
        if (opts.signal?.aborted) throw new Error('evaluation aborted');
        while (head < queue.length) {
          const e = queue[head++] as Live;
          const prompt = e.driver.prompt();
          const known = opts.memo ? memo.get(prompt) : undefined;
          if (known === undefined) return { prompt, seed: seedOf(e), episode: e };
          apply(e, known);
          report(false);
          if (!e.done) queue.push(e);
        }
        return undefined;
      },
      (item, c) => {
        if (opts.memo) memo.set(item.prompt, c);
        apply(item.episode, c);
        report(false);
        if (!item.episode.done) queue.push(item.episode);
      },
      opts.sample,
    );
  } else {
    for (let turn = 0; turn < opts.maxTurns; turn++) {
      if (opts.signal?.aborted) throw new Error('evaluation aborted');
      const active = live.filter((e) => !e.done);
      if (active.length === 0) break;
      const prompts = active.map((e) => e.driver.prompt());
      const fresh = opts.memo ? [...new Set(prompts.filter((p) => !memo.has(p)))] : prompts;
      // A memoized (greedy) call needs no seeds; otherwise each episode's turn has its own.
      const seeds = opts.memo ? undefined : active.map(seedOf);
      const sample = { ...opts.sample, seed: deriveSeed(opts.seed, 'turn', turn), ...(seeds ? { seeds } : {}) };
      const got = fresh.length === 0 ? [] : await policy.complete(fresh, sample);
      if (got.length !== fresh.length) {
        throw new Error(`Internal error: the policy returned ${got.length} completions for ${fresh.length} prompts`);
      }
      if (opts.memo) fresh.forEach((p, i) => memo.set(p, got[i] as Completion));
      active.forEach((e, i) => {
        const c = opts.memo ? memo.get(prompts[i] as string) : got[i];
        if (c === undefined) throw new Error('Internal error: no completion for a prompt');
        apply(e, c);
      });
      report(true);
    }
  }
  report(true);
  return live.map((e) => ({
    split: e.spec.split,
    index: e.spec.index,
    env_seed: e.spec.seed,
    success: e.success,
    reward: Math.round(e.reward * 1000) / 1000,
    valid: e.outputs.length === 0 ? 0 : e.validTurns / e.outputs.length,
    actions: e.actions,
    turns: e.outputs.length,
    tokens: e.tokens,
    optimal: e.spec.optimal ?? null,
    output: JSON.stringify(e.outputs),
  }));
}
