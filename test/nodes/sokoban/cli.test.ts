import { describe, expect, it } from 'vitest';
import { runSokoban, type SokobanIo } from '../../../src/cli/commands/sokoban.js';
import { parseLevel } from '../../../src/nodes/sokoban/level.js';
import { solveBfs } from '../../../src/nodes/sokoban/solver-bfs.js';

function io(stdin: string[] = [], files: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const fake: SokobanIo = {
    lines: async function* () {
      yield* stdin;
    },
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    readFile: async (p) => {
      const f = files[p];
      if (f === undefined) throw Object.assign(new Error('missing'), { code: 'ENOENT' });
      return f;
    },
  };
  return { fake, out: () => out.join(''), err: () => err.join(''), lines: () => out.join('').trim().split('\n').map((l) => JSON.parse(l)) };
}

describe('pipe sokoban', () => {
  it('generate --jsonl writes {seed, grid, optimal} per level, deterministically', async () => {
    const a = io();
    expect(await runSokoban(['generate', '--size', '6x6', '--boxes', '1', '--count', '3', '--seed', '7', '--jsonl'], a.fake)).toBe(0);
    const lines = a.lines();
    expect(lines.map((l) => l.seed)).toEqual([7, 8, 9]);
    for (const l of lines) {
      expect(Object.keys(l)).toEqual(['seed', 'grid', 'optimal']);
      expect(solveBfs(parseLevel(l.grid)).actions.length).toBe(l.optimal);
    }
    const b = io();
    await runSokoban(['generate', '--size', '6x6', '--boxes', '1', '--count', '3', '--seed', '7', '--jsonl'], b.fake);
    expect(b.out()).toBe(a.out());
  });

  it('solve --batch solves each line; a bad line gets an error object, the rest continue, exit 2', async () => {
    const good = '#####\n#@$.#\n#####';
    const c = io([
      JSON.stringify({ grid: good }),
      '{not json',
      JSON.stringify({ grid: '#####\n#@$Q#\n#####' }),
      JSON.stringify({ nope: 1 }),
      JSON.stringify({ grid: ' # \t P \t X \t O \t # \t' }),
      JSON.stringify({ grid: '######\n#@$$.#\n######' }),
    ]);
    expect(await runSokoban(['solve', '--batch', '--solver', 'bfs'], c.fake)).toBe(2);
    const lines = c.lines();
    expect(lines[0]).toMatchObject({ grid: good, solvable: true, actions: ['Right'], length: 1 });
    expect(typeof lines[0].expanded).toBe('number');
    expect(typeof lines[0].ms).toBe('number');
    expect(lines[1]).toMatchObject({ line: 2 });
    expect(lines[1].error).toMatch(/malformed JSON/);
    expect(lines[2]).toMatchObject({ line: 3, error: "grid line 2, column 4: unknown symbol 'Q' (XSB symbols are # @ + $ * . space - _)" });
    expect(lines[3].error).toMatch(/"grid" string/);
    expect(lines[4]).toMatchObject({ solvable: true, actions: ['Right'] });
    expect(lines[5]).toMatchObject({ line: 6, error: 'grid 2 box(es) but 1 target(s); they must be equal' });
    expect(c.err()).toMatch(/4 bad input/);
  });

  it('solve --level reads a file (and every level of a collection); errors name file:line:col', async () => {
    const files = { 'a.xsb': '#####\n#@$.#\n#####\n', 'bad.xsb': '#####\n#@$.#\n#  ?#\n#####', 'many.txt': 'L1\n#####\n#@$.#\n#####\n\nL2\n######\n#@ $.#\n######\n' };
    const a = io([], files);
    expect(await runSokoban(['solve', '--level', 'a.xsb'], a.fake)).toBe(0);
    expect(a.lines()[0]).toMatchObject({ solvable: true, length: 1 });
    const b = io([], files);
    expect(await runSokoban(['solve', '--level', 'bad.xsb'], b.fake)).toBe(2);
    expect(b.err()).toMatch(/bad\.xsb:3:4: unknown symbol '\?'/);
    const m = io([], files);
    expect(await runSokoban(['solve', '--level', 'many.txt', '--solver', 'astar'], m.fake)).toBe(0);
    expect(m.lines().map((l) => [l.level, l.length])).toEqual([[2, 1], [7, 2]]);
    const missing = io([], files);
    expect(await runSokoban(['solve', '--level', 'nope.xsb'], missing.fake)).toBe(2);
    expect(missing.err()).toMatch(/cannot read nope\.xsb: ENOENT/);
  });

  it('render, stats and play (scripted)', async () => {
    const r = io();
    expect(await runSokoban(['render', '--seed', '3', '--size', '6x6'], r.fake)).toBe(0);
    const rendered = r.lines()[0];
    expect(parseLevel(rendered.xsb).boxes).toEqual(parseLevel(rendered.grid).boxes);
    const s = io();
    expect(await runSokoban(['stats', '--size', '6x6', '--boxes', '1', '--count', '50'], s.fake)).toBe(0);
    const stats = s.lines()[0];
    expect(stats.count).toBe(50);
    expect(stats.meanOptimal).toBeGreaterThan(1);
    expect(stats.wallDensity).toBeGreaterThan(0.3);
    const p = io(['Right'], { 'l.xsb': '#####\n#@$.#\n#####' });
    expect(await runSokoban(['play', '--level', 'l.xsb'], p.fake)).toBe(0);
    expect(p.lines()[0]).toMatchObject({ action: 'Right', success: true, done: true });
    // Piped letters mean what the terminal keys mean (d is Right, as on the screen and in the help).
    const d = io(['d'], { 'l.xsb': '#####\n#@$.#\n#####' });
    expect(await runSokoban(['play', '--level', 'l.xsb'], d.fake)).toBe(0);
    expect(d.lines()[0]).toMatchObject({ action: 'Right', success: true });
    const u = io(['u'], { 'l.xsb': '#####\n#@$.#\n#####' });
    expect(await runSokoban(['play', '--level', 'l.xsb'], u.fake)).toBe(2);
    expect(u.lines()[0]).toEqual({ line: 1, error: "unknown move 'u' (arrow keys or w a s d: w Up, a Left, s Down, d Right)" });
  });

  it('bad arguments exit 2 with a message', async () => {
    for (const args of [['generate', '--size', 'big'], ['generate', '--boxes', '0'], ['solve'], ['solve', '--batch', '--solver', 'dfs'], ['frobnicate'], ['generate', '--wat']]) {
      const x = io();
      expect(await runSokoban(args, x.fake)).toBe(2);
      expect(x.err()).not.toBe('');
    }
  });
});
