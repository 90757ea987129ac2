/**
 * Level text I/O: parse standard XSB (`#` wall, `@` player, `+` player on target, `$` box, `*` box on target,
 * `.` target, space/`-`/`_` floor) or the paper's grid rendering (`#` `_` `O` `√` `X` `P` `S`, cells separated by
 * whitespace/tabs, or one symbol per character, with `V` for `√` as compact grids write it), and export XSB.
 *
 * Choices (documented because level collections disagree):
 * - Ragged rows are padded on the right with walls (out-of-board cells behave as walls anyway).
 * - In XSB, plain floor cells that the player cannot reach through non-wall cells (the conventional spaces outside
 *   the outer wall) become walls, so the grid rendering shows them as `#`. This never changes what is solvable.
 * - Lines starting with `;` are comments; blank lines before and after the board are ignored.
 * - A level needs exactly one player, at least one box, and as many targets as boxes.
 * Errors are `LevelParseError` values with 1-based line and column (in characters of the original text).
 */
import { MAX_SIDE, type Level } from './types.js';

/** A located level-text error: `line`/`col` are 1-based, 0 when the error concerns the whole level. */
export class LevelParseError extends Error {
  constructor(
    readonly reason: string,
    readonly line: number,
    readonly col: number,
  ) {
    super(line > 0 ? `line ${line}, column ${col}: ${reason}` : reason);
    this.name = 'LevelParseError';
  }
}

type Cell = 'wall' | 'floor' | 'target' | 'box' | 'boxOnTarget' | 'player' | 'playerOnTarget';

const XSB: Readonly<Record<string, Cell>> = {
  '#': 'wall',
  ' ': 'floor',
  '-': 'floor',
  _: 'floor',
  '.': 'target',
  $: 'box',
  '*': 'boxOnTarget',
  '@': 'player',
  '+': 'playerOnTarget',
};

const GRID: Readonly<Record<string, Cell>> = {
  '#': 'wall',
  _: 'floor',
  O: 'target',
  '√': 'boxOnTarget',
  V: 'boxOnTarget',
  X: 'box',
  P: 'player',
  S: 'playerOnTarget',
};

/** The grid symbols, as error messages list them. */
const GRID_SYMBOLS = Object.keys(GRID).join(' ');

const GRID_ONLY = new Set(['O', '√', 'V', 'X', 'P', 'S', '\t']);
const XSB_ONLY = new Set(['@', '+', '$', '*', '.']);

/** Which text format a level uses; `detectFormat` picks it from the symbols present. */
export type LevelFormat = 'xsb' | 'grid';

interface Located {
  readonly cell: Cell;
  readonly line: number;
  readonly col: number;
}

/** Parses one level (XSB or grid rendering); throws `LevelParseError` naming line and column. */
export function parseLevel(text: string): Level {
  if (typeof text !== 'string') throw new LevelParseError('level text must be a string', 0, 0);
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const board: { index: number; text: string }[] = [];
  lines.forEach((line, index) => {
    if (/^\s*;/.test(line)) return;
    board.push({ index, text: line });
  });
  while (board.length > 0 && (board[0] as { text: string }).text.trim() === '') board.shift();
  while (board.length > 0 && (board[board.length - 1] as { text: string }).text.trim() === '') board.pop();
  if (board.length === 0) throw new LevelParseError('empty level: no board lines', 0, 0);

  const format = detectFormat(board);
  const rows: Located[][] = board.map(({ index, text: line }) =>
    format === 'grid' ? tokenizeGrid(line, index + 1) : tokenizeXsb(line, index + 1),
  );
  return build(rows, format);
}

function detectFormat(board: readonly { index: number; text: string }[]): LevelFormat {
  let grid: { line: number; col: number; ch: string } | undefined;
  let xsb: { line: number; col: number; ch: string } | undefined;
  for (const { index, text } of board) {
    let col = 0;
    for (const ch of text) {
      col++;
      if (grid === undefined && GRID_ONLY.has(ch)) grid = { line: index + 1, col, ch };
      if (xsb === undefined && XSB_ONLY.has(ch)) xsb = { line: index + 1, col, ch };
    }
  }
  if (grid !== undefined && xsb !== undefined) {
    const where = xsb.line > grid.line || (xsb.line === grid.line && xsb.col > grid.col) ? xsb : grid;
    throw new LevelParseError(
      `mixes XSB symbols ('${xsb.ch}') and grid-rendering symbols ('${printable(grid.ch)}'); use one format`,
      where.line,
      where.col,
    );
  }
  return grid !== undefined ? 'grid' : 'xsb';
}

function tokenizeXsb(line: string, lineNo: number): Located[] {
  const out: Located[] = [];
  let col = 0;
  for (const ch of line.replace(/\s+$/, '')) {
    col++;
    const cell = XSB[ch];
    if (cell === undefined) throw unknownSymbol(ch, lineNo, col, 'XSB', '# @ + $ * . space - _');
    out.push({ cell, line: lineNo, col });
  }
  return out;
}

function tokenizeGrid(line: string, lineNo: number): Located[] {
  const out: Located[] = [];
  const chars = [...line];
  const separated = /\s/.test(line.trim());
  let col = 0;
  while (col < chars.length) {
    const ch = chars[col] as string;
    if (/\s/.test(ch)) {
      col++;
      continue;
    }
    let token = ch;
    if (separated) {
      // A whitespace-separated token: must be exactly one symbol (a rendering cell is " # \t").
      let end = col + 1;
      while (end < chars.length && !/\s/.test(chars[end] as string)) end++;
      token = chars.slice(col, end).join('');
      if (token.length > 1 && [...token].length > 1) {
        const bad = [...token].findIndex((c) => GRID[c] === undefined);
        if (bad >= 0) throw unknownSymbol([...token][bad] as string, lineNo, col + bad + 1, 'grid', GRID_SYMBOLS);
        throw new LevelParseError(`'${token}' is several cells; separate cells with whitespace`, lineNo, col + 1);
      }
    }
    const cell = GRID[token];
    if (cell === undefined) throw unknownSymbol(token, lineNo, col + 1, 'grid', GRID_SYMBOLS);
    out.push({ cell, line: lineNo, col: col + 1 });
    col += [...token].length;
  }
  return out;
}

function unknownSymbol(ch: string, line: number, col: number, format: string, known: string): LevelParseError {
  return new LevelParseError(`unknown symbol '${printable(ch)}' (${format} symbols are ${known})`, line, col);
}

function printable(ch: string): string {
  return JSON.stringify(ch).slice(1, -1);
}

function build(rowsIn: readonly Located[][], format: LevelFormat): Level {
  const rows = rowsIn.length;
  const cols = Math.max(...rowsIn.map((r) => r.length));
  if (cols === 0) throw new LevelParseError('empty level: no cells', 0, 0);
  if (rows > MAX_SIDE || cols > MAX_SIDE) {
    throw new LevelParseError(`level is ${rows}x${cols}; at most ${MAX_SIDE}x${MAX_SIDE} is supported`, 0, 0);
  }
  const n = rows * cols;
  const walls = new Uint8Array(n).fill(1);
  const targets = new Uint8Array(n);
  const boxes: number[] = [];
  let player: Located | undefined;
  let playerCell = -1;
  const plainFloor = new Uint8Array(n);
  rowsIn.forEach((row, r) => {
    row.forEach((loc, c) => {
      const i = r * cols + c;
      if (loc.cell === 'wall') return;
      walls[i] = 0;
      if (loc.cell === 'target' || loc.cell === 'boxOnTarget' || loc.cell === 'playerOnTarget') targets[i] = 1;
      if (loc.cell === 'box' || loc.cell === 'boxOnTarget') boxes.push(i);
      if (loc.cell === 'floor') plainFloor[i] = 1;
      if (loc.cell === 'player' || loc.cell === 'playerOnTarget') {
        if (player !== undefined) {
          throw new LevelParseError(
            `a second player (the first is at line ${player.line}, column ${player.col}); a level has one player`,
            loc.line,
            loc.col,
          );
        }
        player = loc;
        playerCell = i;
      }
    });
  });
  if (player === undefined) throw new LevelParseError('no player (XSB `@`/`+`, grid `P`/`S`)', 0, 0);
  const numTargets = targets.reduce((s, t) => s + t, 0);
  if (boxes.length === 0) throw new LevelParseError('no boxes: a level needs at least one box', 0, 0);
  if (boxes.length !== numTargets) {
    throw new LevelParseError(`${boxes.length} box(es) but ${numTargets} target(s); they must be equal`, 0, 0);
  }
  if (format === 'xsb') wallOffExterior(rows, cols, walls, plainFloor, playerCell);
  return { rows, cols, walls, targets, player: playerCell, boxes: boxes.sort((a, b) => a - b) };
}

/** Turns plain floor that the player cannot reach (ignoring boxes) into wall. */
function wallOffExterior(rows: number, cols: number, walls: Uint8Array, plain: Uint8Array, start: number): void {
  const seen = new Uint8Array(rows * cols);
  const stack = [start];
  seen[start] = 1;
  while (stack.length > 0) {
    const i = stack.pop() as number;
    const r = Math.floor(i / cols);
    const c = i % cols;
    for (const [nr, nc] of [[r - 1, c], [r + 1, c], [r, c - 1], [r, c + 1]] as const) {
      if (nr < 0 || nc < 0 || nr >= rows || nc >= cols) continue;
      const j = nr * cols + nc;
      if (seen[j] === 1 || walls[j] === 1) continue;
      seen[j] = 1;
      stack.push(j);
    }
  }
  for (let i = 0; i < rows * cols; i++) if (plain[i] === 1 && seen[i] === 0) walls[i] = 1;
}

/** Parses without throwing: the level, or the located error. */
export function tryParseLevel(text: string): { ok: true; level: Level } | { ok: false; error: LevelParseError } {
  try {
    return { ok: true, level: parseLevel(text) };
  } catch (error) {
    if (error instanceof LevelParseError) return { ok: false, error };
    throw error;
  }
}

/** Standard XSB text of a level (rows joined by "\n"; floor at the end of a row is written `-` so it survives). */
export function levelToXsb(level: Level): string {
  const boxes = new Set(level.boxes);
  const lines: string[] = [];
  for (let r = 0; r < level.rows; r++) {
    let line = '';
    for (let c = 0; c < level.cols; c++) {
      const i = r * level.cols + c;
      const t = level.targets[i] === 1;
      if (level.walls[i] === 1) line += '#';
      else if (i === level.player) line += t ? '+' : '@';
      else if (boxes.has(i)) line += t ? '*' : '$';
      else line += t ? '.' : ' ';
    }
    // Trailing spaces are conventionally dropped by editors and by this parser: write trailing floor as '-'.
    const kept = line.replace(/ +$/, '');
    lines.push(kept + '-'.repeat(line.length - kept.length));
  }
  return lines.join('\n');
}

/**
 * Splits a level collection (XSB files with titles, comments and blank lines between levels) into level texts:
 * a board is a run of lines made only of XSB symbols that contains a wall.
 */
export function splitCollection(text: string): { readonly text: string; readonly line: number }[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const out: { text: string; line: number }[] = [];
  let current: string[] = [];
  let start = 0;
  const flush = (): void => {
    if (current.length > 0) out.push({ text: current.join('\n'), line: start + 1 });
    current = [];
  };
  lines.forEach((line, i) => {
    const isBoard = line.includes('#') && [...line].every((ch) => XSB[ch] !== undefined);
    if (isBoard) {
      if (current.length === 0) start = i;
      current.push(line);
    } else flush();
  });
  flush();
  return out;
}
