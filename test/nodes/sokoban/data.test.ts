import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from '../../../src/cli/commands/run.js';
import { library } from '../../../src/nodes/index.js';
import { capture } from '../../cli/capture.js';
import { Rng } from '../../../src/util/rng.js';
import { solverTraceCot, verifyResponse } from '../../../src/nodes/sokoban/cot.js';
import { makeLevelLines } from '../../../src/nodes/sokoban/levels-node.js';
import { makeEvalEnvs } from '../../../src/nodes/sokoban/evalset-node.js';
import { readLevelRecords } from '../../../src/nodes/sokoban/level-record.js';
import { parseLevel } from '../../../src/nodes/sokoban/level.js';
import {
  assertPoolClean,
  builtinTestWords,
  generateBytePool,
  namedPool,
  poolByteCoverage,
  sampleVocab,
} from '../../../src/nodes/sokoban/pools.js';
import { parseAction } from '../../../src/nodes/sokoban/prompt.js';
import { buildRows, toRlRow } from '../../../src/nodes/sokoban/rows.js';
import { solveBfs } from '../../../src/nodes/sokoban/solver-bfs.js';
import { PAPER_EVAL_TAGS, SPLITS, normalizeWord, resolveSplit } from '../../../src/nodes/sokoban/splits.js';
import { WORD_POOL } from '../../../src/nodes/sokoban/word-pool.js';

const COMPACT = readFileSync(new URL('../../../pipelines/templates/sokoban-compact.txt', import.meta.url), 'utf8');
const PAPER = readFileSync(new URL('../../../pipelines/templates/sokoban-paper.txt', import.meta.url), 'utf8');

describe('diversity pools', () => {
  const testWords = new Set(builtinTestWords().map(normalizeWord));

  it('the word pool has ≥ 200 distinct words and no test word', () => {
    expect(new Set(WORD_POOL).size).toBeGreaterThanOrEqual(200);
    expect(() => assertPoolClean(WORD_POOL)).not.toThrow();
    expect(WORD_POOL.some((w) => testWords.has(normalizeWord(w)))).toBe(false);
  });

  it('the byte pool excludes every test word yet covers every ASCII test byte', () => {
    const pool = generateBytePool(1000, 3);
    expect(pool.length).toBe(1000);
    expect(new Set(pool.map(normalizeWord)).size).toBe(1000);
    expect(pool.some((w) => testWords.has(normalizeWord(w)))).toBe(false);
    const ascii = builtinTestWords().filter((w) => /^[\x20-\x7e]+$/.test(w));
    expect(poolByteCoverage(pool, ascii)).toEqual([]);
    expect(poolByteCoverage(WORD_POOL, ['1', 'A'])).toEqual(['31', '41']);
    expect(generateBytePool(50, 3)).toEqual(generateBytePool(50, 3));
  });

  it('a poisoned pool fails loudly, naming the word', () => {
    for (const poison of ['1', 'a', 'M', '*', 'North', 'up', '⬆', '⬆️', ' Right ']) {
      expect(() => assertPoolClean([...WORD_POOL, poison])).toThrow(/test vocabulary word/);
    }
    expect(() => assertPoolClean([...WORD_POOL, 'zebra2'], ['ZEBRA2'])).toThrow(/"zebra2"/);
    expect(() => assertPoolClean(['a b', 'c1', 'd1', 'e1'])).toThrow(/whitespace/);
  });

  it("sizes the generated 'bytes' pool (default 1000 words), still clean and distinct", () => {
    expect(namedPool('bytes', 1)).toHaveLength(1000);
    expect(namedPool('bytes', 1)).toEqual(generateBytePool(1000, 1));
    const big = namedPool('bytes', 1, 20000);
    expect(big).toHaveLength(20000);
    expect(new Set(big.map(normalizeWord)).size).toBe(20000);
    expect(() => assertPoolClean(big)).not.toThrow();
  });

  it('samples four words distinct up to case, deterministically', () => {
    const pool = namedPool('bytes', 1);
    const a = sampleVocab(pool, new Rng(9));
    expect(sampleVocab(pool, new Rng(9))).toEqual(a);
    expect(new Set(a.map(normalizeWord)).size).toBe(4);
    expect(() => sampleVocab(['a1', 'A1', 'b1', 'B1'], new Rng(1))).toThrow(/fewer than 4/);
  });

  it('without sharedLength, draws exactly the vocabularies it drew before the option existed (earlier data stays valid)', () => {
    const rng = new Rng(9);
    const drawn = [0, 1, 2].map(() => sampleVocab(namedPool('bytes', 1), rng));
    // Recorded with the code of commit b942388.
    expect(drawn).toEqual([
      ['1g', 'f\\}X~!', '2&r', '{B'],
      ['BR!$nt', '4Y', '6(83{', 'L$uW.'],
      ['uu,', 'l{CR2h', 'mv]Cx', 'qBd8\\\\'],
    ]);
  });

  it('with sharedLength, the four words have one length, every length about equally often', () => {
    const pool = namedPool('bytes', 1);
    const rng = new Rng(3);
    const counts = new Map<number, number>();
    for (let i = 0; i < 6000; i++) {
      const v = sampleVocab(pool, rng, true);
      const lengths = new Set(v.map((w) => [...w].length));
      expect(lengths.size).toBe(1);
      expect(new Set(v.map(normalizeWord)).size).toBe(4);
      const n = [...lengths][0]!;
      counts.set(n, (counts.get(n) ?? 0) + 1);
    }
    // The byte pool has words of 1–6 characters; each length is drawn ~1/6 of the time (binomial sd ≈ 29).
    expect([...counts.keys()].sort()).toEqual([1, 2, 3, 4, 5, 6]);
    for (const c of counts.values()) expect(Math.abs(c - 1000)).toBeLessThan(150);
    // Lengths with fewer than 4 distinct words are never drawn; none at all is an error.
    const skewed = ['ab', 'cd', 'ef', 'gh', 'xyz'];
    for (let i = 0; i < 50; i++) expect(sampleVocab(skewed, rng, true).every((w) => w.length === 2)).toBe(true);
    expect(() => sampleVocab(['a1', 'b22', 'c333', 'd4444'], rng, true)).toThrow(/no word length/);
  });
});

describe('solver-trace CoT', () => {
  it('names positions, the box to move and its target, then direction -> word', () => {
    const level = parseLevel(['######', '#@ $.#', '#    #', '######'].join('\n'));
    const plan = solveBfs(level).actions;
    const vocab = ['n1', 'n2', 'n3', 'n4'] as const;
    expect(solverTraceCot(level, plan, vocab, 'compact')).toBe(
      'player 1,1 boxes 1,3 targets 1,4\nbox 1,3 to 1,4: walk to 1,2, push Right\nRight -> n4',
    );
    const full = solverTraceCot(level, plan, vocab, 'full');
    expect(full).toContain('The player is at (1, 1).');
    expect(full).toContain('I must stand at (1, 2)');
    expect(full.endsWith('Right -> n4')).toBe(true);
  });

  it('verifyResponse rejects a wrong or unmappable answer', () => {
    const level = parseLevel('######\n#@ $.#\n######');
    const vocab = ['a1', 'b1', 'c1', 'd1'] as const;
    expect(verifyResponse(level, '<answer>d1</answer>', vocab, 'Right')).toBeNull();
    expect(verifyResponse(level, '<answer>c1</answer>', vocab, 'Right')).toMatch(/optimal action is Right/);
    expect(verifyResponse(level, '<answer>zz</answer>', vocab, 'Right')).toMatch(/no answer/);
  });
});

describe('dataset rows', () => {
  const lines = makeLevelLines(resolveSplit('SimpleSokoban'), 40, 1000);
  const levels = readLevelRecords(lines.join('\n'));

  it('levels JSONL holds seed, split, xsb, grid, optimal and BFS actions', () => {
    const first = JSON.parse(lines[0] as string);
    expect(Object.keys(first)).toEqual(['seed', 'split', 'xsb', 'grid', 'optimal', 'actions', 'promptVocab', 'envVocab']);
    expect(first.seed).toBe(1000);
    expect(first.actions.length).toBe(first.optimal);
    expect(solveBfs(parseLevel(first.xsb)).actions).toEqual(first.actions);
  });

  it('one row per visited state, labels = the BFS path, every CoT row verified', () => {
    const { rows, stats } = buildRows(levels, {
      template: COMPACT,
      response: 'cot',
      cotStyle: 'compact',
      diversity: { pool: namedPool('bytes', 0), variantsPerState: 3 },
      seed: 1,
      dataSource: 'sokoban_6x6_1horizon_random',
    });
    const states = lines.reduce((s, l) => s + (JSON.parse(l) as { optimal: number }).optimal, 0);
    expect(stats.states).toBe(states);
    expect(rows.length).toBe(states * 3);
    expect(stats.rejected).toBe(0);
    for (const row of rows) {
      const vocab = row.extra_info.vocab as unknown as readonly [string, string, string, string];
      const dir = parseAction(row.response, vocab);
      expect(dir).toBe(row.extra_info.action);
      expect(row.reward_model.ground_truth).toEqual([['Up', 'Down', 'Left', 'Right'].indexOf(dir as string) + 1]);
      expect(row.prompt.startsWith(`map: ${vocab[0]}=Up ${vocab[1]}=Down`)).toBe(true);
      expect(row.response).toContain(`${dir} -> ${vocab[['Up', 'Down', 'Left', 'Right'].indexOf(dir as string)]}`);
    }
    // Variants of one state carry different vocabularies.
    expect(new Set(rows.slice(0, 3).map((r) => r.extra_info.vocab.join()))).toHaveProperty('size', 3);
    const rl = toRlRow(rows[0]!);
    expect(rl.prompt).toEqual([{ role: 'user', content: rows[0]!.prompt }]);
    expect('response' in rl).toBe(false);
  });

  it('baseVariantsPerState adds rows that state the level\'s own vocabulary after the diverse ones', () => {
    const { rows, stats } = buildRows(levels.slice(0, 5), {
      template: COMPACT,
      response: 'cot',
      cotStyle: 'compact',
      diversity: { pool: namedPool('bytes', 0), variantsPerState: 2, baseVariantsPerState: 1 },
      seed: 1,
      dataSource: 'sokoban_6x6_1horizon_random',
    });
    expect(rows.length).toBe(stats.states * 3);
    const base = rows.filter((r) => r.extra_info.vocab.join() === 'Up,Down,Left,Right');
    expect(base.length).toBe(stats.states);
    for (let i = 0; i < rows.length; i += 3) {
      expect(rows[i + 2]!.extra_info.vocab).toEqual(['Up', 'Down', 'Left', 'Right']);
      expect(rows[i]!.extra_info.vocab).not.toEqual(['Up', 'Down', 'Left', 'Right']);
    }
  });

  it('detours add states one wrong move off the path, labelled with the optimal move from there; path rows unchanged', () => {
    const opts = { template: COMPACT, response: 'cot' as const, cotStyle: 'compact' as const, diversity: null, seed: 1, dataSource: 'x' };
    const plain = buildRows(levels.slice(0, 10), opts);
    const { rows, stats } = buildRows(levels.slice(0, 10), { ...opts, detours: 2 });
    const onPath = rows.filter((r) => r.extra_info.detour === undefined);
    expect(onPath).toEqual(plain.rows.map((r, i) => ({ ...r, extra_info: { ...r.extra_info, index: onPath[i]!.extra_info.index } })));
    const detours = rows.filter((r) => r.extra_info.detour !== undefined);
    expect(detours.length).toBe(stats.detours);
    expect(stats.detours).toBeGreaterThan(10);
    expect(stats.detours).toBeLessThanOrEqual(20);
    expect(stats.rejected).toBe(0);
    const gridOf = (prompt: string): string => prompt.split('\n').slice(1, -1).join('\n');
    const pathGrids = new Set(onPath.map((r) => gridOf(r.prompt)));
    for (const row of detours) {
      const grid = gridOf(row.prompt);
      expect(pathGrids.has(grid)).toBe(false);
      const solved = solveBfs(parseLevel(grid));
      expect(solved.solvable).toBe(true);
      expect(row.extra_info.action).toBe(solved.actions[0]);
      expect(row.extra_info.detour).not.toBe(row.extra_info.action);
    }
    // Deterministic in the seed.
    expect(buildRows(levels.slice(0, 10), { ...opts, detours: 2 }).rows).toEqual(rows);
  });

  it('answer-only rows with the paper template use the base vocabulary', () => {
    const { rows } = buildRows(levels.slice(0, 3), {
      template: PAPER,
      response: 'answer',
      cotStyle: 'full',
      diversity: null,
      seed: 1,
      dataSource: 'sokoban_6x6_1horizon',
    });
    expect(rows[0]!.response).toMatch(/^<\/think> <answer> (Up|Down|Left|Right) <\/answer>$/);
    expect(rows[0]!.prompt).toContain('[Current Observation]:\n');
  });
});

describe('sokoban.dataset detours in a pipeline', () => {
  it('refuses a negative or non-integer count at its place (exit 2, nothing run)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pipe-detours-'));
    const template = join(dir, 't.txt');
    writeFileSync(template, COMPACT);
    writeFileSync(
      join(dir, 'p.yaml'),
      [
        'name: detour-errors',
        'nodes:',
        '  levels: { kind: sokoban.levels, params: { count: 2 } }',
        '  neg:',
        '    kind: sokoban.dataset',
        '    inputs: { levels: levels.levels }',
        '    params: { template: t.txt, detours: -1 }',
        '  word:',
        '    kind: sokoban.dataset',
        '    inputs: { levels: levels.levels }',
        '    params: { template: t.txt, detours: lots }',
        '',
      ].join('\n'),
    );
    const r = await capture(runCommand, [join(dir, 'p.yaml'), '--store', join(dir, 'store')], { library });
    expect(r.code).toBe(2);
    expect(r.err).toContain("p.yaml:7:41 error: param 'detours' must be >= 0");
    expect(r.err).toContain("p.yaml:11:41 error: param 'detours' must be integer");
    expect(existsSync(join(dir, 'store'))).toBe(false);
  });
});

describe('evaluation set', () => {
  it('seeds are seedBase + global index in split order', () => {
    const splits = PAPER_EVAL_TAGS.slice(0, 3).map((t) => resolveSplit(t));
    const envs = makeEvalEnvs(splits, 4, 123);
    expect(envs.map((e) => e.seed)).toEqual([...Array(12).keys()].map((i) => 123 + i));
    expect(envs.map((e) => e.split)).toEqual(splits.flatMap((s) => Array(4).fill(s.name)));
    expect(envs[4]!.index).toBe(0);
    for (const e of envs) {
      const level = parseLevel(e.xsb);
      const split = SPLITS[e.split]!;
      expect([level.rows, level.cols, level.boxes.length]).toEqual([...split.size, split.boxes]);
      expect(solveBfs(level).actions.length).toBe(e.optimal);
    }
  });
});
