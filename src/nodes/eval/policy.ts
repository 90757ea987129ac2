/**
 * The `Policy` seam: prompts in, completions out. Evaluators, GRPO rollouts and CoT rejection sampling are written
 * against it, so tests drive them with a scripted fake and the neural Generator is only one adapter
 * (see model-policy.ts). Nothing here knows about ONNX.
 */

/**
 * How to sample. temperature 0 means greedy. `seed` makes a call reproducible; `seeds` (one per prompt) makes each
 * completion a function of its own prompt and seed only, whatever else is in the call and however it is batched.
 * Without `seeds`, prompt i uses deriveSeed(seed, i).
 */
export interface SampleOptions {
  readonly temperature: number;
  readonly topP: number;
  readonly seed: number;
  readonly seeds?: readonly number[];
  readonly maxNewTokens: number;
  /** Generation stops after the first of these strings (kept in the output). */
  readonly stop?: readonly string[];
}

/** One sampled continuation of a prompt: the text and its token ids (response only, no EOS). */
export interface Completion {
  readonly text: string;
  readonly tokens: readonly number[];
}

/** A prompt of a streamed call, with the seed its completion is sampled with. */
export interface StreamItem {
  readonly prompt: string;
  readonly seed: number;
}

/** Anything that continues prompts: a trained model, or a scripted fake in tests. */
export interface Policy {
  /** One completion per prompt, in order. Implementations batch internally. */
  complete(prompts: readonly string[], opts: SampleOptions): Promise<Completion[]>;
  /**
   * Optional continuous batching: completes whatever `next()` offers until it offers nothing and nothing is in
   * flight, handing each completion to `done` as soon as it is ready (so `done` can offer the next turn of the same
   * episode at once). Completion of an item depends only on its prompt and seed, as with `complete` and `seeds`.
   */
  stream?<T extends StreamItem>(next: () => T | undefined, done: (item: T, completion: Completion) => void, opts: Omit<SampleOptions, 'seed' | 'seeds'>): Promise<void>;
  /** Frees native resources, if any. */
  dispose?(): Promise<void>;
}

/** A policy answering from a function of (prompt, call index) — for tests and for replaying recorded outputs. */
export function scriptedPolicy(answer: (prompt: string, index: number, opts: SampleOptions) => string): Policy {
  let calls = 0;
  const encoder = new TextEncoder();
  return {
    async complete(prompts, opts) {
      return prompts.map((p) => {
        const text = answer(p, calls++, opts);
        return { text, tokens: [...encoder.encode(text)] };
      });
    },
  };
}
