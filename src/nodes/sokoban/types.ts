/**
 * Core Sokoban types. Cells are indexed row-major (`index = row * cols + col`); a level is immutable data, the
 * environment and solvers copy what they change.
 */

/** The four actions, in the paper's (and RAGEN's) order: 1 = Up, 2 = Down, 3 = Left, 4 = Right. */
export type Direction = 'Up' | 'Down' | 'Left' | 'Right';

/** Directions in action-id order (index + 1 is the paper's action id). Solvers expand moves in this order. */
export const DIRECTIONS: readonly Direction[] = ['Up', 'Down', 'Left', 'Right'];

/** (row, col) deltas of each direction. */
export const DELTAS: Readonly<Record<Direction, readonly [number, number]>> = {
  Up: [-1, 0],
  Down: [1, 0],
  Left: [0, -1],
  Right: [0, 1],
};

/** The paper's action id (1..4) of a direction, as used in `reward_model.ground_truth`. */
export function actionId(dir: Direction): number {
  return DIRECTIONS.indexOf(dir) + 1;
}

/**
 * A Sokoban position: the fixed board (walls, targets) plus the movable state (player, boxes).
 * `boxes` is sorted ascending so equal positions compare equal; `walls`/`targets` are 0/1 per cell.
 */
export interface Level {
  readonly rows: number;
  readonly cols: number;
  readonly walls: Uint8Array;
  readonly targets: Uint8Array;
  readonly player: number;
  readonly boxes: readonly number[];
}

/** Largest board side pipe accepts (keeps solver state keys compact and hostile inputs bounded). */
export const MAX_SIDE = 64;

/** Offset of a direction in cell-index space for a board with `cols` columns. */
export function stepOffset(dir: Direction, cols: number): number {
  const [dr, dc] = DELTAS[dir];
  return dr * cols + dc;
}

/** The cell one step from `cell` in `dir`, or -1 when it leaves the board. */
export function neighbour(level: Pick<Level, 'rows' | 'cols'>, cell: number, dir: Direction): number {
  const [dr, dc] = DELTAS[dir];
  const r = Math.floor(cell / level.cols) + dr;
  const c = (cell % level.cols) + dc;
  if (r < 0 || c < 0 || r >= level.rows || c >= level.cols) return -1;
  return r * level.cols + c;
}

/** True when every box sits on a target. */
export function isSolved(level: Pick<Level, 'targets' | 'boxes'>): boolean {
  return level.boxes.every((b) => level.targets[b] === 1);
}

/** A copy of `level` with a new movable state (boxes are re-sorted). */
export function withState(level: Level, player: number, boxes: readonly number[]): Level {
  return { ...level, player, boxes: [...boxes].sort((a, b) => a - b) };
}
