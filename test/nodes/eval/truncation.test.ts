import { describe, expect, it } from 'vitest';
import { scriptedPolicy } from '../../../src/nodes/eval/policy.js';
import { countTruncations, truncationWarning } from '../../../src/nodes/eval/truncation.js';

describe('maxNewTokens truncation', () => {
  it('counts answers that used every allowed token without a stop string, and names the param to raise', async () => {
    const answers = ['Up', 'LeftLeftLe', 'Right.', 'DownDownDo'];
    const policy = countTruncations(scriptedPolicy((_p, i) => answers[i] as string), 10, ['.']);
    await policy.complete(['a', 'b'], { temperature: 0, topP: 1, seed: 1, maxNewTokens: 10 });
    await policy.complete(['c', 'd'], { temperature: 0, topP: 1, seed: 1, maxNewTokens: 10 });
    expect([policy.truncated, policy.total]).toEqual([2, 4]);
    expect(truncationWarning(policy.truncated, policy.total, 10)).toBe(
      "warning: 2 of 4 answers hit maxNewTokens (10) without an end token and were cut off; raise the node's maxNewTokens param",
    );
    expect(truncationWarning(0, 4, 10)).toBeUndefined();
  });
});
