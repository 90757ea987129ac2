/**
 * Counts answers cut off by `maxNewTokens`: a completion that used every token it was allowed without ending (no
 * end-of-sequence, no stop string) was truncated, and an evaluation full of them measures the limit, not the model.
 * The evaluators wrap their policy in this and warn once, with the count and the param to raise.
 */
import type { Completion, Policy } from './policy.js';

/** A policy that counts truncated completions (`truncated`, of `total`) while passing everything through. */
export interface CountingPolicy extends Policy {
  readonly truncated: number;
  readonly total: number;
}

/** Wraps `policy`; `stop` are the stop strings the caller samples with (an answer ending in one was not cut off). */
export function countTruncations(policy: Policy, maxNewTokens: number, stop: readonly string[] = []): CountingPolicy {
  let truncated = 0;
  let total = 0;
  const see = (c: Completion): Completion => {
    total++;
    if (c.tokens.length >= maxNewTokens && !stop.some((s) => c.text.endsWith(s))) truncated++;
    return c;
  };
  const counting: CountingPolicy = {
    get truncated() {
      return truncated;
    },
    get total() {
      return total;
    },
    async complete(prompts, opts) {
      return (await policy.complete(prompts, opts)).map(see);
    },
    ...(policy.stream !== undefined
      ? {
          stream: (next, done, opts) => policy.stream!(next, (item, c) => done(item, see(c)), opts),
        }
      : {}),
    ...(policy.dispose !== undefined ? { dispose: () => policy.dispose!() } : {}),
  };
  return counting;
}

/** The warning for `n` truncated answers out of `total`, or undefined when none was. */
export function truncationWarning(n: number, total: number, maxNewTokens: number): string | undefined {
  if (n === 0) return undefined;
  return `warning: ${n} of ${total} answers hit maxNewTokens (${maxNewTokens}) without an end token and were cut off; raise the node's maxNewTokens param`;
}
