/** What every Sokoban solver returns. */
import type { Direction } from './types.js';

/** Outcome of a solver run. */
export interface SolveResult {
  /** True when a solution was found (within the limits). */
  readonly solvable: boolean;
  /** 'solved'; 'unsolvable' = proved (the whole reachable space was searched); 'limit' = a limit stopped the search. */
  readonly status: 'solved' | 'unsolvable' | 'limit';
  /** An optimal (fewest moves) solution; [] when not solvable or already solved. */
  readonly actions: readonly Direction[];
  /** Number of states expanded. */
  readonly expanded: number;
}

/** Search limits shared by both solvers. */
export interface SolveOptions {
  /** Longest solution (in moves) searched for; default unlimited. RAGEN's BFS uses 30. */
  readonly maxDepth?: number;
  /** Stop after expanding this many states (status 'limit'); default 2,000,000 (BFS) / 3,000,000 (A*). */
  readonly maxExpansions?: number;
}

/** Default expansion cap: keeps hostile inputs to seconds and a few hundred MB. */
export const DEFAULT_MAX_EXPANSIONS = 2_000_000;

/**
 * A*'s default cap: its push-state nodes cost about 45 bytes (about 2.4 nodes per expansion), so 3M expansions
 * stay near 350 MB, and move-optimal classics such as XSokoban #1 (2.25M expansions) finish under the default.
 */
export const DEFAULT_ASTAR_MAX_EXPANSIONS = 3_000_000;
