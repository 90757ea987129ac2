/**
 * Move-optimal A* over push states. A node is (exact player cell, sorted boxes) right after a push (or the start);
 * its successors are every push the player can reach, costing the shortest walk to the box plus one. The player
 * cell is kept exact rather than normalized to its reachable region: optimality is in moves, and the walk from
 * where the last push left the player is part of the cost.
 *
 * Heuristic h = min-cost matching of boxes to targets (exact: bitmask DP or Hungarian) on player-aware push
 * distances (push-analysis.ts): a box's cost to a target is the fewest pushes that bring it there alone on the
 * board with the player starting in the region around the box where it actually is.
 * Admissible for MOVES: every solution pushes each box from its cell to a distinct target; the box needs at least
 * its lone-box push count to get there (other boxes are only extra obstacles, and the player starts where it is);
 * every push is one move and walking only adds moves; so moves >= pushes >= the matching.
 * Consistent where the exact regions are used: a walk never takes the player through a box's cell, so its region
 * around every box is unchanged except the pushed one, whose cost drops by at most 1 per push (a push is a valid
 * lone-box move); the matching thus drops by at most 1 <= the edge cost. Where a region labelling is missing
 * (huge boards) or a configuration hits the cache of side minima, h can be inconsistent, so a cheaper path to an
 * expanded state re-opens it; with an admissible h and goals tested when popped, the first goal popped is optimal.
 * Lazy evaluation: a child is queued under max(0, h(parent) - 1) and its real h is computed only when it is first
 * popped (then re-queued if larger). That provisional value is admissible too: h bounds the PUSHES still needed
 * (h(parent) <= pushes*(parent)), one push lowers pushes* by at most one, so h(parent) - 1 <= pushes*(child) <=
 * moves*(child). Most nodes are never popped, so most matchings are never computed.
 * A goal generated at cost <= the f of the node being expanded is returned at once: the popped f is at most the
 * optimal cost (standard A* invariant: some open node on an optimal path has f <= C*), so that goal is optimal.
 *
 * Pruning (sound): pushes onto dead squares (no target reachable), freeze deadlocks (astar-deadlock.ts), states
 * whose matching is impossible, boxes frozen on targets at the start (turned into walls), and dominated states: a
 * popped node whose boxes equal those of an expanded node whose player can walk to this player within the
 * difference in g is skipped (that node already generated every successor at no higher cost).
 * Open list: integer buckets by f then h, newest first (astar-open-list.ts); no randomness, so deterministic.
 * Memory: a state is k+1 cell indices (one byte each on boards up to 256 cells, else two) in a `StateStore`; per
 * node also parent and g (Int32 each), one flags byte (push direction, stale, evaluated), the open-list link and
 * the same-boxes link (Int32 each): (k+1) + 17 bytes on small boards plus 5-11 bytes of hash index, all in typed
 * arrays (no per-state JS objects or strings). The pushed box's old cell is the node's player cell, so the push
 * is rebuilt from the direction alone.
 * Returns the same optimal length (in moves) as `solveBfs`, usually after far fewer expansions.
 */
import { FreezeCheck } from './astar-deadlock.js';
import { BucketQueue } from './astar-open-list.js';
import { enclose } from './enclose.js';
import { analyzePushes, boxCost, matchingCost } from './push-analysis.js';
import { DEFAULT_ASTAR_MAX_EXPANSIONS, type SolveOptions, type SolveResult } from './solve-result.js';
import { grown, StateStore } from './state-store.js';
import { DIRECTIONS, stepOffset, type Direction, type Level } from './types.js';

/** A* limits plus an optional statistics callback (bench and tests). */
export interface AstarOptions extends SolveOptions {
  /**
   * Stop with status 'limit' after about this many milliseconds of search (checked every 1,024 expansions).
   * Wall-clock, so unlike the other limits it can make results differ between runs; for benches and services.
   */
  readonly timeLimitMs?: number;
  /** Called once when the search ends, with its node counts and array bytes. */
  readonly onStats?: (stats: AstarStats) => void;
}

/** Search size figures of one A* run. */
export interface AstarStats {
  readonly expanded: number;
  /** Nodes stored (push states, plus re-opened duplicates). */
  readonly nodes: number;
  /** Popped nodes skipped, not expanded, because an expanded node with the same boxes dominated them. */
  readonly dominated: number;
  /** Expansions that added no node (every successor was known at no higher cost, or pruned). */
  readonly barren: number;
  /** Bytes held by the search's typed arrays at the end. */
  readonly bytes: number;
}

/** h values above this are treated as impossible (keeps h in a Uint16). */
const MAX_H = 0xfffe;

/** Optimal (fewest moves) solution by A*; `expanded` counts push states expanded. */
export function solveAstar(input: Level, options: AstarOptions = {}): SolveResult {
  const framed = enclose(input);
  const maxDepth = options.maxDepth ?? Number.POSITIVE_INFINITY;
  const maxExpansions = options.maxExpansions ?? DEFAULT_ASTAR_MAX_EXPANSIONS;
  const deadline = options.timeLimitMs === undefined ? undefined : performance.now() + options.timeLimitMs;
  if (framed.boxes.every((b) => framed.targets[b] === 1)) return { solvable: true, status: 'solved', actions: [], expanded: 0 };
  // Boxes frozen on targets at the start can never move: solve the board with them as walls (fewer boxes, and the
  // push distances then route the others around them). A start that is already a freeze deadlock is unsolvable.
  const fixed = wallUpFrozenBoxes(framed);
  if (fixed === null) return { solvable: false, status: 'unsolvable', actions: [], expanded: 0 };
  const level = fixed;
  const { cols, walls, targets } = level;
  const n = walls.length;
  const k = level.boxes.length;
  const width = k + 1;
  const analysis = analyzePushes(level);
  if (analysis.targets.length < k) return { solvable: false, status: 'unsolvable', actions: [], expanded: 0 };
  const offsets = DIRECTIONS.map((d) => stepOffset(d, cols));
  const h0 = matchingCost(analysis, level.boxes, level.player);
  if (!(h0 <= MAX_H)) return { solvable: false, status: 'unsolvable', actions: [], expanded: 0 };
  if (h0 > maxDepth) return { solvable: false, status: 'limit', actions: [], expanded: 0 };

  // Nodes (one per push; a cheaper path to a known state adds a new node that the index then points to, and
  // marks the old one stale).
  // The pushed box's old cell is the node's player cell, so a node keeps only the push direction (bits 0-1) and
  // a stale flag (bit 2); its h travels in the open list's bucket.
  const store = new StateStore(width, 64, { maxValue: n - 1, maxLoad: 0.75 });
  let cap = 64;
  let parent = new Int32Array(cap);
  let gOf = new Int32Array(cap);
  let info = new Uint8Array(cap);
  let cfgNext = new Int32Array(cap);
  const grow = (): void => {
    cap *= 2;
    parent = grown(parent, cap);
    gOf = grown(gOf, cap);
    info = grown(info, cap);
    cfgNext = grown(cfgNext, cap);
  };
  const open = new BucketQueue();
  /** Appends a node; `lookedUp`: `state` was the store's latest lookup (its probe slot is reused). */
  const add = (state: ArrayLike<number>, from: number, dir: number, g: number, h: number, lookedUp: boolean): void => {
    const id = store.append(state);
    if (lookedUp) store.indexLookedUp(id);
    else store.index(id);
    if (id === cap) grow();
    parent[id] = from;
    info[id] = dir;
    gOf[id] = g;
    open.push(id, g + h, h);
  };
  add([level.player, ...level.boxes], -1, 0, 0, h0, false);
  info[0] = EVALUATED;

  // h depends on the player's region only for boxes on cells whose sides split (corridors, doorways). Many
  // push states share a box configuration, so the side-minimum matching is cached per configuration; it is the
  // exact h unless some box on a split cell has the player in a region with a larger cost to some target (exact
  // costs are never below the side minima), and only then is the exact matching computed.
  const hStore = new StateStore(k, 64, { maxValue: n - 1, maxLoad: 0.75 });
  let hVals = new Uint16Array(64);
  /** Per configuration, the newest expanded node with those boxes; older ones follow through `cfgNext`. */
  let cfgHead = new Int32Array(64).fill(-1);
  const labelled = analysis.regions?.cellLabels ?? [];
  const boxKey = new Array<number>(k);
  const targetCount = analysis.pushDist.length;
  const heuristic = (state: readonly number[]): number => {
    for (let j = 0; j < k; j++) boxKey[j] = state[j + 1] as number;
    let hMin: number;
    const known = hStore.lookup(boxKey);
    if (known !== -1) hMin = hVals[known] as number;
    else {
      const m = matchingCost(analysis, boxKey);
      hMin = m <= MAX_H ? m : 0xffff;
      const id = hStore.append(boxKey);
      hStore.indexLookedUp(id);
      if (id >= hVals.length) {
        const grown = new Uint16Array(hVals.length * 2);
        grown.set(hVals);
        hVals = grown;
        const heads = new Int32Array(hVals.length).fill(-1);
        heads.set(cfgHead);
        cfgHead = heads;
      }
      hVals[id] = hMin;
    }
    if (hMin > MAX_H) return hMin;
    const player = state[0] as number;
    for (let j = 0; j < k; j++) {
      const b = boxKey[j] as number;
      if (labelled[b] === undefined) continue;
      for (let t = 0; t < targetCount; t++) {
        if (boxCost(analysis, t, b, player) !== ((analysis.pushDist[t] as Float64Array)[b] as number)) {
          const m = matchingCost(analysis, boxKey, player);
          return m <= MAX_H ? m : 0xffff;
        }
      }
    }
    return hMin;
  };
  const boxAt = new Int32Array(n).fill(-1);
  const dist = new Int32Array(n);
  const markAt = new Int32Array(n);
  const markG = new Int32Array(n);
  const queue = new Int32Array(n);
  const next = new Array<number>(width);
  const cur = new Array<number>(width);
  const boxes = new Array<number>(k);
  let expanded = 0;
  let barren = 0;
  let skipped = 0;
  let cut = false;
  const frozen = new FreezeCheck(walls, targets, analysis.dead, cols, boxAt);
  const solved = (id: number): SolveResult => ({
    solvable: true,
    status: 'solved',
    actions: rebuild(level, id, parent, info, store),
    expanded,
  });
  const report = (status: SolveResult['status']): SolveResult => {
    options.onStats?.({ expanded, nodes: store.count, barren, dominated: skipped, bytes: bytes() });
    return status === 'solved' ? solved(store.count - 1) : { solvable: false, status, actions: [], expanded };
  };
  const bytes = (): number => store.bytes + hStore.bytes + hVals.byteLength + open.bytes + cfgHead.byteLength + cfgNext.byteLength + parent.byteLength + gOf.byteLength + info.byteLength;

  while (open.size > 0) {
    const s = open.pop();
    if (((info[s] as number) & STALE) !== 0) continue; // a cheaper node for the same state exists
    const cells = store.cells;
    const base = s * width;
    const g = gOf[s] as number;
    let hHere = open.lastH;
    let onTargets = 0;
    for (let j = 0; j < k; j++) {
      const b = cells[base + 1 + j] as number;
      boxes[j] = b;
      onTargets += targets[b] as number;
    }
    if (onTargets !== k && ((info[s] as number) & EVALUATED) === 0) {
      // Queued under its parent's h - 1 (see the header); compute the real h now and re-queue if it is larger.
      info[s] = (info[s] as number) | EVALUATED;
      cur[0] = cells[base] as number;
      for (let j = 0; j < k; j++) cur[j + 1] = boxes[j] as number;
      const h = heuristic(cur);
      if (h > MAX_H) continue; // no assignment of boxes to targets is possible
      if (g + h > maxDepth) {
        cut = true;
        continue;
      }
      if (h > hHere) {
        open.push(s, g + h, h);
        continue;
      }
    }
    const fHere = g + hHere;
    if (onTargets === k) {
      options.onStats?.({ expanded, nodes: store.count, barren, dominated: skipped, bytes: bytes() });
      return solved(s);
    }
    if (expanded >= maxExpansions) return report('limit');
    if ((expanded & 1023) === 0 && deadline !== undefined && performance.now() > deadline) return report('limit');
    const before = store.count;
    info[s] = (info[s] as number) | STALE; // expanded: only a strictly cheaper path re-opens it (as a new node)
    for (let j = 0; j < k; j++) boxAt[boxes[j] as number] = s;
    // Dominance: an expanded node with the same boxes whose player can walk here within this node's g already
    // generated every successor of this one at no higher cost (its walk to any push <= the walk between the two
    // players + this node's walk). Mark those players' cells, then check them as the walking BFS reaches them.
    const config = hStore.lookup(boxes);
    const head = config === -1 ? -1 : (cfgHead[config] as number);
    const stamp = s + 1;
    for (let e = head; e !== -1; e = cfgNext[e] as number) {
      const c = cells[e * width] as number;
      const ge = gOf[e] as number;
      if (markAt[c] !== stamp || ge < (markG[c] as number)) {
        markAt[c] = stamp;
        markG[c] = ge;
      }
    }
    // Walking distances from the player, boxes as obstacles.
    dist.fill(-1);
    const player = cells[base] as number;
    dist[player] = 0;
    queue[0] = player;
    let dominated = head !== -1 && markAt[player] === stamp && (markG[player] as number) <= g;
    for (let qh = 0, qt = 1; qh < qt && !dominated; qh++) {
      const x = queue[qh] as number;
      const dx = (dist[x] as number) + 1;
      for (let m = 0; m < 4; m++) {
        const y = x + (offsets[m] as number);
        if (walls[y] !== 0 || dist[y] !== -1 || boxAt[y] === s) continue;
        dist[y] = dx;
        queue[qt++] = y;
        if (markAt[y] === stamp && (markG[y] as number) + dx <= g) dominated = true;
      }
    }
    if (dominated) {
      for (let j = 0; j < k; j++) boxAt[boxes[j] as number] = -1;
      skipped++;
      continue;
    }
    if (config !== -1) {
      cfgNext[s] = head;
      cfgHead[config] = s;
    }
    expanded++;
    for (let j = 0; j < k; j++) {
      const b = boxes[j] as number;
      for (let m = 0; m < 4; m++) {
        const off = offsets[m] as number;
        const walk = dist[b - off] as number;
        const to = b + off;
        if (walk < 0 || walls[to] !== 0 || boxAt[to] === s || analysis.dead[to] === 1) continue;
        const g2 = g + walk + 1;
        if (g2 > maxDepth) {
          cut = true;
          continue;
        }
        next[0] = b;
        for (let i = 0; i < k; i++) next[i + 1] = i === j ? to : (boxes[i] as number);
        sortTail(next);
        const known = store.lookup(next);
        if (known !== -1 && (gOf[known] as number) <= g2) continue;
        // Apply the push, test for a freeze deadlock, then undo the occupancy change.
        boxAt[b] = -1;
        boxAt[to] = s;
        const deadlocked = frozen.isDeadlocked(to, s);
        boxAt[to] = -1;
        boxAt[b] = s;
        if (deadlocked) continue;
        let all = true;
        for (let i = 1; i <= k && all; i++) all = targets[next[i] as number] === 1;
        // Lazy h: a push lowers the fewest-pushes-to-go by at most one, so hHere - 1 is admissible for the child.
        const h = all ? 0 : hHere > 0 ? hHere - 1 : 0;
        if (g2 + h > maxDepth) {
          cut = true;
          continue;
        }
        if (known !== -1) info[known] = (info[known] as number) | STALE;
        add(next, s, m, g2, h, true);
        // A goal no dearer than the cheapest open f is optimal (see the header).
        if (all && g2 <= fHere) return report('solved');
      }
    }
    for (let j = 0; j < k; j++) boxAt[boxes[j] as number] = -1;
    if (store.count === before) barren++;
  }
  return report(cut ? 'limit' : 'unsolvable');
}

/**
 * The level with every box that is frozen on a target (with its whole frozen group on targets) turned into a wall
 * and its target dropped, or null when some box starts in a freeze deadlock. Such boxes can never move, so the
 * reduced level has exactly the same solutions (player moves are unchanged; those cells were never enterable).
 */
function wallUpFrozenBoxes(level: Level): Level | null {
  const n = level.walls.length;
  const boxAt = new Int32Array(n).fill(-1);
  for (const b of level.boxes) boxAt[b] = 1;
  const dead = analyzePushes(level).dead;
  const check = new FreezeCheck(level.walls, level.targets, dead, level.cols, boxAt);
  const frozen: number[] = [];
  for (const b of level.boxes) {
    const c = check.classify(b, 1);
    if (c === 'deadlock') return null;
    if (c === 'frozen' && level.targets[b] === 1) frozen.push(b);
  }
  if (frozen.length === 0 || frozen.length === level.boxes.length) return level;
  const walls = Uint8Array.from(level.walls);
  const targets = Uint8Array.from(level.targets);
  for (const b of frozen) {
    walls[b] = 1;
    targets[b] = 0;
  }
  return { ...level, walls, targets, boxes: level.boxes.filter((b) => !frozen.includes(b)) };
}

const STALE = 4;
/** The node's real h has been computed (it was queued under a provisional one). */
const EVALUATED = 8;

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

/** Replays the pushes from the start, walking shortest paths (Up, Down, Left, Right order) between them. */
function rebuild(level: Level, goal: number, parent: Int32Array, info: Uint8Array, store: StateStore): Direction[] {
  const chain: number[] = [];
  for (let s = goal; parent[s] !== -1; s = parent[s] as number) chain.push(s);
  chain.reverse();
  const { cols, walls } = level;
  const offsets = DIRECTIONS.map((d) => stepOffset(d, cols));
  const boxes = new Set(level.boxes);
  let player = level.player;
  const out: Direction[] = [];
  for (const s of chain) {
    const box = store.cells[s * store.width] as number; // the player stands where the pushed box was
    const m = (info[s] as number) & 3;
    const off = offsets[m] as number;
    out.push(...walkPath(player, box - off, walls, boxes, offsets));
    out.push(DIRECTIONS[m] as Direction);
    boxes.delete(box);
    boxes.add(box + off);
    player = box;
  }
  return out;
}

/** Shortest walk (BFS, moves in Up, Down, Left, Right order) avoiding walls and boxes. */
export function walkPath(from: number, to: number, walls: Uint8Array, boxes: ReadonlySet<number>, offsets: readonly number[]): Direction[] {
  if (from === to) return [];
  const prev = new Map<number, number>([[from, -1]]);
  const how = new Map<number, number>();
  const queue = [from];
  for (let q = 0; q < queue.length; q++) {
    const x = queue[q] as number;
    for (let m = 0; m < 4; m++) {
      const y = x + (offsets[m] as number);
      if (walls[y] !== 0 || boxes.has(y) || prev.has(y)) continue;
      prev.set(y, x);
      how.set(y, m);
      if (y === to) {
        const path: Direction[] = [];
        for (let c = y; c !== from; c = prev.get(c) as number) path.push(DIRECTIONS[how.get(c) as number] as Direction);
        return path.reverse();
      }
      queue.push(y);
    }
  }
  throw new Error('Internal error: A* rebuilt a walk to an unreachable cell');
}
