import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { readLevelRecords } from '../../../src/nodes/sokoban/level-record.js';
import { parseLevel } from '../../../src/nodes/sokoban/level.js';
import { makeLevelLines } from '../../../src/nodes/sokoban/levels-node.js';
import { parseAction } from '../../../src/nodes/sokoban/prompt.js';
import { replayRouteCot, routeCot } from '../../../src/nodes/sokoban/route-cot.js';
import { applyMove, buildRows } from '../../../src/nodes/sokoban/rows.js';
import { solveBfs } from '../../../src/nodes/sokoban/solver-bfs.js';
import { resolveSplit } from '../../../src/nodes/sokoban/splits.js';
import type { Direction, Level } from '../../../src/nodes/sokoban/types.js';

const COMPACT = readFileSync(new URL('../../../pipelines/templates/sokoban-compact.txt', import.meta.url), 'utf8');
const VOCAB = ['n1', 'n2', 'n3', 'n4'] as const;

describe('route CoT', () => {
  it('writes the row-indexed grid, the positions, the next push and the route cell by cell', () => {
    const level = parseLevel(['######', '#@   #', '#  $ #', '#   .#', '######'].join('\n'));
    const plan = solveBfs(level).actions;
    const cot = routeCot(level, plan, VOCAB);
    expect(cot.split('\n').slice(0, 6)).toEqual(['  012345', '0 ######', '1 #P___#', '2 #__X_#', '3 #___O#', '4 ######']);
    expect(cot).toContain('player 1,1 box 2,3 target 3,4');
    expect(replayRouteCot(level, cot, VOCAB)).toBeNull();
    const route = /^route (.*)$/m.exec(cot)?.[1]?.split(' ') ?? [];
    expect(route[0]).toBe('1,1');
    expect(route.length).toBeGreaterThan(2);
  });

  it('following each trace of a solution walks the plan: every state of every level replays, up to 10x10 and two boxes', () => {
    let states = 0;
    for (const [split, count] of [['SimpleSokoban', 12], ['TwoBoxesSokoban', 4], ['LargerSokoban', 4]] as const) {
      for (const record of readLevelRecords(makeLevelLines(resolveSplit(split), count, 2000).join('\n'))) {
        let state: Level = record.level;
        const plan = solveBfs(state).actions;
        for (let step = 0; step < plan.length; step++) {
          const cot = routeCot(state, plan.slice(step), VOCAB);
          expect(replayRouteCot(state, cot, VOCAB)).toBeNull();
          const stated = /^(Up|Down|Left|Right) -> /m.exec(cot)?.[1];
          expect(stated).toBe(plan[step]);
          state = applyMove(state, plan[step] as Direction);
          states++;
        }
      }
    }
    expect(states).toBeGreaterThan(60);
  });

  it('replay rejects a wrong grid, a route through a wall, a wrong first move or word', () => {
    const level = parseLevel(['######', '#@#  #', '#  $ #', '#   .#', '######'].join('\n'));
    const cot = routeCot(level, solveBfs(level).actions, VOCAB);
    expect(replayRouteCot(level, cot.replace('1 #P#__#', '1 #P___#'), VOCAB)).toMatch(/grid line 3/);
    expect(replayRouteCot(level, cot.replace(/^route .*$/m, 'route 1,1 1,2 1,3 2,2'), VOCAB)).toMatch(/wall|neighbouring|end/);
    expect(replayRouteCot(level, cot.replace(/^Down -> n2$/m, 'Right -> n4'), VOCAB)).toMatch(/first move/);
    expect(replayRouteCot(level, cot.replace(/^Down -> n2$/m, 'Down -> n1'), VOCAB)).toMatch(/word n1/);
    expect(replayRouteCot(level, cot.replace('box 2,3 to', 'box 2,2 to'), VOCAB)).toMatch(/no box at 2,2/);
  });

  it('is the dataset CoT of cotStyle route, and its rows answer the optimal action', () => {
    const levels = readLevelRecords(makeLevelLines(resolveSplit('SimpleSokoban'), 4, 1000).join('\n'));
    const { rows, stats } = buildRows(levels, { template: COMPACT, response: 'cot', cotStyle: 'route', diversity: null, seed: 1, dataSource: 'x' });
    expect(stats.rejected).toBe(0);
    for (const row of rows) {
      expect(row.response).toMatch(/^ {2}0123/);
      expect(parseAction(row.response, row.extra_info.vocab as unknown as readonly [string, string, string, string])).toBe(row.extra_info.action);
    }
  });
});
