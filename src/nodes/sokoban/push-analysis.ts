/**
 * Static push analysis for the A* solver: for every target, the fewest pushes that bring a lone box from each cell
 * to it (other boxes ignored), and the dead squares from which no target is reachable.
 *
 * The distances are player-aware: a push needs the player behind the box, and between pushes the player must walk
 * around the box (the box itself is an obstacle), so a box in a corridor cannot turn where the player cannot get
 * round it. They are computed per target by a 0-1 BFS backwards over (box cell, player side) states, where moving
 * the player between two sides of the box that are connected in the board minus the box cell is free, and a pull
 * (reverse push) costs 1. `boxCost` reads the distance for the side region the player is actually in (its component
 * of the board minus the box cell, other boxes ignored), so it never exceeds the true number of pushes wherever the
 * other boxes are (they only remove options); `pushDist` keeps the minimum over sides (player unknown).
 */
import type { Level } from './types.js';

/** Per-target push distances and dead squares of a board. */
export interface PushAnalysis {
  readonly targets: readonly number[];
  /** pushDist[t][c]: fewest pushes from cell c to targets[t]; Infinity when impossible. */
  readonly pushDist: readonly Float64Array[];
  /** 1 where a box can never reach any target. */
  readonly dead: Uint8Array;
  /** sideDist[t][c * 4 + a]: pushes from c to targets[t] with the player on side a of c (see `PlayerRegions`). */
  readonly sideDist?: readonly Float64Array[];
  readonly regions?: PlayerRegions;
}

/**
 * Where the player can be relative to a box, ignoring other boxes. `sides[c * 4 + a]` is the component label of
 * the neighbour of c in direction a (Up, Down, Left, Right) in the floor minus c, -1 for a wall; sides with equal
 * labels are joined without pushing the box. `cellLabels[c]`, kept only for cells whose sides fall in two or more
 * components (corridors, doorways), labels every floor cell of the board minus c the same way (-1: in no side's
 * component); elsewhere the player's side does not matter.
 */
export interface PlayerRegions {
  readonly sides: Int8Array;
  readonly cellLabels: readonly (Int8Array | undefined)[];
}

/** Budget (bytes) for the per-cell labelings of `PlayerRegions`; beyond it boxCost falls back to the side minimum. */
const LABEL_BUDGET = 32 * 2 ** 20;

/** The side components of every floor cell, and full labelings where they split (the level must have a wall frame). */
export function playerRegions(level: Pick<Level, 'walls' | 'cols'>): PlayerRegions {
  const { walls, cols } = level;
  const n = walls.length;
  const sides = sideComponents(level);
  const cellLabels: (Int8Array | undefined)[] = new Array(n);
  const offsets = [-cols, cols, -1, 1];
  const queue = new Int32Array(n);
  let budget = LABEL_BUDGET;
  for (let c = 0; c < n && budget >= n; c++) {
    if (walls[c] !== 0) continue;
    let split = false;
    for (let a = 0; a < 4; a++) if ((sides[c * 4 + a] as number) > 0) split = true;
    if (!split) continue;
    const labels = new Int8Array(n).fill(-1);
    budget -= n;
    for (let a = 0; a < 4; a++) {
      const s = c + (offsets[a] as number);
      const label = sides[c * 4 + a] as number;
      if (label < 0 || labels[s] !== -1) continue;
      labels[s] = label;
      queue[0] = s;
      for (let qh = 0, qt = 1; qh < qt; qh++) {
        const x = queue[qh] as number;
        for (const off of offsets) {
          const y = x + off;
          if (y === c || walls[y] !== 0 || labels[y] !== -1) continue;
          labels[y] = label;
          queue[qt++] = y;
        }
      }
    }
    cellLabels[c] = labels;
  }
  return { sides, cellLabels };
}

/**
 * For each floor cell c and direction a (0..3 = Up, Down, Left, Right), the connected-component label of the
 * neighbour c + offset[a] in the floor with c removed, or -1 when that neighbour is a wall. Two sides with equal
 * labels can be joined by the player without pushing the box at c. The level must have a wall frame.
 */
export function sideComponents(level: Pick<Level, 'walls' | 'cols'>): Int8Array {
  const { walls, cols } = level;
  const n = walls.length;
  const offsets = [-cols, cols, -1, 1];
  const out = new Int8Array(n * 4).fill(-1);
  const seen = new Int32Array(n).fill(-1);
  const queue = new Int32Array(n);
  let stamp = 0;
  for (let c = 0; c < n; c++) {
    if (walls[c] !== 0) continue;
    let label = 0;
    for (let a = 0; a < 4; a++) {
      const s = c + (offsets[a] as number);
      if (s < 0 || s >= n || walls[s] !== 0 || out[c * 4 + a] !== -1) continue;
      // Flood from this side with c blocked; stop early once every open side is labelled.
      stamp++;
      seen[c] = stamp;
      seen[s] = stamp;
      out[c * 4 + a] = label;
      let missing = 0;
      for (let b = a + 1; b < 4; b++) {
        const o = c + (offsets[b] as number);
        if (o >= 0 && o < n && walls[o] === 0 && out[c * 4 + b] === -1) missing++;
      }
      queue[0] = s;
      for (let qh = 0, qt = 1; qh < qt && missing > 0; qh++) {
        const x = queue[qh] as number;
        for (const off of offsets) {
          const y = x + off;
          if (y < 0 || y >= n || walls[y] !== 0 || seen[y] === stamp) continue;
          seen[y] = stamp;
          queue[qt++] = y;
          for (let b = a + 1; b < 4; b++) {
            if (c + (offsets[b] as number) === y && out[c * 4 + b] === -1) {
              out[c * 4 + b] = label;
              missing--;
            }
          }
        }
      }
      label++;
    }
  }
  return out;
}

/** Computes player-aware push distances by pulling backwards from each target (the level must have a wall frame). */
export function analyzePushes(level: Level): PushAnalysis {
  const { walls, cols } = level;
  const n = walls.length;
  const offsets = [-cols, cols, -1, 1];
  const regions = playerRegions(level);
  const sides = regions.sides;
  const targets: number[] = [];
  for (let i = 0; i < n; i++) if (level.targets[i] === 1 && walls[i] === 0) targets.push(i);
  const stateDist = new Int32Array(n * 4);
  const deque = new Int32Array(n * 4 * 2 + 8);
  const sideDist: Float64Array[] = [];
  const pushDist = targets.map((t) => {
    stateDist.fill(-1);
    // 0-1 BFS over states s = cell * 4 + side: the player stands on the side's component (next to the box).
    let head = n * 4 + 4;
    let tail = head;
    const settle = (cell: number, side: number, d: number, front: boolean): void => {
      // A state and every side joined to it without pushing share one distance: set them together.
      const label = sides[cell * 4 + side] as number;
      for (let b = 0; b < 4; b++) {
        const s = cell * 4 + b;
        if (sides[s] !== label || stateDist[s] !== -1) continue;
        stateDist[s] = d;
        if (front) deque[--head] = s;
        else deque[tail++] = s;
      }
    };
    for (let a = 0; a < 4; a++) if (sides[t * 4 + a] !== -1 && stateDist[t * 4 + a] === -1) settle(t, a, 0, false);
    while (head < tail) {
      const s = deque[head++] as number;
      const x = s >> 2;
      const a = s & 3;
      const d = stateDist[s] as number;
      // Reverse push: the box came from y = x + off (player at y + off, pushing towards x), player now on side a of x.
      const off = offsets[a] as number;
      const y = x + off;
      const stand = y + off;
      if (stand < 0 || stand >= n || walls[y] !== 0 || walls[stand] !== 0) continue;
      if (stateDist[y * 4 + a] === -1) settle(y, a, d + 1, false);
    }
    const dist = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
    const bySide = new Float64Array(n * 4).fill(Number.POSITIVE_INFINITY);
    for (let c = 0; c < n; c++) {
      for (let a = 0; a < 4; a++) {
        const d = stateDist[c * 4 + a] as number;
        if (d < 0) continue;
        bySide[c * 4 + a] = d;
        if (d < (dist[c] as number)) dist[c] = d;
      }
    }
    dist[t] = 0;
    for (let a = 0; a < 4; a++) bySide[t * 4 + a] = 0;
    sideDist.push(bySide);
    return dist;
  });
  const dead = new Uint8Array(n);
  for (let c = 0; c < n; c++) {
    if (walls[c] !== 0) continue;
    dead[c] = pushDist.every((d) => d[c] === Number.POSITIVE_INFINITY) ? 1 : 0;
  }
  return { targets, pushDist, dead, sideDist, regions };
}

/**
 * Fewest pushes that bring a lone box at `cell` to target index `t` with the player at `player` (other boxes
 * ignored): the distance of the player's side region, 0 on the target itself, Infinity when the player can never
 * get next to the box. Falls back to the minimum over sides when no labeling was kept for the cell.
 */
export function boxCost(analysis: PushAnalysis, t: number, cell: number, player: number): number {
  const pd = (analysis.pushDist[t] as Float64Array)[cell] as number;
  const { regions, sideDist } = analysis;
  if (regions === undefined || sideDist === undefined || pd === 0 || pd === Number.POSITIVE_INFINITY) return pd;
  const labels = regions.cellLabels[cell];
  if (labels === undefined) return pd;
  const label = labels[player] as number;
  if (label < 0) return Number.POSITIVE_INFINITY;
  const bySide = sideDist[t] as Float64Array;
  for (let a = 0; a < 4; a++) if (regions.sides[cell * 4 + a] === label) return bySide[cell * 4 + a] as number;
  return Number.POSITIVE_INFINITY;
}

/** Reused buffers of `matchingCost` (solvers are synchronous, so one set suffices). */
let scratch = new Float64Array(256);
let matrix = new Float64Array(64);
let hung = new Float64Array(0);

/** Cost used for an impossible box-target pair inside the Hungarian method (sums stay exact in float64). */
const IMPOSSIBLE = 1e9;

/**
 * Minimum total pushes over all assignments of boxes to distinct targets: an exact min-cost perfect matching on
 * per-box push distances — `boxCost` for the player's region when `player` >= 0, else the minimum over sides.
 * Infinity when no assignment is possible. Needs as many targets as boxes.
 */
export function matchingCost(analysis: PushAnalysis, boxes: ArrayLike<number>, player = -1): number {
  const k = boxes.length;
  const T = analysis.pushDist.length;
  if (k === 0) return 0;
  if (T < k) return Number.POSITIVE_INFINITY;
  if (matrix.length < k * T) matrix = new Float64Array(k * T);
  const cost = matrix;
  for (let i = 0; i < k; i++) {
    const b = boxes[i] as number;
    for (let t = 0; t < T; t++) {
      cost[i * T + t] = player >= 0 ? boxCost(analysis, t, b, player) : ((analysis.pushDist[t] as Float64Array)[b] as number);
    }
  }
  return minMatching(cost, k, T);
}

/**
 * Min-cost matching of every row to a distinct column of a rows x cols table (rows <= cols, row-major,
 * Infinity = forbidden): bitmask DP over columns up to 6 of them, else the Hungarian method.
 */
export function minMatching(cost: Float64Array, rows: number, cols = rows): number {
  if (rows === 0) return 0;
  if (cols < rows) return Number.POSITIVE_INFINITY;
  if (cols > 6) return hungarian(cost, rows, cols);
  const size = 1 << cols;
  if (scratch.length < size) scratch = new Float64Array(size);
  const dp = scratch;
  dp.fill(Number.POSITIVE_INFINITY, 0, size);
  dp[0] = 0;
  let best = Number.POSITIVE_INFINITY;
  for (let mask = 0; mask < size; mask++) {
    const cur = dp[mask] as number;
    if (cur === Number.POSITIVE_INFINITY) continue;
    let i = 0;
    for (let m = mask; m !== 0; m &= m - 1) i++; // row index = number of columns used so far
    if (i === rows) {
      if (cur < best) best = cur;
      continue;
    }
    for (let t = 0; t < cols; t++) {
      if ((mask >> t) & 1) continue;
      const c = cur + (cost[i * cols + t] as number);
      const next = mask | (1 << t);
      if (c < (dp[next] as number)) dp[next] = c;
    }
  }
  return best;
}

/**
 * Hungarian method (shortest augmenting paths with potentials), O(rows^2 cols); exact like the DP. Overwrites
 * Infinity entries of `table` with a large finite cost.
 */
export function hungarian(table: Float64Array, rows: number, cols = rows): number {
  const n = rows;
  // Layout in one buffer: u[m], v[m], p[m], way[m], minv[m], used[m] with m = cols + 1 (>= rows + 1).
  const m = cols + 1;
  if (hung.length < 6 * m) hung = new Float64Array(6 * m);
  const buf = hung;
  buf.fill(0, 0, 6 * m);
  const U = 0;
  const V = m;
  const P = 2 * m;
  const WAY = 3 * m;
  const MINV = 4 * m;
  const USED = 5 * m;
  const cost = (i: number, j: number): number => {
    const d = table[(i - 1) * cols + (j - 1)] as number;
    return d === Number.POSITIVE_INFINITY ? IMPOSSIBLE : d;
  };
  for (let i = 1; i <= n; i++) {
    // Infinity -> IMPOSSIBLE in place once, so the inner loop reads plain numbers.
    for (let j = 0; j < cols; j++) if (table[(i - 1) * cols + j] === Number.POSITIVE_INFINITY) table[(i - 1) * cols + j] = IMPOSSIBLE;
  }
  for (let i = 1; i <= n; i++) {
    buf[P] = i;
    let j0 = 0;
    for (let j = 0; j <= cols; j++) {
      buf[MINV + j] = Number.POSITIVE_INFINITY;
      buf[USED + j] = 0;
    }
    do {
      buf[USED + j0] = 1;
      const i0 = buf[P + j0] as number;
      const row = (i0 - 1) * cols - 1;
      const ui0 = buf[U + i0] as number;
      let delta = Number.POSITIVE_INFINITY;
      let j1 = 0;
      for (let j = 1; j <= cols; j++) {
        if (buf[USED + j] === 1) continue;
        const cur = (table[row + j] as number) - ui0 - (buf[V + j] as number);
        if (cur < (buf[MINV + j] as number)) {
          buf[MINV + j] = cur;
          buf[WAY + j] = j0;
        }
        if ((buf[MINV + j] as number) < delta) {
          delta = buf[MINV + j] as number;
          j1 = j;
        }
      }
      for (let j = 0; j <= cols; j++) {
        if (buf[USED + j] === 1) {
          buf[U + (buf[P + j] as number)] = (buf[U + (buf[P + j] as number)] as number) + delta;
          buf[V + j] = (buf[V + j] as number) - delta;
        } else buf[MINV + j] = (buf[MINV + j] as number) - delta;
      }
      j0 = j1;
    } while (buf[P + j0] !== 0);
    do {
      const j1 = buf[WAY + j0] as number;
      buf[P + j0] = buf[P + j1] as number;
      j0 = j1;
    } while (j0 !== 0);
  }
  let total = 0;
  for (let j = 1; j <= cols; j++) {
    const i = buf[P + j] as number;
    if (i !== 0) total += cost(i, j);
  }
  return total >= IMPOSSIBLE ? Number.POSITIVE_INFINITY : total;
}
