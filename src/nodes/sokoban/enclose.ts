/**
 * Solvers step by cell-index offsets, which is only safe when no open cell touches the board's edge. `enclose`
 * returns the level itself when its border is all wall, else a copy with a one-cell wall frame (same moves, same
 * solutions: off-board cells behave as walls).
 */
import type { Level } from './types.js';

/** The level itself if its border is all wall, else a copy framed by walls (cell indices shift by one row and column). */
export function enclose(level: Level): Level {
  const { rows, cols, walls } = level;
  let open = false;
  for (let c = 0; c < cols && !open; c++) open = walls[c] === 0 || walls[(rows - 1) * cols + c] === 0;
  for (let r = 0; r < rows && !open; r++) open = walls[r * cols] === 0 || walls[r * cols + cols - 1] === 0;
  if (!open) return level;
  const R = rows + 2;
  const C = cols + 2;
  const map = (i: number): number => (Math.floor(i / cols) + 1) * C + (i % cols) + 1;
  const w = new Uint8Array(R * C).fill(1);
  const t = new Uint8Array(R * C);
  for (let i = 0; i < rows * cols; i++) {
    w[map(i)] = walls[i] as number;
    t[map(i)] = level.targets[i] as number;
  }
  return { rows: R, cols: C, walls: w, targets: t, player: map(level.player), boxes: level.boxes.map(map) };
}
