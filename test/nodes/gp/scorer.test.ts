import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatGpAnswer, scoreGp, solveGp, solveGpDetailed, type GpScorable } from '../../../src/nodes/gp/api.js';
import { evalExact, sortedKey } from './exact.js';

const task = { values: [3, 7, 10, 10], target: 24 };
const score = (out: string, t: GpScorable = task) => scoreGp(out, t);
const paper = (formula: string) =>
  formatGpAnswer({ display_cards: ['3', '7', 'Q', 'J'], values: [3, 7, 10, 10] }, formula, 'paper');

describe('scoreGp: reward classes', () => {
  it('+5 for a correct formula, through the JSON path', () => {
    const s = score(paper('10+10+(7-3)'));
    expect(s).toMatchObject({ reward: 5, valid: true, reason: 'correct', formula: '10+10+(7-3)', source: 'json' });
  });

  it('finds the formula with the regex when the output is not JSON (prose, trailing comma)', () => {
    const out = `Let me think.\n{\n "cards": ["3", "7", "Q", "J"],\n "formula": "(7-3)*(10-10+6)",\n}`;
    expect(score(out)).toMatchObject({ reward: -2, source: 'regex' });
    const ok = `I reason... {"cards": [], "formula": "10*(7-3)-10-6"} trailing`;
    expect(score(ok)).toMatchObject({ reward: -2, source: 'regex' });
    expect(score(`blah "formula": "10+10+7-3", }`)).toMatchObject({ reward: 5, source: 'regex' });
  });

  it('takes the first regex match, and the regex never spans lines (Python `.`)', () => {
    expect(score(`"formula": "10+10+7-3" and "formula": "1+1"`).reward).toBe(5);
    expect(score(`"formula": "10+10\n+7-3"`, task)).toMatchObject({ source: 'line' });
  });

  it('drops everything after "=" and removes spaces', () => {
    expect(score(paper(' 10 + 10 + ( 7 - 3 ) = 24')).reward).toBe(5);
    expect(score(paper('10+10+(7-3)=24=25')).reward).toBe(5);
    expect(score(paper('24=10+10+(7-3)')).reward).toBe(-2); // what is left is "24"
  });

  it('−1 for a legal formula with the right numbers and the wrong value', () => {
    expect(score(paper('10*10+7-3'))).toMatchObject({ reward: -1, valid: true, reason: 'wrong-value' });
  });

  it('float division as Python: 8/(3-8/3) is not 24', () => {
    const s = scoreGp(paper('8/(3-8/3)'), { values: [3, 3, 8, 8], target: 24 });
    expect(s).toMatchObject({ reward: -1, valid: true, reason: 'wrong-value' });
    expect(s.detail).toContain('23.99999999999999');
    // …while 6/(1-3/4) is exactly 24 in binary floating point.
    expect(scoreGp(paper('6/(1-3/4)'), { values: [1, 3, 4, 6], target: 24 }).reward).toBe(5);
    // ints stay exact: a float only appears at "/"
    expect(scoreGp(paper('(12/5)*10'), { values: [12, 5, 10], target: 24 }).reward).toBe(5);
  });

  it('−1 when Python eval raises: division by zero, unbalanced or trailing parts, leading zeros, non-ASCII digits', () => {
    const t: GpScorable = { values: [2, 2, 3, 3], target: 24 };
    expect(scoreGp(paper('3/(2-2)*3'), t)).toMatchObject({ reward: -1, valid: true, reason: 'eval-error' });
    expect(scoreGp(paper('3/(2-2*1.0)'), t).reward).toBe(-3);
    expect(score(paper('(10+10+(7-3)'))).toMatchObject({ reward: -1, reason: 'eval-error' });
    expect(score(paper('10+10+(7-3)+'))).toMatchObject({ reward: -1, reason: 'eval-error' });
    expect(score(paper('010+10+(7-3)'))).toMatchObject({ reward: -1, reason: 'eval-error' });
    // Arabic-Indic "١٠" is \d+ for Python's re and int() (= 10), but Python's tokenizer rejects it.
    expect(score(paper('١٠+10+(7-3)'))).toMatchObject({ reward: -1, reason: 'eval-error' });
  });

  it('−2 for wrong numbers: missing, extra, overused, foreign, or none at all', () => {
    expect(score(paper('10+10+4'))).toMatchObject({ reward: -2, valid: false, reason: 'wrong-numbers' });
    expect(score(paper('10+10+7-3+0')).reward).toBe(-2);
    expect(score(paper('10+10+7-7')).reward).toBe(-2);
    expect(score(paper('12+12')).reward).toBe(-2);
    // The reference's quirk: an empty formula passes the token checks and fails the number check.
    expect(score('{"formula": ""}').reward).toBe(-2);
    expect(score('{"formula": "=24"}').reward).toBe(-2);
  });

  it('−3 for illegal formulas: junk characters, bad sequences, unicode operators', () => {
    for (const f of ['10x10+7-3', '10++10+(7-3)', '(10+10)(7-3)', '10+10+(7−3)', '10×10', '10+10+()7-3', '-10+10+7+3', '10+10+7-3)', '10\t+10+7-3', '10+10+7-3.0', '10+10+7-3;']) {
      expect(score(paper(f)), f).toMatchObject({ reward: -3, valid: false, reason: 'illegal-formula' });
    }
  });

  it('−3 when no formula is found, or the JSON formula is not a string', () => {
    expect(score('', task)).toMatchObject({ reward: -3, reason: 'no-formula' });
    expect(scoreGp('I give up.', task, { mode: 'paper' })).toMatchObject({ reward: -3, reason: 'no-formula' });
    expect(score('{"formula": 24}')).toMatchObject({ reward: -3, reason: 'illegal-formula' });
    expect(score('{"formula": null}').reward).toBe(-3);
  });

  it('JSON without a formula key, or a JSON list, falls back to the regex / compact paths', () => {
    expect(score('{"answer": "x"}')).toMatchObject({ reward: -3, source: 'line' });
    expect(scoreGp('{"answer": "x"}', task, { mode: 'paper' })).toMatchObject({ reward: -3, source: 'none' });
    expect(score('[1, 2]').reward).toBe(-3);
  });

  it('accepts the compact response: the last `formula:` line, else a bare first line', () => {
    expect(score('formula: 10+10+(7-3)')).toMatchObject({ reward: 5, source: 'label' });
    expect(score('values: 3 7 10 10\n10+10=20 (3 7 20)\nformula: 1+1\nformula: 10+10+(7-3)')).toMatchObject({
      reward: 5,
      source: 'label',
    });
    expect(score(' 10+10+(7-3)\nmore text')).toMatchObject({ reward: 5, source: 'line' });
    expect(score('formula: 10+10+(7-3)\r\n')).toMatchObject({ reward: 5, source: 'label' });
    // paper mode is the reference exactly: a bare formula is not found
    expect(scoreGp('10+10+(7-3)', task, { mode: 'paper' }).reward).toBe(-3);
  });

  it('validity is reward ≥ −1', () => {
    for (const out of [paper('10+10+(7-3)'), paper('10*10+7-3'), paper('10+4'), 'junk']) {
      const s = score(out);
      expect(s.valid).toBe(s.reward >= -1);
    }
  });
});

/** Independent check of a +5: the scored formula is ASCII arithmetic, uses exactly the values, and equals the target. */
function reallyCorrect(formula: string, t: { values: readonly number[]; target: number }): boolean {
  try {
    const { value, numbers } = evalExact(formula);
    return value.d === 1n && value.n === BigInt(t.target) && sortedKey(numbers) === sortedKey(t.values);
  } catch {
    return false;
  }
}

describe('scoreGp: properties', () => {
  const tasks = fc.record({
    values: fc.array(fc.integer({ min: 1, max: 19 }), { minLength: 4, maxLength: 5 }),
    target: fc.constantFrom(24, 24, 10, 0),
  });

  it('never throws on arbitrary strings, and only returns the four rewards', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.json()), tasks, (out, t) => {
        const s = scoreGp(out, t);
        expect([5, -1, -2, -3]).toContain(s.reward);
        expect(s.valid).toBe(s.reward >= -1);
        if (s.reward === 5) expect(reallyCorrect(s.formula as string, t)).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('never scores +5 unless the formula really gives the target with the right numbers', () => {
    // Near-misses of real solutions (one character inserted, deleted or replaced; spaces; "=…" suffixes) and
    // formula-like noise over the task's numbers, in every wrapping the parser knows, so +5 does occur.
    const solvable = tasks.filter((t) => solveGp(t.values, t.target) !== null);
    const alphabet = ['+', '-', '*', '/', '(', ')', ' ', '=', '0', '1', '2', '24', '.', '−', '١', '"', '\n'];
    const mutated = solvable.chain((t) => {
      const f = solveGp(t.values, t.target) as string;
      return fc.tuple(
        fc.constant(t),
        fc.oneof(
          fc.constant(f),
          fc.constant(f.split('').join(' ') + ' = ' + t.target),
          fc.tuple(fc.nat(f.length), fc.constantFrom(...alphabet)).map(([i, c]) => f.slice(0, i) + c + f.slice(i)),
          fc.nat(Math.max(0, f.length - 1)).map((i) => f.slice(0, i) + f.slice(i + 1)),
          fc.tuple(fc.nat(Math.max(0, f.length - 1)), fc.constantFrom(...alphabet)).map(
            ([i, c]) => f.slice(0, i) + c + f.slice(i + 1),
          ),
          fc.array(fc.constantFrom(...alphabet, ...t.values.map(String)), { maxLength: 14 }).map((ps) => ps.join('')),
        ),
        fc.constantFrom('json', 'regex', 'label', 'bare'),
      );
    });
    let correct = 0;
    let runs = 0;
    fc.assert(
      fc.property(mutated, ([t, formula, wrap]) => {
        runs++;
        const out =
          wrap === 'json'
            ? JSON.stringify({ formula })
            : wrap === 'regex'
              ? `x "formula": "${formula}"`
              : wrap === 'label'
                ? `steps\nformula: ${formula}`
                : formula;
        const s = scoreGp(out, t);
        if (s.reward === 5) {
          correct++;
          expect(reallyCorrect(s.formula as string, t)).toBe(true);
        }
      }),
      { numRuns: 1500 },
    );
    // Unmutated and space-padded solutions alone are ≥ 2/6 of the runs; most of them are float-exact.
    expect(correct).toBeGreaterThan(runs / 5);
  });

  it('scores every float-exact solver formula +5, in every response format', () => {
    fc.assert(
      fc.property(tasks, (t) => {
        const sol = solveGpDetailed(t.values, t.target);
        if (sol === null || !sol.floatExact) return;
        const answer = { display_cards: t.values.map(String), values: t.values };
        expect(scoreGp(formatGpAnswer(answer, sol.formula, 'paper'), t).reward).toBe(5);
        expect(scoreGp(formatGpAnswer(answer, sol.formula, 'compact'), t).reward).toBe(5);
        expect(scoreGp(formatGpAnswer(answer, sol.formula, 'paper'), t, { mode: 'paper' }).reward).toBe(5);
      }),
      { numRuns: 500 },
    );
  });
});

describe('scoreGp: tasks', () => {
  it("accepts the reference's meta_info (numeric display_cards) and rejects a task without numbers", () => {
    expect(scoreGp('formula: 10+10+7-3', { display_cards: [3, 7, 10, 10], target: 24 }).reward).toBe(5);
    expect(() => scoreGp('1', { target: 24 } as never)).toThrow(/needs integer `values`/);
  });
});

describe('scoreGp: Python json', () => {
  it('reads documents with NaN / Infinity as Python json.loads does (escapes decoded)', () => {
    const t = { values: [3, 7, 10, 10], target: 24 };
    expect(scoreGp('{"formula": "10+10+7-\\u0033", "x": NaN, "y": -Infinity}', t)).toMatchObject({ reward: 5, source: 'json' });
    expect(scoreGp('{"formula": "NaN Infinity", "x": NaN}', t)).toMatchObject({ reward: -3, source: 'json', formula: 'NaNInfinity' });
    expect(scoreGp('{"formula": "10+10+7-3", "x": NaNa}', t)).toMatchObject({ reward: 5, source: 'regex' });
  });
});

describe('gpParseMode', () => {
  it('is the reference parsing for the paper format and the lenient one for compact', async () => {
    const { gpParseMode } = await import('../../../src/nodes/gp/api.js');
    const t = { values: [3, 7, 10, 10], target: 24 };
    expect(scoreGp('10+10+7-3', t, { mode: gpParseMode('paper') }).reward).toBe(-3);
    expect(scoreGp('10+10+7-3', t, { mode: gpParseMode('compact') }).reward).toBe(5);
  });
});

describe('scoreGp: deep nesting', () => {
  it('evaluates up to 200 nested parentheses and treats more as a SyntaxError (−1), never overflowing', () => {
    const t = { values: [3, 7, 10, 10], target: 24 };
    const nest = (n: number) => '('.repeat(n) + '10+10+7-3' + ')'.repeat(n);
    expect(scoreGp(`formula: ${nest(200)}`, t).reward).toBe(5);
    expect(scoreGp(`formula: ${nest(201)}`, t)).toMatchObject({ reward: -1, reason: 'eval-error' });
    expect(scoreGp(`formula: ${'('.repeat(200000)}10+10+7-3`, t)).toMatchObject({ reward: -1 });
  });
});

describe('scoreGp: large inputs', () => {
  it('scores a megabyte of output and a 100k-digit number quickly', () => {
    const t = { values: [3, 7, 10, 10], target: 24 };
    expect(scoreGp('x'.repeat(1_000_000) + '\n"formula": "10+10+7-3"', t).reward).toBe(5);
    expect(scoreGp(`formula: ${'9'.repeat(100_000)}+10+7-3`, t).reward).toBe(-2);
    expect(scoreGp(`formula: ${'١'.repeat(50_000)}+10+7-3`, t).reward).toBe(-2);
  });
});
