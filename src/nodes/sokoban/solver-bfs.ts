/**
 * Breadth-first search over full (player, boxes) states — RAGEN's `get_shortest_action_path` semantics: moves are
 * tried in the order Up, Down, Left, Right, so the returned path is the first shortest one in that order (the
 * labels of the SFT data). States (player, sorted boxes) live in a typed-array `StateStore` with parent pointers.
 */
import { enclose } from './enclose.js';
import { grown, StateStore } from './state-store.js';
import { DEFAULT_MAX_EXPANSIONS, type SolveOptions, type SolveResult } from './solve-result.js';
import { DIRECTIONS, stepOffset, type Direction, type Level } from './types.js';

/** Optimal solution by BFS in moves; the first shortest path in Up, Down, Left, Right order. */
export function solveBfs(input: Level, options: SolveOptions = {}): SolveResult {
  const level = enclose(input);
  const maxDepth = options.maxDepth ?? Number.POSITIVE_INFINITY;
  const maxExpansions = options.maxExpansions ?? DEFAULT_MAX_EXPANSIONS;
  const { cols, walls, targets } = level;
  const k = level.boxes.length;
  const width = k + 1;
  const offsets = DIRECTIONS.map((d) => stepOffset(d, cols));
  if (level.boxes.every((b) => targets[b] === 1)) return { solvable: true, status: 'solved', actions: [], expanded: 0 };

  const store = new StateStore(width);
  let capacity = 64;
  let parent = new Int32Array(capacity);
  let move = new Uint8Array(capacity);
  let depth = new Uint16Array(capacity);

  const add = (state: ArrayLike<number>, from: number, m: number, d: number): number => {
    const id = store.append(state);
    store.index(id);
    if (id === capacity) {
      capacity *= 2;
      parent = grown(parent, capacity);
      move = grown(move, capacity);
      depth = grown(depth, capacity);
    }
    parent[id] = from;
    move[id] = m;
    depth[id] = d;
    return id;
  };

  add([level.player, ...level.boxes], -1, 0, 0);

  const occupied = new Int32Array(walls.length).fill(-1);
  const next = new Array<number>(width);
  let head = 0;
  let expanded = 0;
  let cut = false;
  while (head < store.count) {
    if (expanded >= maxExpansions) return { solvable: false, status: 'limit', actions: [], expanded };
    const s = head++;
    const d = depth[s] as number;
    if (d >= maxDepth) {
      cut = true;
      continue;
    }
    expanded++;
    const base = s * width;
    const cells = store.cells;
    const player = cells[base] as number;
    for (let j = 1; j <= k; j++) occupied[cells[base + j] as number] = s;
    for (let m = 0; m < 4; m++) {
      const off = offsets[m] as number;
      const to = player + off;
      if (walls[to] !== 0) continue; // `enclose` guarantees a wall frame, so `to` stays on the board
      let pushedFrom = -1;
      if (occupied[to] === s) {
        const beyond = to + off;
        if (walls[beyond] !== 0 || occupied[beyond] === s) continue;
        pushedFrom = to;
      }
      next[0] = to;
      let solved = true;
      for (let j = 1; j <= k; j++) {
        let b = cells[base + j] as number;
        if (b === pushedFrom) b = to + off;
        next[j] = b;
        if (targets[b] !== 1) solved = false;
      }
      if (pushedFrom >= 0) sortTail(next);
      if (store.lookup(next) !== -1) continue;
      const id = add(next, s, m, d + 1);
      if (pushedFrom >= 0 && solved) return { solvable: true, status: 'solved', actions: path(id, parent, move), expanded };
    }
  }
  return { solvable: false, status: cut ? 'limit' : 'unsolvable', actions: [], expanded };
}

/** Insertion sort of next[1..] (boxes), which is sorted except for one moved box. */
function sortTail(a: number[]): void {
  for (let i = 2; i < a.length; i++) {
    const v = a[i] as number;
    let j = i - 1;
    while (j >= 1 && (a[j] as number) > v) {
      a[j + 1] = a[j] as number;
      j--;
    }
    a[j + 1] = v;
  }
}

function path(id: number, parent: Int32Array, move: Uint8Array): Direction[] {
  const out: Direction[] = [];
  for (let s = id; parent[s] !== -1; s = parent[s] as number) out.push(DIRECTIONS[move[s] as number] as Direction);
  return out.reverse();
}
