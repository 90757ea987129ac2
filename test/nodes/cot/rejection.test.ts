import { describe, expect, it } from 'vitest';
import { rejectionSample, toSftRow } from '../../../src/nodes/cot/rejection.js';
import { scriptedPolicy } from '../../../src/nodes/eval/policy.js';
import { toRlItems } from '../../../src/nodes/train/rl-rows.js';

const row = (content: string, action: number) => ({
  data_source: 'sokoban',
  prompt: [{ role: 'user', content }],
  ability: 'bfs',
  reward_model: { style: 'rule', ground_truth: [action] },
  extra_info: { split: 'train', index: 7 },
});

describe('rejectionSample', () => {
  it('keeps the first verified of n samples per prompt and reports acceptance', async () => {
    const items = toRlItems([row('A', 1), row('B', 2), row('C', 3)]);
    const attempts = new Map<string, number>();
    // A is right on the 3rd try, B never, C on the 1st.
    const policy = scriptedPolicy((p) => {
      const k = (attempts.get(p) ?? 0) + 1;
      attempts.set(p, k);
      if (p === 'A') return k >= 3 ? `think ${k} <answer>Up</answer>` : '<answer>Down</answer>';
      if (p === 'C') return `think ${k} <answer>Left</answer>`;
      return '<answer>Up</answer>';
    });
    const r = await rejectionSample(policy, items, 4, { temperature: 1, topP: 1, maxNewTokens: 8, seed: 3 });
    expect(r.accepted.map((a) => [a.item.prompt, a.attempt, a.response])).toEqual([
      ['A', 3, 'think 3 <answer>Up</answer>'],
      ['C', 1, 'think 1 <answer>Left</answer>'],
    ]);
    expect(r.acceptance).toBeCloseTo(2 / 3);
    expect(r.samples).toBe(3 + 2 + 2 + 1); // rounds shrink as prompts are accepted
    expect(attempts.get('B')).toBe(4);
    expect(toSftRow(r.accepted[0]!)).toMatchObject({ prompt: 'A', response: 'think 3 <answer>Up</answer>', reward_model: { ground_truth: [1] }, extra_info: { index: 7 } });
  });
});
