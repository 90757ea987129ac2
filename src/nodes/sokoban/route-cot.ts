/**
 * Algorithmic chain of thought for Sokoban: read the grid with its coordinates, then plan the next push and the
 * route to the cell it is pushed from, cell by cell, so that a larger level is just a longer route. Lines:
 *
 *     012345             the column indices, then every row with its index
 *   0 ######
 *   1 #_O__#
 *   …
 *   player 4,2 box 2,3 target 1,2            (row,column) of the player, every box, every target
 *   box 2,3 to 1,3: push Up from 3,3         the next push of the optimal plan and where that box ends up
 *   route 4,2 4,3 3,3                        the player's cells up to the pushing position (one cell: push now)
 *   Right -> w4                              the first move of the route (or the push), and its word
 *
 * `replayRouteCot` checks every claim of a trace against the position, so a test (and a reader) can tell that
 * following it reaches the pushing position and performs the push.
 */
import { indexedRows } from '../prompts/indexed-grid.js';
import { renderGridCompact } from './render.js';
import type { Vocab } from './splits.js';
import { DELTAS, DIRECTIONS, stepOffset, type Direction, type Level } from './types.js';

/** The next push of `plan` from `level`: the box cell, direction, the box's cell when the plan leaves it, the route. */
interface PlannedPush {
  readonly box: number;
  readonly dir: Direction;
  readonly finalCell: number;
  /** The player's cells from now up to the pushing position, both included. */
  readonly route: readonly number[];
}

function plannedPush(level: Level, plan: readonly Direction[]): PlannedPush {
  const boxes = [...level.boxes];
  let player = level.player;
  const route = [player];
  let first: { id: number; box: number; dir: Direction } | undefined;
  for (const dir of plan) {
    const off = stepOffset(dir, level.cols);
    const to = player + off;
    if (level.walls[to] !== 0) throw new Error(`Internal error: the plan walks into a wall at ${to}`);
    const id = boxes.indexOf(to);
    if (id >= 0) {
      first ??= { id, box: to, dir };
      boxes[id] = to + off;
    } else if (first === undefined) route.push(to);
    player = to;
  }
  if (first === undefined) throw new Error('Internal error: a solution plan without a push');
  return { box: first.box, dir: first.dir, finalCell: boxes[first.id] as number, route };
}

function targetCells(level: Level): number[] {
  const out: number[] = [];
  level.targets.forEach((t, i) => {
    if (t === 1) out.push(i);
  });
  return out;
}

const cellText = (level: Level, cell: number): string => `${Math.floor(cell / level.cols)},${cell % level.cols}`;

/** The grid with row indices and a column header (digits repeat after 9: `0123456789012`). */
export function indexedGrid(level: Level): string[] {
  return indexedRows(renderGridCompact(level).split('\n'));
}

/** The route CoT for `level` whose optimal remaining plan is `plan`, ending in `<direction> -> <word>`. */
export function routeCot(level: Level, plan: readonly Direction[], vocab: Vocab): string {
  const action = plan[0];
  if (action === undefined) throw new Error('Internal error: CoT for a solved position');
  const push = plannedPush(level, plan);
  const at = (cell: number): string => cellText(level, cell);
  const targets = targetCells(level);
  return [
    ...indexedGrid(level),
    `player ${at(level.player)} ${level.boxes.map((b) => `box ${at(b)}`).join(' ')} ${targets.map((t) => `target ${at(t)}`).join(' ')}`,
    `box ${at(push.box)} to ${at(push.finalCell)}: push ${push.dir} from ${at(push.route[push.route.length - 1] as number)}`,
    `route ${push.route.map(at).join(' ')}`,
    `${action} -> ${vocab[DIRECTIONS.indexOf(action)] as string}`,
  ].join('\n');
}

function parseCell(level: Level, text: string | undefined): number | null {
  const m = /^(\d+),(\d+)$/.exec(text ?? '');
  if (m === null) return null;
  const r = Number(m[1]);
  const c = Number(m[2]);
  return r < level.rows && c < level.cols ? r * level.cols + c : null;
}

function directionBetween(level: Level, from: number, to: number): Direction | null {
  return DIRECTIONS.find((d) => from + DELTAS[d][0] * level.cols + DELTAS[d][1] === to) ?? null;
}

/**
 * Checks a route CoT against the position: the grid is the position's, the stated player, boxes and targets are
 * where they are, the route starts at the player, moves one free cell at a time (no wall, no box) and ends behind
 * the named box, the push moves that box onto a free cell, and the stated action is the route's first move (or the
 * push). Returns the problem, or null when every claim holds.
 */
export function replayRouteCot(level: Level, cot: string, vocab: Vocab): string | null {
  const lines = cot.split('\n');
  const grid = indexedGrid(level);
  for (let i = 0; i < grid.length; i++) if (lines[i] !== grid[i]) return `grid line ${i + 1} is not the position`;
  const [facts, plan, routeLine, answer] = lines.slice(grid.length);
  const at = (cell: number): string => cellText(level, cell);
  const targets = targetCells(level);
  const expectedFacts = `player ${at(level.player)} ${level.boxes.map((b) => `box ${at(b)}`).join(' ')} ${targets.map((t) => `target ${at(t)}`).join(' ')}`;
  if (facts !== expectedFacts) return `"${facts}" misstates the position`;
  const pm = /^box (\S+) to (\S+): push (Up|Down|Left|Right) from (\S+)$/.exec(plan ?? '');
  if (pm === null) return `"${plan}" is not a push plan`;
  const box = parseCell(level, pm[1]);
  const dir = pm[3] as Direction;
  const stand = parseCell(level, pm[4]);
  if (box === null || !level.boxes.includes(box)) return `there is no box at ${pm[1]}`;
  if (stand === null || directionBetween(level, stand, box) !== dir) return `${pm[4]} is not behind ${pm[1]} for a push ${dir}`;
  const beyond = box + stepOffset(dir, level.cols);
  if (level.walls[beyond] !== 0 || level.boxes.includes(beyond)) return `the box at ${pm[1]} cannot move ${dir}`;
  if (!(routeLine ?? '').startsWith('route ')) return 'no route line';
  const route = (routeLine as string).slice('route '.length).split(' ').map((t) => parseCell(level, t));
  if (route[0] !== level.player) return 'the route does not start at the player';
  if (route[route.length - 1] !== stand) return 'the route does not end at the pushing position';
  for (let i = 1; i < route.length; i++) {
    const cell = route[i];
    if (cell === null || cell === undefined || directionBetween(level, route[i - 1] as number, cell) === null) return `route step ${i} is not to a neighbouring cell`;
    if (level.walls[cell] !== 0 || level.boxes.includes(cell)) return `route step ${i} enters a wall or a box`;
  }
  const first = route.length > 1 ? directionBetween(level, route[0] as number, route[1] as number) : dir;
  const am = /^(Up|Down|Left|Right) -> (.+)$/.exec(answer ?? '');
  if (am === null) return `"${answer}" is not an action line`;
  if (am[1] !== first) return `the action ${am[1]} is not the route's first move ${first}`;
  if (am[2] !== vocab[DIRECTIONS.indexOf(first as Direction)]) return `the word ${am[2]} is not the prompt's word for ${first}`;
  return null;
}
