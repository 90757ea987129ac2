/**
 * Room generator after gym-sokoban / RAGEN `room_utils.generate_room` (docs/paper.md §1), driven by pipe's seeded `Rng`:
 * 1. topology: a random walk of int(1.7·(rows+cols)) steps that changes direction with p = 0.35 and stamps one of
 *    five 3×3 floor masks per step; the border is wall;
 * 2. placement: the player, then each box, on a random floor cell; boxes start on their targets;
 * 3. reverse play: a DFS from the solved state using pulls only (ttl 30, at most 300,000 states) scoring each state
 *    box_swaps × Σ Manhattan(box, its target) — 0 unless every target is uncovered — and keeping the best;
 *    up to 4 tries while the score is 0;
 * 4. RAGEN's `add_random_player_movement`: with p = 0.8 (displacement 1) or 0.5, walk the player 1–3 steps onto
 *    unvisited free cells, continuing with p = 0.5.
 * Unlike the reference (which retries with a per-process string hash), a failed attempt — no scoring state, too few
 * floor cells, or no solution within `maxOptimal` moves — retries deterministically with `deriveSeed(seed, attempt)`.
 * Faithful quirk: gym-sokoban's (and RAGEN's) recursive DFS passes the root's `last_pull` to every child, so
 * box_swaps is in effect the number of pulls on the path; this favours longer reverse plays, and is kept so the
 * level distribution matches the paper's (mean optimal length ≈ 6 moves on 6×6 with one box).
 */
import { Rng, deriveSeed } from '../../util/rng.js';
import { solveAstar } from './solver-astar.js';
import type { Level } from './types.js';

/** What to generate: room size, box count and the seed. */
export interface GenerateOptions {
  /** [rows, cols], walls included; each side 4..30. */
  readonly size: readonly [number, number];
  readonly boxes: number;
  readonly seed: number;
  /** Reverse-play depth (ttl); default 30 (the paper's search_depth). */
  readonly searchDepth?: number;
  /** Accept only levels solvable in at most this many moves (checked with A*); default 30 = max_steps. */
  readonly maxOptimal?: number;
  /** Attempts (derived seeds) before giving up; default 200. */
  readonly maxAttempts?: number;
}

/** A generated level with its optimal length and how many derived seeds it took. */
export interface GeneratedLevel {
  readonly level: Level;
  /** The requested seed. */
  readonly seed: number;
  /** How many attempts it took (1 = the seed itself worked). */
  readonly attempts: number;
  /** Optimal solution length in moves. */
  readonly optimal: number;
}

const MASKS: readonly (readonly number[])[] = [
  [0, 0, 0, 1, 1, 1, 0, 0, 0],
  [0, 1, 0, 0, 1, 0, 0, 1, 0],
  [0, 0, 0, 1, 1, 0, 0, 1, 0],
  [0, 0, 0, 1, 1, 0, 1, 1, 0],
  [0, 0, 0, 0, 1, 1, 0, 1, 0],
];
const WALK: readonly (readonly [number, number])[] = [[1, 0], [0, 1], [-1, 0], [0, -1]];
const MAX_EXPLORED = 300_000;

/** Generates one level, deterministically from (size, boxes, seed). Throws when every attempt fails. */
export function generateLevel(options: GenerateOptions): GeneratedLevel {
  const [rows, cols] = options.size;
  const { boxes, seed } = options;
  if (![rows, cols].every((n) => Number.isInteger(n) && n >= 4 && n <= 30)) {
    throw new Error(`size must be two integers in 4..30, got ${rows}x${cols}`);
  }
  if (!Number.isInteger(boxes) || boxes < 1 || boxes > 8) throw new Error(`boxes must be an integer in 1..8, got ${boxes}`);
  if (!Number.isInteger(seed)) throw new Error(`seed must be an integer, got ${seed}`);
  const maxOptimal = options.maxOptimal ?? 30;
  const maxAttempts = options.maxAttempts ?? 200;
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const rng = new Rng(attempt === 0 ? seed >>> 0 : deriveSeed('sokoban.generate', seed, attempt));
    const level = generateRoom(rng, rows, cols, boxes, options.searchDepth ?? 30);
    if (level === null) continue;
    const solved = solveAstar(level, { maxDepth: maxOptimal, maxExpansions: 2_000_000 });
    if (!solved.solvable || solved.actions.length === 0) continue;
    return { level, seed, attempts: attempt + 1, optimal: solved.actions.length };
  }
  throw new Error(
    `could not generate a ${rows}x${cols} level with ${boxes} box(es) from seed ${seed} in ${maxAttempts} attempts`,
  );
}

/** One generation attempt (steps 1–4); null when it fails. */
export function generateRoom(rng: Rng, rows: number, cols: number, numBoxes: number, searchDepth = 30): Level | null {
  const n = rows * cols;
  for (let t = 0; t < 4; t++) {
    const open = topology(rng, rows, cols);
    const free: number[] = [];
    for (let i = 0; i < n; i++) if (open[i] === 1) free.push(i);
    if (free.length <= numBoxes + 1) continue;
    const player = rng.choice(free);
    const targets: number[] = [];
    for (let b = 0; b < numBoxes; b++) {
      const left = free.filter((c) => c !== player && !targets.includes(c));
      targets.push(rng.choice(left));
    }
    const best = reversePlay(open, cols, player, targets, searchDepth);
    if (best.score <= 0) continue;
    const walls = new Uint8Array(n);
    const targetMask = new Uint8Array(n);
    for (let i = 0; i < n; i++) walls[i] = open[i] === 1 ? 0 : 1;
    for (const c of targets) targetMask[c] = 1;
    const moveProbability = best.displacement === 1 ? 0.8 : 0.5;
    const finalPlayer = randomPlayerMovement(rng, walls, cols, best.player, new Set(best.boxes), moveProbability);
    return { rows, cols, walls, targets: targetMask, player: finalPlayer, boxes: [...best.boxes].sort((a, b) => a - b) };
  }
  return null;
}

function topology(rng: Rng, rows: number, cols: number): Uint8Array {
  const level = new Uint8Array(rows * cols);
  const steps = Math.floor(1.7 * (rows + cols));
  let dir = rng.choice(WALK);
  let r = rng.range(1, rows - 1);
  let c = rng.range(1, cols - 1);
  for (let s = 0; s < steps; s++) {
    if (rng.next() < 0.35) dir = rng.choice(WALK);
    r = Math.max(Math.min(r + dir[0], rows - 2), 1);
    c = Math.max(Math.min(c + dir[1], cols - 2), 1);
    const mask = rng.choice(MASKS);
    for (let i = 0; i < 9; i++) if (mask[i] === 1) level[(r - 1 + Math.floor(i / 3)) * cols + (c - 1 + (i % 3))] = 1;
  }
  for (let i = 0; i < rows; i++) level[i * cols] = level[i * cols + cols - 1] = 0;
  for (let j = 0; j < cols; j++) level[j] = level[(rows - 1) * cols + j] = 0;
  return level;
}

interface ReverseBest {
  score: number;
  displacement: number;
  player: number;
  boxes: number[];
}

/** DFS by pulls from the solved state; box i starts on targets[i]. */
function reversePlay(open: Uint8Array, cols: number, player: number, targets: readonly number[], ttl0: number): ReverseBest {
  const isTarget = new Uint8Array(open.length);
  for (const t of targets) isTarget[t] = 1;
  const offsets = [-cols, cols, -1, 1];
  const boxes = [...targets];
  const explored = new Set<string>();
  const best: ReverseBest = { score: -1, displacement: 0, player, boxes: [...boxes] };
  const manhattan = (): number =>
    boxes.reduce((s, b, i) => {
      const t = targets[i] as number;
      return s + Math.abs(Math.floor(b / cols) - Math.floor(t / cols)) + Math.abs((b % cols) - (t % cols));
    }, 0);

  const dfs = (p: number, swaps: number, ttl: number): void => {
    ttl -= 1;
    if (ttl <= 0 || explored.size >= MAX_EXPLORED) return;
    const key = String.fromCharCode(p, ...boxes);
    if (explored.has(key)) return;
    const displacement = manhattan();
    let score = swaps * displacement;
    if (isTarget[p] === 1 || boxes.some((b) => isTarget[b] === 1)) score = 0;
    if (score > best.score) {
      best.score = score;
      best.displacement = displacement;
      best.player = p;
      best.boxes = [...boxes];
    }
    explored.add(key);
    for (const off of offsets) {
      const next = p + off;
      if (open[next] !== 1 || boxes.includes(next)) continue;
      const pulled = boxes.indexOf(p - off);
      if (pulled >= 0) {
        boxes[pulled] = p;
        dfs(next, swaps + 1, ttl);
        boxes[pulled] = p - off;
      } else {
        dfs(next, swaps, ttl);
      }
    }
  };
  dfs(player, 0, ttl0);
  return best;
}

function randomPlayerMovement(
  rng: Rng,
  walls: Uint8Array,
  cols: number,
  start: number,
  boxes: ReadonlySet<number>,
  moveProbability: number,
): number {
  if (rng.next() > moveProbability) return start;
  let p = start;
  const visited = [p];
  let steps = 0;
  while (steps < 3) {
    const options = [-cols, cols, -1, 1]
      .map((off) => p + off)
      .filter((q) => walls[q] === 0 && !boxes.has(q) && !visited.includes(q));
    if (options.length === 0) break;
    p = rng.choice(options);
    visited.push(p);
    steps++;
    if (steps >= 3 || rng.next() > 0.5) break;
  }
  return p;
}
