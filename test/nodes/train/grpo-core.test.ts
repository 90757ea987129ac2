import { describe, expect, it } from 'vitest';
import { scriptedPolicy } from '../../../src/nodes/eval/policy.js';
import { collectRollouts, groupAdvantages } from '../../../src/nodes/train/grpo-core.js';
import { promptVocab } from '../../../src/nodes/sokoban/rl-item.js';
import { toRlItems } from '../../../src/nodes/train/rl-rows.js';

const sokobanRow = (content: string, action: number) => ({
  data_source: 'sokoban',
  prompt: [{ role: 'user', content }],
  ability: 'bfs',
  reward_model: { style: 'rule', ground_truth: [action] },
  extra_info: { split: 'train', index: 0 },
});

describe('groupAdvantages', () => {
  it('normalizes within each group and zeroes flat groups', () => {
    const a = groupAdvantages([1, 0, 0, 1, 1, 1, 1, 1], 4);
    expect(a.slice(0, 4).map((x) => +x.toFixed(4))).toEqual([1, -1, -1, 1]);
    expect(a.slice(4)).toEqual([0, 0, 0, 0]);
    expect(a.slice(0, 4).reduce((s, x) => s + x, 0)).toBeCloseTo(0);
  });
  it('rejects rewards that are not whole groups', () => {
    expect(() => groupAdvantages([1, 2, 3], 2)).toThrow(/Internal error/);
  });
});

describe('RL rows', () => {
  it('reads the mapping a Sokoban prompt states (paper and compact forms) and rewards through it', () => {
    const paper = 'Answers:\n<answer> tree </answer> | …\nwhere tree is Up, fix is Down, jade is Left, free dom is Right.\n';
    expect(promptVocab({}, paper)).toEqual(['tree', 'fix', 'jade', 'free dom']);
    expect(promptVocab({}, 'map: a=Up b=Down c=Left d=Right\n#####\nact:')).toEqual(['a', 'b', 'c', 'd']);
    expect(promptVocab({ extra_info: { vocab: ['w', 'x', 'y', 'z'] } }, paper)).toEqual(['w', 'x', 'y', 'z']);
    const [item] = toRlItems([sokobanRow('map: a=Up b=Down c=Left d=Right\nact:', 4)]);
    expect(item!.reward('<answer>d</answer>')).toBe(1);
    expect(item!.reward('<answer>Right</answer>')).toBe(0); // the direction itself is not the stated word
    expect(item!.reward('<answer>d</answer><answer>d</answer>')).toBe(0); // malformed
  });
  it('scores GP rows with the paper reward, and names the schema it expected', () => {
    const [item] = toRlItems([{ data_source: 'gp-l', question: [{ role: 'user', content: 'cards: 4 6 1 1' }], extra_info: { cards: ['4', '6', 'A', 'A'], display_cards: [4, 6, 1, 1], target: 24, face_card_mapping: 'all_10' } }]);
    expect(item!.reward('formula: 4*6*1*1')).toBe(5);
    expect(item!.reward('formula: 4+6+1+1')).toBe(-1);
    expect(() => toRlItems([{ foo: 1 }])).toThrow('RL dataset has columns [foo]');
  });
});

describe('collectRollouts', () => {
  it('samples G completions per prompt, scores and normalizes them per group', async () => {
    const items = toRlItems([sokobanRow('map: a=Up b=Down c=Left d=Right\nP1', 1), sokobanRow('map: a=Up b=Down c=Left d=Right\nP2', 2)]);
    let i = 0;
    const policy = scriptedPolicy((prompt) => (prompt.endsWith('P1') ? (i++ % 2 === 0 ? '<answer>a</answer>' : '<answer>b</answer>') : '<answer>c</answer>'));
    const r = await collectRollouts(policy, items, 4, { temperature: 1, topP: 1, seed: 1, maxNewTokens: 8 });
    expect(r.rewards).toEqual([1, 0, 1, 0, 0, 0, 0, 0]);
    expect(r.advantages.slice(4)).toEqual([0, 0, 0, 0]);
    expect(r.advantages[0]).toBeGreaterThan(0);
    expect(r.stats).toMatchObject({ rewardMean: 0.25, flatGroups: 0.5, solved: 0.25 });
  });
});
