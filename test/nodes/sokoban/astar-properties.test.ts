import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/util/rng.js';
import { SokobanEnv } from '../../../src/nodes/sokoban/env.js';
import { generateRoom } from '../../../src/nodes/sokoban/generator.js';
import { parseLevel } from '../../../src/nodes/sokoban/level.js';
import { enclose } from '../../../src/nodes/sokoban/enclose.js';
import { solveAstar, type AstarStats } from '../../../src/nodes/sokoban/solver-astar.js';
import { solveBfs } from '../../../src/nodes/sokoban/solver-bfs.js';
import { analyzePushes, boxCost, hungarian, minMatching, sideComponents } from '../../../src/nodes/sokoban/push-analysis.js';
import { FreezeCheck } from '../../../src/nodes/sokoban/astar-deadlock.js';
import { BucketQueue } from '../../../src/nodes/sokoban/astar-open-list.js';
import { StateStore } from '../../../src/nodes/sokoban/state-store.js';
import type { Direction, Level } from '../../../src/nodes/sokoban/types.js';

/** Replays actions; returns whether the level ends solved and how many pushes were made. */
function replay(level: Level, actions: readonly Direction[]): { success: boolean; pushes: number } {
  const env = SokobanEnv.fromLevel(level, { maxSteps: Math.max(1, actions.length) });
  let success = false;
  let pushes = 0;
  for (const a of actions) {
    const r = env.step(a);
    success = r.success;
    if (r.pushed) pushes++;
  }
  return { success, pushes };
}

/** A generated room with the player and (sometimes) the boxes moved to random free cells. */
function randomPosition(seed: number, size: number, boxes: number, scrambleBoxes: boolean): Level | null {
  const rng = new Rng(seed);
  const level = generateRoom(rng, size, size, boxes);
  if (level === null) return null;
  const free = [...level.walls.keys()].filter((c) => level.walls[c] === 0 && !level.boxes.includes(c));
  if (free.length < boxes + 1) return null;
  if (!scrambleBoxes) return { ...level, player: rng.choice(free) };
  const cells = rng.sample(free, boxes + 1);
  return { ...level, player: cells[0]!, boxes: cells.slice(1).sort((a, b) => a - b) };
}

describe('A* optimality (property: equals BFS on random small multi-box levels)', () => {
  it('same status and optimal length as BFS; A* solutions replay and are optimal', () => {
    let compared = 0;
    let solvedMulti = 0;
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 30 }),
        fc.integer({ min: 5, max: 7 }),
        fc.integer({ min: 2, max: 4 }),
        fc.boolean(),
        (seed, size, boxes, scramble) => {
          const level = randomPosition(seed, size, boxes, scramble);
          if (level === null) return;
          const bfs = solveBfs(level, { maxExpansions: 150_000 });
          if (bfs.status === 'limit') return;
          const astar = solveAstar(level);
          compared++;
          expect(astar.status).toBe(bfs.status);
          expect(astar.actions.length).toBe(bfs.actions.length);
          if (astar.solvable && astar.actions.length > 0) {
            expect(replay(level, astar.actions).success).toBe(true);
            solvedMulti++;
          }
        },
      ),
      { numRuns: 300, seed: 20261122 },
    );
    expect(compared).toBeGreaterThan(150);
    expect(solvedMulti).toBeGreaterThan(40);
  });

  it('agrees with BFS on crafted levels that need walking around, re-opening and frozen boxes on targets', () => {
    const levels = [
      // Box on a target in a corner; the other box needs walking around.
      ['#######', '#*   .#', '#  $@ #', '#     #', '#######'],
      // Two boxes in a corridor that must be pushed in order; long walks between pushes.
      ['########', '#.  $  #', '# ## # #', '#.  $ @#', '########'],
      // A 2x2-block risk next to targets.
      ['######', '#.  .#', '# $$ #', '#  @ #', '######'],
      // Two boxes around a pillar, targets on both sides of the player.
      ['#######', '#     #', '# #$# #', '# .@. #', '#  $  #', '#     #', '#######'],
    ];
    for (const rows of levels) {
      const level = parseLevel(rows.join('\n'));
      const bfs = solveBfs(level);
      const astar = solveAstar(level);
      expect(bfs.status).toBe('solved');
      expect(astar.actions.length).toBe(bfs.actions.length);
      expect(replay(level, astar.actions).success).toBe(true);
    }
  });

  it('boxes frozen on targets at the start become walls; a start in a freeze deadlock is unsolvable at once', () => {
    // The 2x2 block on targets in the corner never moves; the free box must go around it.
    const walled = parseLevel(['#######', '#**   #', '#**   #', '#   $ #', '#.  @ #', '#######'].join('\n'));
    const bfs = solveBfs(walled);
    const astar = solveAstar(walled);
    expect(bfs.status).toBe('solved');
    expect(astar.actions.length).toBe(bfs.actions.length);
    expect(replay(walled, astar.actions).success).toBe(true);
    const stuck = parseLevel(['#######', '#$*  .#', '#  @  #', '#######'].join('\n'));
    expect(solveBfs(stuck).status).toBe('unsolvable');
    expect(solveAstar(stuck)).toMatchObject({ status: 'unsolvable', expanded: 0 });
  });

  it('reports search statistics and respects the expansion cap', () => {
    const level = parseLevel(['#######', '#     #', '# #$# #', '# .@. #', '#  $  #', '#     #', '#######'].join('\n'));
    let stats: AstarStats | undefined;
    const r = solveAstar(level, { onStats: (s) => (stats = s) });
    expect(r.status).toBe('solved');
    expect(stats).toBeDefined();
    expect(stats!.expanded).toBe(r.expanded);
    expect(stats!.nodes).toBeGreaterThan(r.expanded);
    expect(stats!.bytes).toBeGreaterThan(0);
    expect(solveAstar(level, { maxExpansions: 1 })).toMatchObject({ status: 'limit', expanded: 1 });
  });
});

describe('push analysis', () => {
  it('player-aware distances: a box cannot be pushed from a pocket only reachable through its own cell', () => {
    // Pushing the box up twice would reach the target if the player could stand in the pocket below it, but the
    // pocket's only way in is the box's cell: a teleporting-player distance says 2, the true answer is never.
    const rows = ['#######', '#  .  #', '### ###', '#@ $  #', '### ###', '  ###'];
    const level = enclose(parseLevel(rows.join('\n')));
    const a = analyzePushes(level);
    const box = level.boxes[0]!;
    // Over all sides the minimum is 2 (from the pocket), but from where the player is, never.
    expect(a.pushDist[0]![box]).toBe(2);
    expect(boxCost(a, 0, box, level.player)).toBe(Number.POSITIVE_INFINITY);
    expect(solveBfs(parseLevel(rows.join('\n'))).status).toBe('unsolvable');
    expect(solveAstar(parseLevel(rows.join('\n')))).toMatchObject({ status: 'unsolvable', expanded: 0 });
    // One row lower the pocket opens to the corridor: distance 2.
    const open = enclose(parseLevel(['#######', '#  .  #', '### ###', '#@ $  #', '#     #', '#######'].join('\n')));
    expect(analyzePushes(open).pushDist[0]![open.boxes[0]!]).toBe(2);
  });

  it('distances are lower bounds on the pushes of any solution (one-box levels, BFS solutions)', () => {
    let checked = 0;
    for (let seed = 0; seed < 300; seed++) {
      const level = randomPosition(seed, 6, 1, seed % 2 === 0);
      if (level === null) continue;
      const bfs = solveBfs(level);
      const framed = enclose(level);
      const a = analyzePushes(framed);
      const d = a.pushDist[0]![framed.boxes[0]!]!;
      if (!bfs.solvable) continue;
      checked++;
      expect(d).toBeLessThanOrEqual(replay(level, bfs.actions).pushes);
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('side components join the sides of a cell that connect around it', () => {
    const level = enclose(parseLevel(['#####', '#  .#', '# @ #', '#  $#', '#####'].join('\n')));
    const c = level.player;
    const sides = sideComponents(level);
    // Open 3x3 room: all four sides of the centre connect around it.
    expect(new Set([0, 1, 2, 3].map((a) => sides[c * 4 + a])).size).toBe(1);
    const corridor = enclose(parseLevel(['######', '# @$.#', '######'].join('\n')));
    const s2 = sideComponents(corridor);
    const p = corridor.player;
    expect([s2[p * 4], s2[p * 4 + 1]]).toEqual([-1, -1]); // walls above and below
    expect(s2[p * 4 + 2]).not.toBe(s2[p * 4 + 3]); // left and right are cut apart by the cell
  });

  it('the Hungarian method equals the bitmask DP and brute force on random (rectangular) cost tables', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }).chain((rows) =>
          fc.integer({ min: rows, max: 6 }).chain((cols) =>
            fc.array(fc.array(fc.oneof(fc.integer({ min: 0, max: 30 }), fc.constant(Infinity)), { minLength: cols, maxLength: cols }), {
              minLength: rows,
              maxLength: rows,
            }),
          ),
        ),
        (table) => {
          const rows = table.length;
          const cols = table[0]!.length;
          const flat = Float64Array.from(table.flat());
          const dp = minMatching(flat, rows, cols); // cols <= 6: bitmask DP
          expect(hungarian(flat, rows, cols)).toBe(dp);
          let best = Infinity;
          const perm = (i: number, used: number, sum: number): void => {
            if (i === rows) best = Math.min(best, sum);
            else for (let t = 0; t < cols; t++) if (!((used >> t) & 1)) perm(i + 1, used | (1 << t), sum + table[i]![t]!);
          };
          perm(0, 0, 0);
          expect(dp).toBe(best);
        },
      ),
      { numRuns: 400, seed: 7 },
    );
  });

  it('A* agrees with BFS on levels with more targets than boxes (built directly, not parsed)', () => {
    let compared = 0;
    for (let seed = 0; seed < 60; seed++) {
      const base = randomPosition(seed, 6, 2, seed % 2 === 0);
      if (base === null) continue;
      const free = [...base.walls.keys()].filter((c) => base.walls[c] === 0 && base.targets[c] === 0);
      const targets = Uint8Array.from(base.targets);
      targets[free[seed % free.length]!] = 1; // one spare target
      const level: Level = { ...base, targets };
      const bfs = solveBfs(level, { maxExpansions: 100_000 });
      if (bfs.status === 'limit') continue;
      const astar = solveAstar(level);
      expect(astar.status).toBe(bfs.status);
      expect(astar.actions.length).toBe(bfs.actions.length);
      compared++;
    }
    expect(compared).toBeGreaterThan(30);
  });
});

describe('freeze deadlocks are sound', () => {
  it('every position reported frozen off target is unsolvable by BFS', () => {
    let deadlocks = 0;
    let frozenOnTargets = 0;
    for (let seed = 0; seed < 400; seed++) {
      const level = randomPosition(seed, 6, 3, true);
      if (level === null) continue;
      const framed = enclose(level);
      const a = analyzePushes(framed);
      const boxAt = new Int32Array(framed.walls.length).fill(-1);
      for (const b of framed.boxes) boxAt[b] = 1;
      const check = new FreezeCheck(framed.walls, framed.targets, a.dead, framed.cols, boxAt);
      const anyDead = framed.boxes.some((b) => check.isDeadlocked(b, 1));
      if (!anyDead) continue;
      deadlocks++;
      const bfs = solveBfs(level, { maxExpansions: 200_000 });
      expect(bfs.status).not.toBe('solved');
    }
    expect(deadlocks).toBeGreaterThan(20);
    // A 2x2 block entirely on targets is frozen but not a deadlock.
    const solvedBlock = enclose(parseLevel(['######', '#**  #', '#**@ #', '######'].join('\n')));
    const boxAt = new Int32Array(solvedBlock.walls.length).fill(-1);
    for (const b of solvedBlock.boxes) boxAt[b] = 1;
    const check = new FreezeCheck(solvedBlock.walls, solvedBlock.targets, analyzePushes(solvedBlock).dead, solvedBlock.cols, boxAt);
    for (const b of solvedBlock.boxes) if (!check.isDeadlocked(b, 1)) frozenOnTargets++;
    expect(frozenOnTargets).toBe(4);
    // The same block with one box off target is a deadlock, found from any of its boxes.
    const offBlock = enclose(parseLevel(['#######', '#*$  .#', '#**@  #', '#######'].join('\n')));
    const at2 = new Int32Array(offBlock.walls.length).fill(-1);
    for (const b of offBlock.boxes) at2[b] = 1;
    const check2 = new FreezeCheck(offBlock.walls, offBlock.targets, analyzePushes(offBlock).dead, offBlock.cols, at2);
    expect(offBlock.boxes.every((b) => check2.isDeadlocked(b, 1))).toBe(true);
  });
});

describe('A* data structures', () => {
  it('bucket queue pops the smallest f, then the smallest h, newest first', () => {
    const q = new BucketQueue(2);
    const entries: [number, number, number][] = [
      [0, 10, 4],
      [1, 9, 9],
      [2, 10, 2],
      [3, 10, 2],
      [4, 200, 150],
      [5, 9, 3],
    ];
    for (const [id, f, h] of entries) q.push(id, f, h);
    const out: number[] = [];
    while (q.size > 0) out.push(q.pop());
    expect(out).toEqual([5, 1, 3, 2, 0, 4]);
    q.push(7, 3, 1);
    q.push(8, 1, 0); // a lower f after pops (inconsistent heuristics re-open nodes)
    expect([q.pop(), q.lastH, q.pop()]).toEqual([8, 0, 7]);
  });

  it('state store: byte and 16-bit modes, replace-on-index, growth and rehash', () => {
    for (const maxValue of [255, 4000]) {
      const s = new StateStore(3, 2, { maxValue, maxLoad: 0.75 });
      const states: number[][] = [];
      for (let i = 0; i < 500; i++) states.push([i % 200, (i * 7) % 251, Math.floor(i / 2) % 255]);
      const ids = states.map((st, i) => {
        const known = s.lookup(st);
        if (known !== -1) return known;
        const id = s.append(st);
        // Alternate the two ways of indexing (the probe-reusing one must survive growth and rehashes).
        if (i % 2 === 0) s.indexLookedUp(id);
        else s.index(id);
        return id;
      });
      for (const [i, st] of states.entries()) expect(s.lookup(st)).toBe(ids[i]);
      expect(s.lookup([254, 254, 254])).toBe(-1);
      const again = s.append(states[3]!);
      s.index(again);
      expect(s.lookup(states[3]!)).toBe(again);
      expect(s.isIndexed(again)).toBe(true);
      expect(s.isIndexed(ids[3]!)).toBe(false);
      const third = s.append(states[3]!);
      s.indexLookedUp(third); // after a lookup that found `again`: replaces it
      expect(s.lookup(states[3]!)).toBe(third);
      expect(s.count).toBe(new Set(states.map((st) => st.join())).size + 2);
      expect(s.cells.BYTES_PER_ELEMENT).toBe(maxValue <= 255 ? 1 : 2);
    }
    expect(() => new StateStore(2, 4, { maxValue: 70_000 })).toThrow(/65535/);
  });
});
