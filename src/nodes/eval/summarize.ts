/**
 * Per-split summary of recorded episodes (success rate, mean validity, Wilson 95 % interval) — the same numbers the
 * `eval_summary` SQL view computes, written to the evaluator's `summary` output for the report.
 */
import type { EvalSummary, SplitSummary } from './summary.js';
import { wilsonInterval } from './wilson.js';

/** Summarizes episodes split by split, keeping the splits' first-seen order. */
export function summarizeSplits(episodes: readonly { split: string; success: boolean; valid: number }[]): SplitSummary[] {
  const order: string[] = [];
  const groups = new Map<string, { n: number; k: number; valid: number }>();
  for (const e of episodes) {
    let g = groups.get(e.split);
    if (g === undefined) {
      g = { n: 0, k: 0, valid: 0 };
      groups.set(e.split, g);
      order.push(e.split);
    }
    g.n++;
    g.k += e.success ? 1 : 0;
    g.valid += e.valid;
  }
  return order.map((split) => {
    const g = groups.get(split) as { n: number; k: number; valid: number };
    const ci = wilsonInterval(g.k, g.n);
    return { split, episodes: g.n, successes: g.k, success: g.k / g.n, valid: g.valid / g.n, ci_low: ci.low, ci_high: ci.high };
  });
}

/** The evaluator's `summary` output document. */
export function evalSummary(
  task: string,
  method: string,
  node: string,
  temperature: number,
  episodes: readonly { split: string; success: boolean; valid: number }[],
): EvalSummary {
  return { format: 'pipe.eval-summary/1', task, method, node, temperature, splits: summarizeSplits(episodes) };
}
