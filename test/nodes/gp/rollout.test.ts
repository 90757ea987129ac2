import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dealTask, formatGpAnswer } from '../../../src/nodes/gp/api.js';
import { gpOps } from '../../../src/nodes/gp/eval-ops.js';
import { rolloutGp, type GpTaskSpec } from '../../../src/nodes/gp/rollout.js';
import { scriptedPolicy } from '../../../src/nodes/eval/policy.js';
import { summarizeSplits } from '../../../src/nodes/eval/summarize.js';

const template = readFileSync(new URL('../../../pipelines/templates/gp-compact.txt', import.meta.url), 'utf8');

function tasks(split: string, n: number): GpTaskSpec[] {
  const out: GpTaskSpec[] = [];
  for (let i = 0; out.length < n; i++) {
    const t = dealTask(split, 42 + i, { index: i, require: 'scorable' });
    if (t !== null) out.push(JSON.parse(JSON.stringify(t)) as GpTaskSpec);
  }
  return out;
}

const sample = { temperature: 0, topP: 1, maxNewTokens: 32 };

describe('rolloutGp', () => {
  it('scores the solution +5, a wrong value -1 (valid) and junk below -1 (invalid), in batches', async () => {
    const ts = tasks('id', 6);
    const byPrompt = new Map(ts.map((t) => [gpOps(template).prompt(t), t]));
    const calls: number[] = [];
    const inner = scriptedPolicy((prompt, i) => {
      const t = byPrompt.get(prompt)!;
      if (i % 3 === 0) return formatGpAnswer(t as never, String(t.solution), 'compact');
      if (i % 3 === 1) return `formula: ${(t.values as number[]).join('+')}`;
      return 'formula: ((';
    });
    const policy = { complete: async (ps: readonly string[], o: Parameters<typeof inner.complete>[1]) => (calls.push(ps.length), inner.complete(ps, o)) };
    const eps = await rolloutGp(policy, gpOps(template), ts, { sample, seed: 1, batch: 4 });
    expect(calls).toEqual([4, 2]);
    expect(eps.map((e) => e.reward)).toEqual([5, -1, expect.any(Number), 5, -1, expect.any(Number)]);
    expect(eps[2]!.reward).toBeLessThan(-1);
    expect(eps[0]).toMatchObject({ success: true, valid: 1, turns: 1 });
    expect(eps[2]).toMatchObject({ success: false, valid: 0 });
    const [s] = summarizeSplits(eps);
    expect(s).toMatchObject({ split: 'id', episodes: 6, successes: 2 });
  });

  it('Fake tasks are scored with 10 whatever the prompt states', async () => {
    const [t] = tasks('fake', 1);
    const ops = gpOps(template);
    expect(ops.prompt(t!)).toMatch(/J=11 Q=12 K=13/);
    const eps = await rolloutGp(scriptedPolicy(() => `formula: ${String(t!.solution)}`), ops, [t!], { sample, seed: 1, batch: 8 });
    expect(eps[0]!.reward).toBe(5);
  });
});
