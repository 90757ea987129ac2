import { describe, expect, it } from 'vitest';
import {
  assertTrainingPool,
  cardSymbol,
  dealTask,
  FACE_MAPPINGS,
  faceCardMsg,
  GP_SPLITS,
  OOD_TEST_MAPPINGS,
  parseCard,
  rankValue,
  resolveFaceMapping,
  resolveGpSplit,
  scoreGp,
  TRAIN_MAPPINGS,
  trainingSpec,
} from '../../../src/nodes/gp/api.js';
import { bruteSolvable, evalExact, sortedKey } from './exact.js';

describe('cards and face mappings', () => {
  it('maps ranks to symbols and back', () => {
    expect([1, 2, 10, 11, 12, 13, 14, 19].map(cardSymbol)).toEqual(['A', '2', '10', 'J', 'Q', 'K', '14', '19']);
    expect(['A', 'j', '1', '10', 'K', '19'].map(parseCard)).toEqual([1, 11, 1, 10, 13, 19]);
    expect(() => parseCard('Z')).toThrow(/unknown card symbol 'Z'/);
    expect(() => parseCard('20')).toThrow(/out of range/);
    expect(() => parseCard('0')).toThrow(/out of range/);
    expect(() => cardSymbol(0)).toThrow(RangeError);
  });

  it('has the paper mappings with their values and messages', () => {
    expect(TRAIN_MAPPINGS).toEqual([
      'all_8', 'all_9', 'all_10', 'mixed_8_9_10', 'sequential_7_8_9', 'sequential_8_9_10', 'low_range_5_7_9', 'skip_6_8_10',
    ]);
    const jqk = (n: string) => {
      const m = resolveFaceMapping(n);
      return [m.J, m.Q, m.K];
    };
    expect(jqk('low_range_5_7_9')).toEqual([5, 7, 9]);
    expect(jqk('skip_6_8_10')).toEqual([6, 8, 10]);
    expect(jqk('sequential_7_8_9')).toEqual([7, 8, 9]);
    expect(jqk('face_as_regular')).toEqual([11, 12, 13]);
    expect(jqk('mixed_11_12_13')).toEqual([11, 12, 13]);
    expect(jqk('all_12')).toEqual([12, 12, 12]);
    expect(faceCardMsg(resolveFaceMapping('all_10'))).toBe("'J', 'Q', and 'K' all count as '10'");
    expect(faceCardMsg(resolveFaceMapping('mixed_8_9_10'))).toBe(
      "'J' counts as '8', 'Q' counts as '9', and 'K' counts as '10'",
    );
    expect(rankValue(12, resolveFaceMapping('skip_6_8_10'))).toBe(8);
    expect(rankValue(17, resolveFaceMapping('all_5'))).toBe(17);
    expect(() => resolveFaceMapping('all_14')).toThrow(/unknown face-card mapping 'all_14'/);
  });

  it('the training pool excludes every OOD test mapping, and a poisoned pool fails loudly', () => {
    expect(assertTrainingPool(TRAIN_MAPPINGS)).toHaveLength(8);
    for (const name of TRAIN_MAPPINGS) {
      const m = resolveFaceMapping(name);
      for (const t of OOD_TEST_MAPPINGS.map(resolveFaceMapping)) expect([m.J, m.Q, m.K]).not.toEqual([t.J, t.Q, t.K]);
    }
    for (const poison of [...OOD_TEST_MAPPINGS, 'mixed_11_12_13']) {
      expect(() => assertTrainingPool([...TRAIN_MAPPINGS, poison])).toThrow(/test mapping/);
    }
    // all_12 is a test mapping; all_11 and all_13 are not (the reference's 'diverse' preset uses them)
    expect(assertTrainingPool(['all_11', 'all_13', 'mixed_9_10_11'])).toHaveLength(3);
    expect(() => assertTrainingPool([])).toThrow(/empty/);
    expect(() => assertTrainingPool(['all_8', 'nope'])).toThrow(/unknown/);
    expect(Object.isFrozen(FACE_MAPPINGS)).toBe(true);
  });
});

describe('splits', () => {
  it('names every paper split and resolves reference names', () => {
    expect(GP_SPLITS.map((s) => s.name)).toEqual([
      'id', 'face_as_regular', 'all_5', 'all_7', 'all_12', 'fake', 'all_5_fake', 'large', 'five_cards',
    ]);
    expect(resolveGpSplit('test_5cards').name).toBe('five_cards');
    expect(resolveGpSplit('test_face_card_as_regular').name).toBe('face_as_regular');
    expect(resolveGpSplit('gp_l_all_5_fake').name).toBe('all_5_fake');
    expect(() => resolveGpSplit('all_6')).toThrow(/unknown GP split 'all_6' \(known: id, /);
  });

  it('deals every split as specified (forced cards, card range, prompt vs scoring values, solvable)', () => {
    for (const split of GP_SPLITS) {
      for (let i = 0; i < 60; i++) {
        const t = dealTask(split.name, 42 + i, { index: i });
        expect(t, `${split.name} #${i}`).not.toBeNull();
        if (t === null) continue;
        expect(t).toMatchObject({ split: split.name, index: i, seed: 42 + i, target: 24 });
        expect(t.cards).toHaveLength(split.numCards);
        expect(t.display_cards).toEqual(t.cards.map(cardSymbol));
        expect(t.cards.every((c) => c >= 1 && c <= split.largestCard)).toBe(true);
        if (split.forced === 'face') expect(t.cards.some((c) => c >= 11 && c <= 13)).toBe(true);
        if (split.forced === 'large') expect(t.cards.some((c) => c >= 14)).toBe(true);
        const pm = resolveFaceMapping(split.promptMapping as string);
        const sm = resolveFaceMapping(split.scoringMapping as string);
        expect(t.promptValues).toEqual(t.cards.map((c) => rankValue(c, pm)));
        expect(t.values).toEqual(t.cards.map((c) => rankValue(c, sm)));
        expect(bruteSolvable(t.values, 24)).toBe(true);
        const { value, numbers } = evalExact(t.solution);
        expect(value).toEqual({ n: 24n, d: 1n });
        expect(sortedKey(numbers)).toBe(sortedKey(t.values));
        expect(scoreGp(t.solution, t).reward).toBe(t.solutionScores ? 5 : -1);
      }
    }
    // Fake: the prompt says 11/12/13, a face card is scored as 10.
    const fake = dealTask('fake', 42) as NonNullable<ReturnType<typeof dealTask>>;
    const i = fake.cards.findIndex((c) => c >= 11 && c <= 13);
    expect(fake.values[i]).toBe(10);
    expect(fake.promptValues[i]).toBe(fake.cards[i]);
  });

  it('is a pure function of (split, seed) and varies with the seed', () => {
    expect(dealTask('large', 7)).toEqual(dealTask('large', 7));
    const hands = new Set(Array.from({ length: 40 }, (_, i) => dealTask('id', i)?.cards.join(',')));
    expect(hands.size).toBeGreaterThan(30);
  });

  it('skips a task after 51 unsolvable deals', () => {
    // 24 is unreachable with one card other than 24, so every deal fails.
    const spec = { ...trainingSpec('all_10', 2), numCards: 1 };
    expect(dealTask(spec, 1)).toBeNull();
    // With no re-deals allowed, some seeds of a real split are skipped; with 50, none of them is.
    const strict = Array.from({ length: 200 }, (_, i) => dealTask('id', i, { maxRedeals: 0 }));
    expect(strict.some((t) => t === null)).toBe(true);
    expect(Array.from({ length: 200 }, (_, i) => dealTask('id', i)).every((t) => t !== null)).toBe(true);
  });

  it("'scorable' deals only keep hands whose solution scores +5", () => {
    for (let i = 0; i < 300; i++) {
      const t = dealTask(trainingSpec('all_10'), i, { require: 'scorable' });
      expect(t?.solutionScores).toBe(true);
    }
  });
});
