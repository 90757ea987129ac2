/**
 * Grid documents of the generic corpus, on grids from 3×3 to 14×14 shown with their coordinates (row,column,
 * counted from 0 at the top left; prompts/indexed-grid.ts): read a cell, find an item, write an item, walk a
 * sequence of moves (`r+` one row down, `r-` up, `c+` one column right, `c-` left; sometimes through bound
 * names), and the shortest route between two cells around blocks, cell by cell. Symbols: `.` empty, `%` block,
 * `@` walker, `!` goal, lowercase letters items.
 */
import type { Rng } from '../../util/rng.js';
import { indexedRows } from '../prompts/indexed-grid.js';
import { randomName } from './binding.js';

/** A move of the corpus's grid world. */
export type Move = 'r+' | 'r-' | 'c+' | 'c-';
export const MOVES: readonly Move[] = ['r-', 'r+', 'c-', 'c+'];
const DELTA: Readonly<Record<Move, readonly [number, number]>> = { 'r-': [-1, 0], 'r+': [1, 0], 'c-': [0, -1], 'c+': [0, 1] };

interface Grid {
  readonly rows: number;
  readonly cols: number;
  readonly cells: string[];
}

const at = (g: Grid, r: number, c: number): string => g.cells[r * g.cols + c] as string;
const pos = (r: number, c: number): string => `${r},${c}`;
const show = (g: Grid): string[] => indexedRows(Array.from({ length: g.rows }, (_, r) => g.cells.slice(r * g.cols, (r + 1) * g.cols).join('')));

function randomGrid(rng: Rng, fill: string, density: number): Grid {
  const rows = rng.range(3, 14);
  const cols = rng.range(3, 14);
  const cells = Array.from({ length: rows * cols }, () => (rng.next() < density ? fill : '.'));
  return { rows, cols, cells };
}

function freeCell(rng: Rng, g: Grid): [number, number] {
  for (;;) {
    const i = rng.int(g.rows * g.cols);
    if (g.cells[i] === '.') return [Math.floor(i / g.cols), i % g.cols];
  }
}

const ITEMS = 'abcdefghijklmnopqrstuvwxyz';

/** A grid with a few distinct items on it. */
function itemGrid(rng: Rng): { g: Grid; items: Map<string, [number, number]> } {
  const g = randomGrid(rng, '%', 0.1);
  const items = new Map<string, [number, number]>();
  const n = rng.range(1, Math.min(6, Math.floor((g.rows * g.cols) / 3)));
  for (let k = 0; k < n; k++) {
    const item = ITEMS[rng.int(ITEMS.length)] as string;
    if (items.has(item)) continue;
    const [r, c] = freeCell(rng, g);
    g.cells[r * g.cols + c] = item;
    items.set(item, [r, c]);
  }
  return { g, items };
}

/** `read r,c`: what is at a cell. */
export function readDoc(rng: Rng): { prompt: string; response: string } {
  const { g } = itemGrid(rng);
  const r = rng.int(g.rows);
  const c = rng.int(g.cols);
  return { prompt: [...show(g), `read ${pos(r, c)}`].join('\n'), response: `row ${r}: ${g.cells.slice(r * g.cols, (r + 1) * g.cols).join('')}\n${pos(r, c)} is ${at(g, r, c)}` };
}

/** `find x`: where an item is. */
export function findDoc(rng: Rng): { prompt: string; response: string } {
  const { g, items } = itemGrid(rng);
  const [item, [r, c]] = rng.choice([...items.entries()]);
  return { prompt: [...show(g), `find ${item}`].join('\n'), response: `row ${r}: ${g.cells.slice(r * g.cols, (r + 1) * g.cols).join('')}\n${item} at ${pos(r, c)}` };
}

/** `put x at r,c`: the grid after writing an item. */
export function putDoc(rng: Rng): { prompt: string; response: string } {
  const { g } = itemGrid(rng);
  const item = ITEMS[rng.int(ITEMS.length)] as string;
  const r = rng.int(g.rows);
  const c = rng.int(g.cols);
  const before = show(g);
  g.cells[r * g.cols + c] = item;
  return { prompt: [...before, `put ${item} at ${pos(r, c)}`].join('\n'), response: show(g).join('\n') };
}

/** `walk m1 m2 …`: the walker's cell after each move (a move into a block or off the grid stays). */
export function walkDoc(rng: Rng, allowed: (name: string) => boolean): { prompt: string; response: string } {
  const g = randomGrid(rng, '%', 0.15);
  let [r, c] = freeCell(rng, g);
  g.cells[r * g.cols + c] = '@';
  const moves = Array.from({ length: rng.range(2, 12) }, () => rng.choice(MOVES));
  // Half of the walks name the moves through random bindings, stated before the walk.
  const bound = rng.next() < 0.5;
  const names = new Map<Move, string>();
  if (bound) {
    const taken = new Set<string>();
    for (const m of MOVES) {
      const name = randomName(rng, allowed, taken);
      taken.add(name.toLowerCase());
      names.set(m, name);
    }
  }
  const word = (m: Move): string => names.get(m) ?? m;
  const lets = bound ? rng.shuffle(MOVES.map((m) => `let ${word(m)} mean ${m}`)) : [];
  const lines: string[] = [];
  for (const m of moves) {
    const nr = r + DELTA[m][0];
    const nc = c + DELTA[m][1];
    const blocked = nr < 0 || nc < 0 || nr >= g.rows || nc >= g.cols || at(g, nr, nc) === '%';
    if (!blocked) [r, c] = [nr, nc];
    const head = bound ? `${word(m)}=${m}` : m;
    lines.push(blocked ? `${head} stays ${pos(r, c)}` : `${head} ${pos(r, c)}`);
  }
  lines.push(`end ${pos(r, c)}`);
  return { prompt: [...show(g), ...lets, `walk ${moves.map(word).join(' ')}`].join('\n'), response: lines.join('\n') };
}

/** Breadth-first shortest route (moves tried in MOVES order), as cells from start to goal; null when none. */
export function shortestRoute(g: Grid, from: [number, number], to: [number, number]): [number, number][] | null {
  const prev = new Int32Array(g.rows * g.cols).fill(-2);
  const start = from[0] * g.cols + from[1];
  const goal = to[0] * g.cols + to[1];
  prev[start] = -1;
  const queue = [start];
  for (let h = 0; h < queue.length; h++) {
    const cell = queue[h] as number;
    if (cell === goal) break;
    const r = Math.floor(cell / g.cols);
    const c = cell % g.cols;
    for (const m of MOVES) {
      const nr = r + DELTA[m][0];
      const nc = c + DELTA[m][1];
      if (nr < 0 || nc < 0 || nr >= g.rows || nc >= g.cols) continue;
      const next = nr * g.cols + nc;
      if (prev[next] !== -2 || g.cells[next] === '%') continue;
      prev[next] = cell;
      queue.push(next);
    }
  }
  if (prev[goal] === -2) return null;
  const route: [number, number][] = [];
  for (let cell = goal; cell !== -1; cell = prev[cell] as number) route.push([Math.floor(cell / g.cols), cell % g.cols]);
  return route.reverse();
}

/** `route`: the shortest route from `@` to `!`, cell by cell, and its length (or `no route`). */
export function routeDoc(rng: Rng): { prompt: string; response: string } {
  const g = randomGrid(rng, '%', rng.next() * 0.3);
  const [sr, sc] = freeCell(rng, g);
  g.cells[sr * g.cols + sc] = '@';
  const [gr, gc] = freeCell(rng, g);
  g.cells[gr * g.cols + gc] = '!';
  const route = shortestRoute(g, [sr, sc], [gr, gc]);
  const head = `from ${pos(sr, sc)} to ${pos(gr, gc)}`;
  const response = route === null ? `${head}\nno route` : `${head}\nroute ${route.map(([r, c]) => pos(r, c)).join(' ')}\nsteps ${route.length - 1}`;
  return { prompt: [...show(g), 'route @ !'].join('\n'), response };
}
