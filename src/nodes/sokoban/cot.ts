/**
 * Solver-trace chain of thought: the optimal plan's reasoning for one position, written out — where the player,
 * boxes and targets are, which box the plan moves next and to which target, how (walk to the push cell, or push
 * now), then the direction and the word the prompt binds to it (`Down -> w2`: writing the direction before the word
 * is what made diverse training learnable for small models, docs/paper.md, pilot). `verifyCotResponse` checks a row with
 * the environment before it is kept.
 */
import { SokobanEnv } from './env.js';
import { parseAction } from './prompt.js';
import { routeCot } from './route-cot.js';
import type { Vocab } from './splits.js';
import { DIRECTIONS, stepOffset, type Direction, type Level } from './types.js';

/**
 * `full`: sentences (for the paper template); `compact`: terse lines (for small models on a CPU budget); `route`: the
 * row-indexed grid, then the route to the pushing position cell by cell (route-cot.ts).
 */
export type CotStyle = 'full' | 'compact' | 'route';

interface NextPush {
  /** Box cell before the push, the push direction, and where the plan finally leaves that box. */
  readonly box: number;
  readonly dir: Direction;
  readonly finalCell: number;
  /** Moves until (and excluding) the push. */
  readonly walk: number;
}

/** Follows `plan` from `level`, tracking box identities, to find the next push and its box's final cell. */
export function nextPush(level: Level, plan: readonly Direction[]): NextPush {
  const { cols, walls } = level;
  const boxes = [...level.boxes];
  let player = level.player;
  let first: { id: number; box: number; dir: Direction; walk: number } | undefined;
  plan.forEach((dir, i) => {
    const off = stepOffset(dir, cols);
    const to = player + off;
    if (walls[to] !== 0) throw new Error(`Internal error: plan step ${i} (${dir}) walks into a wall`);
    const id = boxes.indexOf(to);
    if (id >= 0) {
      if (first === undefined) first = { id, box: to, dir, walk: i };
      boxes[id] = to + off;
    }
    player = to;
  });
  if (first === undefined) throw new Error('Internal error: a solution plan without a push');
  return { box: first.box, dir: first.dir, finalCell: boxes[first.id] as number, walk: first.walk };
}

function at(level: Level, cell: number, style: 'full' | 'compact'): string {
  const r = Math.floor(cell / level.cols);
  const c = cell % level.cols;
  return style === 'compact' ? `${r},${c}` : `(${r}, ${c})`;
}

/**
 * The reasoning text for the position `level` whose optimal remaining plan is `plan` (plan[0] is the action),
 * ending with `<direction> -> <word>` for the vocabulary the prompt states.
 */
export function solverTraceCot(level: Level, plan: readonly Direction[], vocab: Vocab, style: CotStyle = 'compact'): string {
  if (style === 'route') return routeCot(level, plan, vocab);
  const action = plan[0];
  if (action === undefined) throw new Error('Internal error: CoT for a solved position');
  const word = vocab[DIRECTIONS.indexOf(action)] as string;
  const push = nextPush(level, plan);
  const targets: number[] = [];
  for (let i = 0; i < level.targets.length; i++) if (level.targets[i] === 1) targets.push(i);
  const stand = push.box - stepOffset(push.dir, level.cols);
  const p = (cell: number): string => at(level, cell, style);
  if (style === 'compact') {
    const how = push.walk === 0 ? `push ${push.dir}` : `walk to ${p(stand)}, push ${push.dir}`;
    return [
      `player ${p(level.player)} boxes ${level.boxes.map(p).join(' ')} targets ${targets.map(p).join(' ')}`,
      `box ${p(push.box)} to ${p(push.finalCell)}: ${how}`,
      `${action} -> ${word}`,
    ].join('\n');
  }
  const plural = (n: number, one: string, many: string): string => (n === 1 ? one : many);
  const lines = [
    `Positions are (row, column), counted from 0 at the top left.`,
    `The player is at ${p(level.player)}.`,
    `${plural(level.boxes.length, 'The box is', 'The boxes are')} at ${level.boxes.map(p).join(', ')}; ` +
      `${plural(targets.length, 'the target is', 'the targets are')} at ${targets.map(p).join(', ')}.`,
    `Next I move the box at ${p(push.box)} toward the target at ${p(push.finalCell)} by pushing it ${push.dir}.`,
    push.walk === 0
      ? `I am already at ${p(stand)}, behind the box, so I push ${push.dir} now.`
      : `To push it ${push.dir} I must stand at ${p(stand)}; the shortest way there (${push.walk} ${plural(push.walk, 'move', 'moves')}) starts with ${action}.`,
    `${action} -> ${word}`,
  ];
  return lines.join('\n');
}

/**
 * The environment's check of a CoT (or any) response for `level`: the answer, read through `vocab`, must be
 * `expected` (the optimal action), and executing it must move the player. Returns the problem, or null when valid.
 */
export function verifyResponse(level: Level, response: string, vocab: Vocab, expected: Direction): string | null {
  const action = parseAction(response, vocab);
  if (action === null) return 'the response has no answer the vocabulary maps';
  if (action !== expected) return `the answer executes ${action}, the optimal action is ${expected}`;
  const env = SokobanEnv.fromLevel(level, { maxSteps: 1 });
  if (!env.step(action).moved) return `${action} does not move the player`;
  return null;
}
