import { describe, expect, it } from 'vitest';
import { HEADLINE_EFFECTS, measureEffects, newcombeInterval, renderEffectsMarkdown, type HeadlineEffect } from '../../../src/nodes/report/effects.js';
import type { EvalSummary } from '../../../src/nodes/eval/summary.js';

describe('Newcombe interval for a difference of proportions', () => {
  it('matches the hand computation for 56/70 − 48/80', () => {
    // Wilson 95 %: 56/70 → [0.69183, 0.87695], 48/80 → [0.49045, 0.70038]; d = 0.8 − 0.6 = 0.2.
    // low  = 0.2 − √((0.8 − 0.69183)² + (0.70038 − 0.6)²) = 0.2 − √(0.011700 + 0.010077) = 0.0524
    // high = 0.2 + √((0.87695 − 0.8)² + (0.6 − 0.49045)²) = 0.2 + √(0.005922 + 0.012001) = 0.3339
    const ci = newcombeInterval(48, 80, 56, 70);
    expect(ci.low).toBeCloseTo(0.0524, 4);
    expect(ci.high).toBeCloseTo(0.3339, 4);
  });

  it("reproduces Newcombe's (1998) published method-10 intervals, including a zero count", () => {
    const b = newcombeInterval(3, 10, 9, 10);
    expect([b.low, b.high].map((x) => Number(x.toFixed(4)))).toEqual([0.1705, 0.809]);
    const d = newcombeInterval(0, 29, 5, 56);
    expect([d.low, d.high].map((x) => Number(x.toFixed(4)))).toEqual([-0.0381, 0.1926]);
  });

  it('is antisymmetric: swapping the groups negates the interval', () => {
    const a = newcombeInterval(12, 100, 40, 100);
    const b = newcombeInterval(40, 100, 12, 100);
    expect(a.low).toBeCloseTo(-b.high, 12);
    expect(a.high).toBeCloseTo(-b.low, 12);
  });
});

function summary(method: string, node: string, splits: Record<string, [number, number]>, task: 'sokoban' | 'gp' = 'sokoban'): EvalSummary {
  return {
    format: 'pipe.eval-summary/1',
    task,
    method,
    node,
    temperature: 0.5,
    splits: Object.entries(splits).map(([split, [k, n]]) => ({ split, episodes: n, successes: k, success: k / n, valid: 1, ci_low: 0, ci_high: 1 })),
  };
}

describe('headline effects', () => {
  const numerical: HeadlineEffect = HEADLINE_EFFECTS[0] as HeadlineEffect;

  it('pools seeds, states direction and significance, and flags seeds that disagree more than the interval', () => {
    const rows = measureEffects(
      [
        summary('sft', 'sft_eval[seed=1]', { SimpleSokobanNumerical: [0, 100] }),
        summary('sft', 'sft_eval[seed=2]', { SimpleSokobanNumerical: [2, 100] }),
        summary('diverse', 'diverse_eval[seed=1]', { SimpleSokobanNumerical: [10, 100] }),
        summary('diverse', 'diverse_eval[seed=2]', { SimpleSokobanNumerical: [90, 100] }),
      ],
      [numerical],
    );
    const r = rows[0];
    expect(r?.from).toEqual({ successes: 2, episodes: 200 });
    expect(r?.to).toEqual({ successes: 100, episodes: 200 });
    expect(r?.delta).toBeCloseTo(0.49, 10);
    const ci = newcombeInterval(2, 200, 100, 200);
    expect(r?.low).toBeCloseTo(ci.low, 12);
    expect(r?.sameDirection).toBe(true);
    expect(r?.excludesZero).toBe(true);
    expect(r?.seedDeltas.map((x) => Number(x.toFixed(2)))).toEqual([0.1, 0.88]);
    expect(r?.spreadExceedsInterval).toBe(true);
    expect(renderEffectsMarkdown(rows)).toContain('‡ seeds');
  });

  it('a reversed or null effect is reported as such, a missing method as not measured', () => {
    const fake = HEADLINE_EFFECTS.find((e) => e.split === 'FakeSokobanNumerical') as HeadlineEffect;
    const twoBoxes = HEADLINE_EFFECTS.find((e) => e.split === 'TwoBoxesSokoban') as HeadlineEffect;
    const rows = measureEffects(
      [
        summary('sft', 'a', { FakeSokobanNumerical: [10, 100], TwoBoxesSokoban: [20, 100] }),
        summary('diverse', 'b', { FakeSokobanNumerical: [14, 100] }),
      ],
      [fake, twoBoxes],
    );
    expect(rows[0]?.sameDirection).toBe(false);
    expect(rows[0]?.excludesZero).toBe(false);
    expect(rows[1]?.delta).toBeNull();
    const md = renderEffectsMarkdown(rows);
    expect(md).toContain('not measured');
    expect(md).toContain('0 of 2 effects reproduced');
  });

  it("'non-fake' pools every split but Fake", () => {
    const beats = HEADLINE_EFFECTS.find((e) => e.task === 'gp' && e.to === 'diverse-cot') as HeadlineEffect;
    const rows = measureEffects(
      [
        summary('grpo', 'g', { id: [50, 100], large: [10, 100], fake: [100, 100] }, 'gp'),
        summary('diverse-cot', 'd', { id: [90, 100], large: [30, 100], fake: [0, 100] }, 'gp'),
      ],
      [beats],
    );
    expect(rows[0]?.from).toEqual({ successes: 60, episodes: 200 });
    expect(rows[0]?.to).toEqual({ successes: 120, episodes: 200 });
    expect(beats.paperTo - beats.paperFrom).toBeGreaterThan(0);
  });
});

describe('effects section of a report', () => {
  it('appears only when some effect has both of its methods evaluated', async () => {
    const { effectsSection } = await import('../../../src/nodes/report/effects.js');
    expect(effectsSection([summary('sft', 'a', { SimpleSokobanNumerical: [1, 100] })])).toBe('');
    const both = effectsSection([summary('sft', 'a', { SimpleSokobanNumerical: [1, 100] }), summary('diverse', 'b', { SimpleSokobanNumerical: [60, 100] })]);
    expect(both).toContain('## Headline effects');
    expect(both).toContain('1 of 8 effects reproduced');
  });
});
