/**
 * The paper's text observation (RAGEN GRID_LOOKUP): each cell is `" " + symbol + " \t"`, rows joined by "\n",
 * symbols `#` wall, `_` floor, `O` target, `√` box on target, `X` box, `P` player, `S` player on target.
 */
import type { Level } from './types.js';

/** The symbol of each cell, row by row. */
export function gridSymbols(level: Level): string[][] {
  const boxes = new Set(level.boxes);
  const out: string[][] = [];
  for (let r = 0; r < level.rows; r++) {
    const row: string[] = [];
    for (let c = 0; c < level.cols; c++) {
      const i = r * level.cols + c;
      const t = level.targets[i] === 1;
      if (level.walls[i] === 1) row.push('#');
      else if (i === level.player) row.push(t ? 'S' : 'P');
      else if (boxes.has(i)) row.push(t ? '√' : 'X');
      else row.push(t ? 'O' : '_');
    }
    out.push(row);
  }
  return out;
}

/** The paper's exact grid rendering (what the `paper` template shows as `[Current Observation]`). */
export function renderGrid(level: Level): string {
  return gridSymbols(level)
    .map((row) => row.map((s) => ` ${s} \t`).join(''))
    .join('\n');
}

/**
 * In compact grids a box on a target is `V`: `√` is three bytes in UTF-8, so for a byte-level model it would shift
 * the rest of its row and every later row by two positions. Every compact cell is one byte (and one token).
 */
export const COMPACT_BOX_ON_TARGET = 'V';

/** The same symbols without separators, one byte per cell and one row per line (the token-frugal `compact` template). */
export function renderGridCompact(level: Level): string {
  return gridSymbols(level)
    .map((row) => row.map((s) => (s === '√' ? COMPACT_BOX_ON_TARGET : s)).join(''))
    .join('\n');
}
