import { describe, expect, it } from 'vitest';
import { runGp } from '../../../src/cli/commands/gp.js';

async function gp(args: string[], stdin: string[] = []) {
  let out = '';
  let err = '';
  const code = await runGp(args, {
    lines: async function* () {
      yield* stdin;
    },
    out: (t) => void (out += t),
    err: (t) => void (err += t),
  });
  const json = args.includes('--text')
    ? []
    : out
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { code, out, err, json };
}

describe('pipe gp solve', () => {
  it('solves one hand given as symbols, with the face mapping', async () => {
    const r = await gp(['solve', '--cards', 'A,5,K,10']);
    expect(r.code).toBe(0);
    expect(r.json[0]).toMatchObject({ cards: ['A', '5', 'K', '10'], values: [1, 5, 10, 10], solvable: true, scores: true });
    const reg = await gp(['solve', '--cards', 'K,K,K,K', '--faces', 'face_as_regular']);
    expect(reg.json[0]).toMatchObject({ values: [13, 13, 13, 13], solvable: false, formula: null });
    const t = await gp(['solve', '--cards', '2 2', '--target', '4']);
    expect(t.json[0]).toMatchObject({ solvable: true, target: 4 });
  });

  it('--batch: one result per line; a bad line gives an error object naming it, the rest continue, exit 2', async () => {
    const r = await gp(
      ['solve', '--batch'],
      [
        '{"cards": [1, 5, 13, 10], "target": 24}',
        '{"cards": ["A", "A", "A", "A"]}',
        'not json',
        '',
        '{"cards": ["A", "X", 3, 4]}',
        '{"cards": [1, 2, 3, 20]}',
        '{"cards": [3, 3, 8, 8]}',
        '{"cards": [11, 12, 13, 1], "faces": "face_as_regular"}',
      ],
    );
    expect(r.code).toBe(2);
    expect(r.json).toHaveLength(7);
    expect(r.json[0]).toMatchObject({ cards: [1, 5, 13, 10], solvable: true });
    expect(r.json[1]).toMatchObject({ solvable: false, formula: null });
    expect(r.json[2]).toMatchObject({ line: 3 });
    expect(String(r.json[2]?.['error'])).toMatch(/malformed JSON/);
    expect(r.json[3]).toMatchObject({ line: 5 });
    expect(String(r.json[3]?.['error'])).toMatch(/unknown card symbol 'X'/);
    expect(String(r.json[4]?.['error'])).toMatch(/card 20 is out of range 1..19/);
    expect(r.json[5]).toMatchObject({ solvable: true, formula: '8/(3-8/3)', scores: false });
    expect(r.json[6]).toMatchObject({ values: [11, 12, 13, 1], solvable: true });
    expect(r.err).toContain('line 3');
    const ok = await gp(['solve', '--batch'], ['{"cards": [4, 6, 1, 1]}']);
    expect(ok.code).toBe(0);
  });

  it('rejects bad arguments with exit 2', async () => {
    for (const args of [
      ['solve', '--cards', 'A,5,Z,10'],
      ['solve'],
      ['solve', '--cards', 'A,5', '--faces', 'all_99'],
      ['solve', '--cards', 'A,5', '--target', 'x'],
      ['solve', '--bogus'],
      ['frobnicate'],
      [],
    ]) {
      const r = await gp(args);
      expect(r.code, args.join(' ')).toBe(2);
    }
    expect((await gp(['solve', '--cards', 'A,5,Z,10'])).err).toMatch(/unknown card symbol 'Z'/);
  });
});

describe('pipe gp deal / score', () => {
  it('deals count tasks with consecutive seeds', async () => {
    const r = await gp(['deal', '--split', 'large', '--count', '5', '--seed', '100']);
    expect(r.code).toBe(0);
    expect(r.json.map((t) => t['seed'])).toEqual([100, 101, 102, 103, 104]);
    expect(r.json.every((t) => (t['cards'] as number[]).some((c) => c >= 14))).toBe(true);
    expect((await gp(['deal', '--split', 'nope'])).code).toBe(2);
    expect((await gp(['deal'])).code).toBe(2);
    expect((await gp(['deal', '--split', 'id', '--count', '0'])).code).toBe(2);
  });

  it('scores a formula or a whole output with the paper reward', async () => {
    const s = async (formula: string, extra: string[] = []) =>
      (await gp(['score', '--cards', '3,7,Q,J', '--formula', formula, ...extra])).json[0];
    expect(await s('10+10+(7-3)')).toMatchObject({ reward: 5, valid: true, reason: 'correct' });
    expect(await s('{"formula": "10*10+7-3"}')).toMatchObject({ reward: -1, valid: true });
    expect(await s('10+10+4')).toMatchObject({ reward: -2, valid: false });
    expect(await s('10+10+(7-3)', ['--faces', 'face_as_regular'])).toMatchObject({ reward: -2 });
    expect(await s('ten')).toMatchObject({ reward: -3, valid: false });
    expect((await gp(['score', '--cards', '3,7'])).code).toBe(2);
  });
});

describe('pipe gp limits', () => {
  it('refuses more than six cards', async () => {
    const r = await gp(['solve', '--cards', '1,2,3,4,5,6,7']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/at most 6 cards/);
  });
});

describe('pipe gp render', () => {
  it('shows the prompt and the training response of a task', async () => {
    const r = await gp(['render', '--split', 'all_7', '--seed', '5', '--response', 'cot']);
    expect(r.code).toBe(0);
    const o = r.json[0] as { prompt: string; response: string; split: string };
    expect(o.split).toBe('all_7');
    expect(o.prompt).toMatch(/^cards: .*\nJ=7 Q=7 K=7\n$/);
    expect(o.response).toMatch(/^values: /);
    const paper = await gp(['render', '--split', 'fake', '--template', 'pipelines/templates/gp-paper.txt', '--text']);
    expect(paper.out).toContain("Note that 'J' counts as '11', 'Q' counts as '12', and 'K' counts as '13'");
    expect(paper.out).toContain('"formula": "');
    expect((await gp(['render', '--split', 'id', '--template', '/nonexistent.txt'])).code).toBe(2);
    expect((await gp(['render', '--split', 'id', '--response', 'essay'])).code).toBe(2);
  });
});
