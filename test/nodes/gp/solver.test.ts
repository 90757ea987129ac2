import { describe, expect, it } from 'vitest';
import { pyEval, scoreGp, solveGp, solveGpDetailed } from '../../../src/nodes/gp/api.js';
import { bruteSolvable, evalExact, sortedKey } from './exact.js';

function multisets(n: number, lo: number, hi: number): number[][] {
  const out: number[][] = [];
  const rec = (start: number, acc: number[]): void => {
    if (acc.length === n) return void out.push([...acc]);
    for (let v = start; v <= hi; v++) rec(v, [...acc, v]);
  };
  rec(lo, []);
  return out;
}

function checkFormula(formula: string, values: readonly number[], target: number): void {
  const { value, numbers } = evalExact(formula);
  expect(value, formula).toEqual({ n: BigInt(target), d: 1n });
  expect(sortedKey(numbers), formula).toBe(sortedKey(values));
}

describe('solveGp', () => {
  it('agrees with brute force on every four-card multiset of 1..13 (1,362 of 1,820 solvable)', () => {
    const all = multisets(4, 1, 13);
    expect(all).toHaveLength(1820);
    let solvable = 0;
    let notFloatExact = 0;
    for (const values of all) {
      const expected = bruteSolvable(values, 24);
      const got = solveGpDetailed(values, 24);
      expect(got !== null, `[${values}]`).toBe(expected);
      if (got === null) continue;
      solvable++;
      checkFormula(got.formula, values, 24);
      // The float-exact flag is exactly whether Python-semantics evaluation gives 24, i.e. whether it scores +5.
      const py = pyEval(got.formula);
      expect(py.ok && Number(py.value.value) === 24).toBe(got.floatExact);
      expect(scoreGp(got.formula, { values, target: 24 }).reward).toBe(got.floatExact ? 5 : -1);
      if (!got.floatExact) notFloatExact++;
    }
    expect(solvable).toBe(1362);
    // 3 3 8 8 has only 8/(3-8/3): exact, but 23.999… under float division.
    expect(notFloatExact).toBeGreaterThan(0);
    expect(solveGpDetailed([3, 3, 8, 8], 24)?.floatExact).toBe(false);
  });

  it('solves five-card hands and other targets like the brute force', () => {
    const hands = [
      [1, 1, 1, 1, 1],
      [13, 13, 13, 13, 13],
      [1, 2, 3, 4, 5],
      [7, 7, 7, 7, 7],
      [2, 11, 13, 9, 1],
      [12, 12, 12, 1, 1],
      [19, 18, 17, 16, 1],
      [1, 1, 1, 1, 2],
    ];
    for (const values of hands) {
      for (const target of [24, 1, 100, 0]) {
        const got = solveGp(values, target);
        expect(got !== null, `[${values}] → ${target}`).toBe(bruteSolvable(values, target));
        if (got !== null) checkFormula(got, values, target);
      }
    }
  });

  it('handles 1, 2 and 6 numbers and large values without losing precision', () => {
    expect(solveGp([24], 24)).toBe('24');
    expect(solveGp([23], 24)).toBeNull();
    expect(solveGp([4, 6], 24)).not.toBeNull();
    const six = solveGp([1, 2, 3, 4, 5, 6], 24);
    expect(six).not.toBeNull();
    checkFormula(six as string, [1, 2, 3, 4, 5, 6], 24);
    // Beyond 2^53 the fast path overflows and the exact BigInt search takes over.
    const big = [2 ** 40, 2 ** 30, 3, 7];
    const target = 2 ** 40 * 3;
    const f = solveGp(big, target);
    expect(f !== null).toBe(bruteSolvable(big, target));
  });

  it('rejects non-integer input', () => {
    expect(() => solveGp([1.5, 2, 3, 4])).toThrow(/not an integer/);
    expect(() => solveGp([])).toThrow(/no values/);
  });
});

describe('solveGp: property', () => {
  it('matches the brute force on random hands of 2–5 values and random targets', async () => {
    const fc = (await import('fast-check')).default;
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 30 }), { minLength: 2, maxLength: 5 }),
        fc.integer({ min: -50, max: 200 }),
        (values, target) => {
          const got = solveGp(values, target);
          expect(got !== null).toBe(bruteSolvable(values, target));
          if (got !== null) checkFormula(got, values, target);
        },
      ),
      { numRuns: 150 },
    );
  });
});
