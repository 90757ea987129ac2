/**
 * The paper's CoT rejection sampling (docs/paper.md §5): up to n samples per prompt, keep the FIRST that scores the
 * maximal reward. Sampled in rounds — round k draws sample k for every prompt still unaccepted — which keeps the
 * "first verified of n" semantics while batching across prompts.
 */
import { deriveSeed } from '../../util/rng.js';
import type { Policy, SampleOptions } from '../eval/policy.js';
import type { RlItem } from '../eval/rl-item.js';
import { rlTaskNamed } from '../rl-tasks.js';

export interface Accepted {
  readonly item: RlItem;
  readonly response: string;
  /** 1-based index of the accepted sample. */
  readonly attempt: number;
}

export interface RejectionResult {
  readonly accepted: readonly Accepted[];
  readonly prompts: number;
  readonly samples: number;
  /** Fraction of prompts with an accepted sample. */
  readonly acceptance: number;
}

export async function rejectionSample(
  policy: Policy,
  items: readonly RlItem[],
  n: number,
  sample: Omit<SampleOptions, 'seed'> & { readonly seed: number },
  onRound?: (round: number, accepted: number) => void,
): Promise<RejectionResult> {
  const accepted = new Map<number, Accepted>();
  let pending = items.map((_, i) => i);
  let samples = 0;
  for (let round = 1; round <= n && pending.length > 0; round++) {
    const outs = await policy.complete(
      pending.map((i) => (items[i] as RlItem).prompt),
      { ...sample, seed: deriveSeed(sample.seed, 'round', round) },
    );
    samples += pending.length;
    const still: number[] = [];
    pending.forEach((i, j) => {
      const item = items[i] as RlItem;
      const text = (outs[j] as { text: string }).text;
      if (item.reward(text) >= item.maxReward) accepted.set(i, { item, response: text, attempt: round });
      else still.push(i);
    });
    pending = still;
    onRound?.(round, accepted.size);
  }
  const list = [...accepted.entries()].sort((a, b) => a[0] - b[0]).map(([, a]) => a);
  return { accepted: list, prompts: items.length, samples, acceptance: items.length === 0 ? 0 : list.length / items.length };
}

/** An accepted sample as an SFT row in its task's schema (Sokoban prompt/response, GP question/answer). */
export function toSftRow(a: Accepted): Record<string, unknown> {
  const { row, task } = a.item;
  const base = { data_source: `${String(row.data_source ?? task)}-cot-rs`, extra_info: row.extra_info ?? {} };
  return { ...base, ...rlTaskNamed(task).sftColumns(a.item, a.response) };
}
