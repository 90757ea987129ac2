/**
 * Static push analysis shared by the A* solver and the CoT writer: for every target, the fewest pushes that bring a
 * box from each cell to it (other boxes ignored; the player must be able to stand behind the box), and the dead
 * squares from which no target is reachable.
 */
import type { Level } from './types.js';

/** Per-target push distances and dead squares of a board. */
export interface PushAnalysis {
  readonly targets: readonly number[];
  /** pushDist[t][c]: pushes from cell c to targets[t]; Infinity when impossible. */
  readonly pushDist: readonly Float64Array[];
  /** 1 where a box can never reach any target. */
  readonly dead: Uint8Array;
}

/** Computes push distances by pulling backwards from each target (the level must have a wall frame). */
export function analyzePushes(level: Level): PushAnalysis {
  const { walls, cols } = level;
  const n = walls.length;
  const offsets = [-cols, cols, -1, 1];
  const targets: number[] = [];
  for (let i = 0; i < n; i++) if (level.targets[i] === 1) targets.push(i);
  const pushDist = targets.map((t) => {
    const dist = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
    dist[t] = 0;
    const queue = [t];
    for (let q = 0; q < queue.length; q++) {
      const x = queue[q] as number;
      for (const d of offsets) {
        // The box reached x by a push in direction d from y = x - d, with the player at y - d.
        const y = x - d;
        const stand = y - d;
        if (y < 0 || y >= n || stand < 0 || stand >= n) continue;
        if (walls[y] !== 0 || walls[stand] !== 0 || dist[y] !== Number.POSITIVE_INFINITY) continue;
        dist[y] = (dist[x] as number) + 1;
        queue.push(y);
      }
    }
    return dist;
  });
  const dead = new Uint8Array(n);
  for (let c = 0; c < n; c++) {
    if (walls[c] !== 0) continue;
    dead[c] = pushDist.every((d) => d[c] === Number.POSITIVE_INFINITY) ? 1 : 0;
  }
  return { targets, pushDist, dead };
}

/** Reused DP table of `matchingCost` (solvers are synchronous, so one buffer suffices). */
let scratch = new Float64Array(256);

/**
 * Minimum total pushes over all assignments of boxes to distinct targets (bitmask DP up to 8 boxes; beyond that
 * the sum of each box's nearest target, which is weaker but still admissible). Infinity when impossible.
 */
export function matchingCost(analysis: PushAnalysis, boxes: ArrayLike<number>): number {
  const k = boxes.length;
  const { pushDist } = analysis;
  if (k > 8) {
    let sum = 0;
    for (let i = 0; i < k; i++) {
      let best = Number.POSITIVE_INFINITY;
      for (const d of pushDist) best = Math.min(best, d[boxes[i] as number] as number);
      sum += best;
    }
    return sum;
  }
  const size = 1 << k;
  if (scratch.length < size) scratch = new Float64Array(size);
  const dp = scratch;
  dp.fill(Number.POSITIVE_INFINITY, 0, size);
  dp[0] = 0;
  for (let mask = 0; mask < size; mask++) {
    const cur = dp[mask] as number;
    if (cur === Number.POSITIVE_INFINITY) continue;
    let i = 0;
    for (let m = mask; m !== 0; m &= m - 1) i++; // box index = number of targets used so far
    if (i >= k) continue;
    const b = boxes[i] as number;
    for (let t = 0; t < k; t++) {
      if ((mask >> t) & 1) continue;
      const c = cur + ((pushDist[t] as Float64Array)[b] as number);
      const next = mask | (1 << t);
      if (c < (dp[next] as number)) dp[next] = c;
    }
  }
  return dp[size - 1] as number;
}
