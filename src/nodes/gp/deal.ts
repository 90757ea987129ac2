/**
 * Dealing General Points tasks (docs/paper.md §2): draw cards uniformly from 1..largest, force one out-of-distribution
 * card when the spec says so (`ood`), shuffle, and re-deal until the deal is solvable — at most 50 re-deals, after
 * which the task is skipped (null), like the reference. Seeded through src/util/rng.ts (evaluation sets use seed
 * 42 + task index), so every task is a pure function of (spec, seed).
 */
import { Rng } from '../../util/rng.js';
import { cardSymbol } from './cards.js';
import { rankValue, resolveFaceMapping, type FaceMapping } from './face-mappings.js';
import { solveGpDetailed, type GpSolution } from './solver.js';
import { resolveGpSplit, type GpDealSpec } from './splits.js';

/**
 * A dealt task. This object is also the JSONL row of `gp.evalset` (same field names), so a row read back with
 * JSON.parse can be rendered and scored directly.
 */
export interface GpTask {
  readonly split: string;
  readonly index: number;
  readonly seed: number;
  /** Card ranks 1..19 (1 = A, 11 = J, 12 = Q, 13 = K). */
  readonly cards: readonly number[];
  /** The cards as shown: 'A', '2'..'10', 'J', 'Q', 'K', '14'..'19'. */
  readonly display_cards: readonly string[];
  readonly promptMapping: string;
  readonly scoringMapping: string;
  /** The face values the prompt states (so a prompt renders without looking the mapping up by name). */
  readonly promptFaces?: { readonly J: number; readonly Q: number; readonly K: number };
  /** The numbers the prompt says the cards are worth. */
  readonly promptValues: readonly number[];
  /** The numbers a correct formula must use (scoring mapping); what the scorer checks. */
  readonly values: readonly number[];
  readonly target: number;
  /** One solution over `values` (exact; float-exact under the scorer when one exists). */
  readonly solution: string;
  /** Whether `solution` also scores +5 (Python float evaluation gives the target). */
  readonly solutionScores: boolean;
}

/** Options of `dealTask`. */
export interface DealOptions {
  /** Index recorded in the task (default 0). */
  readonly index?: number;
  /** Re-deals after the first deal (default 50, the reference's). */
  readonly maxRedeals?: number;
  /**
   * Which deals count as solvable: 'exact' (the reference: some formula equals the target over rationals) or
   * 'scorable' (some formula also scores +5 under float evaluation; used for training data so every answer scores).
   */
  readonly require?: 'exact' | 'scorable';
}

/** Draws one hand of card ranks for a spec (before the solvability check). */
export function drawCards(spec: GpDealSpec, rng: Rng): number[] {
  const cards: number[] = [];
  const free = spec.forced === 'none' ? spec.numCards : spec.numCards - 1;
  for (let i = 0; i < free; i++) cards.push(rng.range(1, spec.largestCard));
  if (spec.forced === 'face') {
    if (spec.largestCard < 11) throw new RangeError(`split ${spec.name}: a face card needs largestCard ≥ 11`);
    cards.push(rng.range(11, Math.min(13, spec.largestCard)));
  } else if (spec.forced === 'large') {
    if (spec.largestCard < 14) throw new RangeError(`split ${spec.name}: a large card needs largestCard ≥ 14`);
    cards.push(rng.range(14, spec.largestCard));
  }
  return rng.shuffle(cards);
}

/**
 * Deals the task of `split` (a name or a spec) for `seed`; null when 51 deals in a row were unsolvable (the
 * reference skips such tasks).
 */
export function dealTask(split: string | GpDealSpec, seed: number, options: DealOptions = {}): GpTask | null {
  const spec = typeof split === 'string' ? resolveGpSplit(split) : split;
  const promptMapping = asMapping(spec.promptMapping);
  const scoringMapping = asMapping(spec.scoringMapping);
  const rng = new Rng(seed);
  const maxRedeals = options.maxRedeals ?? 50;
  for (let attempt = 0; attempt <= maxRedeals; attempt++) {
    const cards = drawCards(spec, rng);
    const values = cards.map((c) => rankValue(c, scoringMapping));
    const solution: GpSolution | null = solveGpDetailed(values, spec.target);
    if (solution === null || (options.require === 'scorable' && !solution.floatExact)) continue;
    return {
      split: spec.name,
      index: options.index ?? 0,
      seed,
      cards,
      display_cards: cards.map(cardSymbol),
      promptMapping: promptMapping.name,
      scoringMapping: scoringMapping.name,
      promptFaces: { J: promptMapping.J, Q: promptMapping.Q, K: promptMapping.K },
      promptValues: cards.map((c) => rankValue(c, promptMapping)),
      values,
      target: spec.target,
      solution: solution.formula,
      solutionScores: solution.floatExact,
    };
  }
  return null;
}

function asMapping(m: string | FaceMapping): FaceMapping {
  return typeof m === 'string' ? resolveFaceMapping(m) : m;
}
