/**
 * GRPO's model-free parts: sampling G completions per prompt through a `Policy`, scoring them, and the
 * group-normalized advantages A_i = (r_i − mean(r_group)) / (std(r_group) + ε) (a group with equal rewards teaches
 * nothing: its advantages are 0). Pure apart from the policy call, so tests run it with a scripted policy.
 */
import type { Completion, Policy, SampleOptions } from '../eval/policy.js';
import type { RlItem } from '../eval/rl-item.js';

/** Group-normalized advantages for `rewards` laid out group after group (`groupSize` each). */
export function groupAdvantages(rewards: readonly number[], groupSize: number, eps = 1e-6): number[] {
  if (groupSize < 1 || rewards.length % groupSize !== 0) {
    throw new Error(`Internal error: ${rewards.length} rewards are not whole groups of ${groupSize}`);
  }
  const out: number[] = [];
  for (let g = 0; g < rewards.length; g += groupSize) {
    const group = rewards.slice(g, g + groupSize);
    const mean = group.reduce((a, b) => a + b, 0) / groupSize;
    // Population std as in the reference's per-group normalization; unbiased would need G > 1.
    const std = Math.sqrt(group.reduce((a, r) => a + (r - mean) ** 2, 0) / groupSize);
    for (const r of group) out.push(std < 1e-12 ? 0 : (r - mean) / (std + eps));
  }
  return out;
}

/** One rollout batch: G completions per prompt, their rewards and advantages, in group order. */
export interface RolloutBatch {
  readonly items: readonly RlItem[];
  readonly completions: readonly Completion[];
  readonly rewards: readonly number[];
  readonly advantages: readonly number[];
  readonly stats: {
    readonly rewardMean: number;
    readonly rewardStd: number;
    /** Fraction of groups whose rewards were all equal (no learning signal). */
    readonly flatGroups: number;
    readonly meanLength: number;
    /** Fraction of completions reaching the maximal reward. */
    readonly solved: number;
  };
}

/** Samples `groupSize` completions for each item and scores them. */
export async function collectRollouts(
  policy: Policy,
  items: readonly RlItem[],
  groupSize: number,
  sample: SampleOptions,
): Promise<RolloutBatch> {
  const prompts = items.flatMap((it) => Array.from({ length: groupSize }, () => it.prompt));
  const completions = await policy.complete(prompts, sample);
  if (completions.length !== prompts.length) throw new Error('Internal error: the policy returned a wrong number of completions');
  const rewards = completions.map((c, i) => (items[Math.floor(i / groupSize)] as RlItem).reward(c.text));
  const advantages = groupAdvantages(rewards, groupSize);
  const n = rewards.length;
  const mean = rewards.reduce((a, b) => a + b, 0) / n;
  let flat = 0;
  for (let g = 0; g < n; g += groupSize) {
    const grp = rewards.slice(g, g + groupSize);
    if (grp.every((r) => r === grp[0])) flat++;
  }
  const solved = rewards.filter((r, i) => r >= (items[Math.floor(i / groupSize)] as RlItem).maxReward).length;
  return {
    items,
    completions,
    rewards,
    advantages,
    stats: {
      rewardMean: mean,
      rewardStd: Math.sqrt(rewards.reduce((a, r) => a + (r - mean) ** 2, 0) / n),
      flatGroups: flat / items.length,
      meanLength: completions.reduce((a, c) => a + c.tokens.length, 0) / n,
      solved: solved / n,
    },
  };
}
