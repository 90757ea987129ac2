import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { scriptedPolicy } from '../../../src/nodes/eval/policy.js';
import { sokobanOps } from '../../../src/nodes/sokoban/eval-ops.js';
import { rolloutSokoban, type SokobanEnvSpec } from '../../../src/nodes/sokoban/rollout.js';
import { summarizeSplits } from '../../../src/nodes/eval/summarize.js';
import { parseLevel, resolveSplit, solveBfs } from '../../../src/nodes/sokoban/api.js';

const template = readFileSync(new URL('../../../pipelines/templates/sokoban-compact.txt', import.meta.url), 'utf8');
const paperTemplate = readFileSync(new URL('../../../pipelines/templates/sokoban-paper.txt', import.meta.url), 'utf8');

// Player left of a box, target two to the right: the optimal plan is Right, Right.
const XSB = ['######', '#@$ .#', '#    #', '######'].join('\n');
const spec = (split: string, index = 0): SokobanEnvSpec => {
  const { promptVocab, envVocab } = resolveSplit(split);
  return { split, index, seed: 123 + index, xsb: XSB, optimal: 2, promptVocab, envVocab };
};

/** A policy that solves the level: reads the grid back from the prompt, plans with BFS, answers in `vocab`. */
function solver(words: Readonly<Record<string, string>>, format: (w: string) => string) {
  return scriptedPolicy((prompt) => {
    const grid = prompt.split('\n').filter((l) => /^[#_OXPSV√ ]+$/.test(l.trim()) && l.trim().length > 0).join('\n');
    const plan = solveBfs(parseLevel(grid), {});
    const first = plan.actions[0] ?? 'Up';
    return format(words[first] as string);
  });
}

const BASE = { Up: 'Up', Down: 'Down', Left: 'Left', Right: 'Right' };
const opts = { maxTurns: 30, maxActions: 30, sample: { temperature: 0, topP: 1, maxNewTokens: 16 }, seed: 1 };

describe('rolloutSokoban', () => {
  it('a policy that plays the optimal action succeeds in the optimal number of turns', async () => {
    const eps = await rolloutSokoban(solver(BASE, (w) => `<answer>${w}</answer>`), sokobanOps(template), [spec('SimpleSokoban')], opts);
    expect(eps[0]).toMatchObject({ split: 'SimpleSokoban', success: true, valid: 1, actions: 2, turns: 2, env_seed: 123 });
  });

  it('reads the answer through the environment vocabulary of the split (Numerical accepts 1-4)', async () => {
    const numbers = { Up: '1', Down: '2', Left: '3', Right: '4' };
    const eps = await rolloutSokoban(solver(numbers, (w) => `<answer>${w}</answer>`), sokobanOps(template), [spec('SimpleSokobanNumerical')], opts);
    expect(eps[0]).toMatchObject({ success: true, actions: 2 });
  });

  it('on Fake splits the stated words are invalid and only the training words execute', async () => {
    const numbers = { Up: '1', Down: '2', Left: '3', Right: '4' };
    const obey = await rolloutSokoban(solver(numbers, (w) => `<answer>${w}</answer>`), sokobanOps(template), [spec('FakeSokobanNumerical')], opts);
    expect(obey[0]).toMatchObject({ success: false, valid: 0, actions: 0, turns: 30 });
    const ignore = await rolloutSokoban(solver(BASE, (w) => `<answer>${w}</answer>`), sokobanOps(template), [spec('FakeSokobanNumerical')], opts);
    expect(ignore[0]).toMatchObject({ success: true, valid: 1 });
  });

  it('an unmappable answer burns a turn but not an action; the episode ends after maxTurns', async () => {
    const eps = await rolloutSokoban(scriptedPolicy(() => 'no idea'), sokobanOps(template), [spec('SimpleSokoban')], { ...opts, maxTurns: 7 });
    expect(eps[0]).toMatchObject({ success: false, valid: 0, actions: 0, turns: 7 });
    expect(JSON.parse(eps[0]!.output)).toHaveLength(7);
  });

  it('stops after maxActions executed actions', async () => {
    const eps = await rolloutSokoban(scriptedPolicy(() => '<answer>Down</answer>'), sokobanOps(template), [spec('SimpleSokoban')], { ...opts, maxActions: 5 });
    expect(eps[0]).toMatchObject({ success: false, valid: 1, actions: 5, turns: 5 });
  });

  it('shows the model only the current prompt, rendered like the training data (paper template)', async () => {
    const seen: string[] = [];
    const policy = scriptedPolicy((p) => {
      seen.push(p);
      return '</think> <answer> Right </answer>';
    });
    await rolloutSokoban(policy, sokobanOps(paperTemplate), [spec('SimpleSokobanNumerical')], opts);
    expect(seen).toHaveLength(30); // 'Right' is not in the numerical vocabulary: every turn invalid
    expect(seen[0]).toContain('where 1 is Up, 2 is Down, 3 is Left, 4 is Right.');
    expect(seen.every((p) => p === seen[0])).toBe(true); // no history: the state never changed
    expect(resolveSplit('SimpleSokobanNumerical').envVocab).toEqual(['1', '2', '3', '4']);
  });

  it('batches episodes: one policy call per turn for all live episodes', async () => {
    const batches: number[] = [];
    const inner = solver(BASE, (w) => `<answer>${w}</answer>`);
    const policy = { complete: async (ps: readonly string[], o: Parameters<typeof inner.complete>[1]) => (batches.push(ps.length), inner.complete(ps, o)) };
    const specs = [spec('SimpleSokoban', 0), spec('SimpleSokoban', 1), spec('TwoBoxesSokoban', 2)];
    const eps = await rolloutSokoban(policy, sokobanOps(template), specs, opts);
    expect(batches).toEqual([3, 3]);
    expect(summarizeSplits(eps)).toEqual([
      expect.objectContaining({ split: 'SimpleSokoban', episodes: 2, successes: 2, success: 1, valid: 1 }),
      expect.objectContaining({ split: 'TwoBoxesSokoban', episodes: 1, successes: 1 }),
    ]);
  });

  it('with memo (greedy) answers repeated prompts without the policy and gives the same episodes', async () => {
    let calls = 0;
    // Without memo: invalid for two turns on the start state, then Right twice.
    const script = (prompt: string, i: number) => (i < 2 ? 'junk' : '<answer>Right</answer>');
    const plain = await rolloutSokoban(scriptedPolicy(script), sokobanOps(template), [spec('SimpleSokoban')], opts);
    const stuck = scriptedPolicy(() => {
      calls++;
      return 'junk';
    });
    const memo = await rolloutSokoban(stuck, sokobanOps(template), [spec('SimpleSokoban', 0), spec('SimpleSokoban', 1)], { ...opts, memo: true });
    expect(calls).toBe(1); // one state, one distinct prompt, asked once for both episodes and all 30 turns
    expect(memo.map((e) => [e.turns, e.valid, e.success])).toEqual([[30, 0, false], [30, 0, false]]);
    const solved = await rolloutSokoban(solver(BASE, (w) => `<answer>${w}</answer>`), sokobanOps(template), [spec('SimpleSokoban')], { ...opts, memo: true });
    expect(solved[0]).toMatchObject({ success: true, turns: 2 });
    expect(plain[0]).toMatchObject({ success: true, turns: 4 });
  });
});

describe('rolloutSokoban progress', () => {
  const numbers = { Up: '1', Down: '2', Left: '3', Right: '4' };
  // Numerical is solved in 2 turns; Fake never (the stated numbers are invalid there): 28 slots fill at once, then 30.
  const specs = [spec('SimpleSokobanNumerical'), spec('FakeSokobanNumerical', 1)];
  const run = async (streaming: boolean) => {
    const base = solver(numbers, (w) => `<answer>${w}</answer>`);
    const policy = streaming
      ? {
          ...base,
          async stream<T extends { prompt: string; seed: number }>(next: () => T | undefined, done: (item: T, c: { text: string; tokens: readonly number[] }) => void) {
            for (let item = next(); item !== undefined; item = next()) done(item, (await base.complete([item.prompt], { temperature: 0, topP: 1, maxNewTokens: 16, seed: item.seed }))[0]!);
          },
        }
      : base;
    const seen: { turns: number; turnsTotal: number; finished: number; episodes: number }[] = [];
    await rolloutSokoban(policy, sokobanOps(template), specs, { ...opts, onProgress: (p) => void seen.push(p) });
    return seen;
  };

  for (const streaming of [false, true]) {
    it(`counts turn slots, so it ends exactly when the last episode does (${streaming ? 'streaming' : 'turn by turn'})`, async () => {
      const seen = await run(streaming);
      const turns = seen.map((p) => p.turns);
      expect(turns).toEqual([...turns].sort((a, b) => a - b));
      expect(seen.at(-1)).toEqual({ turns: 60, turnsTotal: 60, finished: 2, episodes: 2 });
      // Once the solved episode has ended, its unplayed 28 turns count as done while Fake is still at turn 2.
      expect(seen.find((p) => p.finished === 1)?.turns).toBeGreaterThanOrEqual(30);
      expect(seen.filter((p) => p.finished === 1 && p.turns < 60)).not.toHaveLength(0);
    });
  }
});
