import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/util/rng.js';
import { SokobanEnv } from '../../../src/nodes/sokoban/env.js';
import { generateLevel, generateRoom } from '../../../src/nodes/sokoban/generator.js';
import { parseLevel, tryParseLevel } from '../../../src/nodes/sokoban/level.js';
import { solveAstar } from '../../../src/nodes/sokoban/solver-astar.js';
import { solveBfs } from '../../../src/nodes/sokoban/solver-bfs.js';
import type { Direction, Level } from '../../../src/nodes/sokoban/types.js';

function replaySolves(level: Level, actions: readonly Direction[]): boolean {
  const env = SokobanEnv.fromLevel(level, { maxSteps: Math.max(1, actions.length) });
  let success = false;
  for (const a of actions) success = env.step(a).success;
  return success;
}

describe('solvers', () => {
  it('BFS returns the first shortest path in Up, Down, Left, Right order', () => {
    const level = parseLevel(['#######', '#     #', '#@ $ .#', '#     #', '#######'].join('\n'));
    const bfs = solveBfs(level);
    expect(bfs.actions).toEqual(['Right', 'Right', 'Right']);
    // Two shortest solutions, around the wall above or below: Up comes first.
    const detour = parseLevel(['#######', '#     #', '#@# $.#', '#     #', '#######'].join('\n'));
    expect(solveBfs(detour).actions).toEqual(['Up', 'Right', 'Right', 'Down', 'Right']);
    expect(solveAstar(detour).actions.length).toBe(5);
  });

  it('reports unsolvable levels and limits distinctly', () => {
    const corner = parseLevel(['#####', '#$  #', '#  .#', '# @ #', '#####'].join('\n'));
    expect(solveBfs(corner)).toMatchObject({ solvable: false, status: 'unsolvable' });
    expect(solveAstar(corner)).toMatchObject({ solvable: false, status: 'unsolvable' });
    const far = parseLevel('#########\n#@$    .#\n#########');
    expect(solveBfs(far, { maxDepth: 3 })).toMatchObject({ solvable: false, status: 'limit' });
    expect(solveAstar(far, { maxDepth: 3 })).toMatchObject({ solvable: false, status: 'limit' });
    expect(solveBfs(far, { maxExpansions: 2 })).toMatchObject({ status: 'limit' });
    expect(solveAstar(far).actions.length).toBe(5);
  });

  it('solves levels whose floor touches the board edge', () => {
    const open = parseLevel('@$ .');
    expect(solveBfs(open).actions).toEqual(['Right', 'Right']);
    expect(solveAstar(open).actions).toEqual(['Right', 'Right']);
  });

  it('1,000 generated 6x6 one-box levels: solvable within 30 steps, BFS and A* agree, solutions replay', () => {
    let total = 0;
    for (let seed = 0; seed < 1000; seed++) {
      const { level, optimal } = generateLevel({ size: [6, 6], boxes: 1, seed });
      const bfs = solveBfs(level);
      const astar = solveAstar(level);
      expect(bfs.solvable).toBe(true);
      expect(bfs.actions.length).toBeLessThanOrEqual(30);
      expect(astar.actions.length).toBe(bfs.actions.length);
      expect(optimal).toBe(bfs.actions.length);
      if (seed % 10 === 0) {
        expect(replaySolves(level, bfs.actions)).toBe(true);
        expect(replaySolves(level, astar.actions)).toBe(true);
      }
      total += optimal;
    }
    expect(total / 1000).toBeGreaterThan(2);
  });

  it('A* agrees with BFS on random multi-box levels (generated rooms, no solvability filter)', () => {
    const rng = new Rng(7);
    let compared = 0;
    let unsolvable = 0;
    for (let i = 0; i < 400 && compared < 150; i++) {
      const size = rng.range(5, 8);
      const boxes = rng.range(2, 3);
      const level = generateRoom(rng, size, size, boxes);
      if (level === null) continue;
      // Scramble the player, and half the time the boxes, to get unsolvable and deadlocked positions too.
      const free = [...level.walls.keys()].filter((c) => level.walls[c] === 0 && !level.boxes.includes(c));
      let scrambled: Level = { ...level, player: rng.choice(free) };
      const cells = rng.sample(free, Math.min(free.length, boxes + 1));
      if (i % 2 === 0 && cells.length === boxes + 1) {
        scrambled = { ...level, player: cells[0]!, boxes: cells.slice(1).sort((a, b) => a - b) };
      }
      const bfs = solveBfs(scrambled, { maxExpansions: 300_000 });
      if (bfs.status === 'limit') continue;
      const astar = solveAstar(scrambled);
      expect(astar.status).toBe(bfs.status);
      expect(astar.actions.length).toBe(bfs.actions.length);
      if (astar.solvable) expect(replaySolves(scrambled, astar.actions)).toBe(true);
      if (!bfs.solvable) unsolvable++;
      compared++;
    }
    expect(compared).toBeGreaterThan(100);
    expect(unsolvable).toBeGreaterThan(20);
  });

  it('never crash on arbitrary parsed boards (open edges, many boxes) and agree when both finish', () => {
    const cell = fc.constantFrom('#', ' ', ' ', ' ', '$', '.', '*', '@', '+');
    const board = fc.array(fc.array(cell, { minLength: 1, maxLength: 7 }), { minLength: 1, maxLength: 6 });
    let checked = 0;
    fc.assert(
      fc.property(board, (rows) => {
        const r = tryParseLevel(rows.map((row) => row.join('')).join('\n'));
        if (!r.ok) return;
        const bfs = solveBfs(r.level, { maxExpansions: 3000 });
        const astar = solveAstar(r.level, { maxExpansions: 3000 });
        if (bfs.status !== 'limit' && astar.status !== 'limit') {
          checked++;
          expect(astar.status).toBe(bfs.status);
          expect(astar.actions.length).toBe(bfs.actions.length);
          if (bfs.solvable && bfs.actions.length > 0) expect(replaySolves(r.level, bfs.actions)).toBe(true);
        }
      }),
      { numRuns: 4000 },
    );
    expect(checked).toBeGreaterThan(50);
  });

  it('A* solves 10x10 levels with 4 boxes', () => {
    for (let seed = 0; seed < 5; seed++) {
      const { level, optimal } = generateLevel({ size: [10, 10], boxes: 4, seed });
      const r = solveAstar(level);
      expect(r.solvable).toBe(true);
      expect(r.actions.length).toBe(optimal);
      expect(replaySolves(level, r.actions)).toBe(true);
    }
  });
});

describe('generateLevel', () => {
  it('is deterministic per seed and honours size and box count', () => {
    const a = generateLevel({ size: [7, 9], boxes: 2, seed: 5 });
    const b = generateLevel({ size: [7, 9], boxes: 2, seed: 5 });
    expect(b.level).toEqual(a.level);
    expect([a.level.rows, a.level.cols, a.level.boxes.length]).toEqual([7, 9, 2]);
    const c = generateLevel({ size: [7, 9], boxes: 2, seed: 6 });
    expect(c.level).not.toEqual(a.level);
    // Border is wall; boxes start off their targets.
    const { rows, cols, walls } = a.level;
    for (let c2 = 0; c2 < cols; c2++) expect([walls[c2], walls[(rows - 1) * cols + c2]]).toEqual([1, 1]);
    expect(a.level.boxes.some((bx) => a.level.targets[bx] !== 1)).toBe(true);
  });

  it('rejects impossible requests with a clear error', () => {
    expect(() => generateLevel({ size: [3, 3], boxes: 1, seed: 1 })).toThrow(/size/);
    expect(() => generateLevel({ size: [5, 5], boxes: 0, seed: 1 })).toThrow(/boxes/);
    expect(() => generateLevel({ size: [4, 4], boxes: 4, seed: 1, maxAttempts: 5 })).toThrow(/could not generate/);
  });
});
