/**
 * The `curve` document of `eval.curve` and the two ways of reading one checkpoint off it: the final one, and the
 * paper's rule — the step whose mean success over the non-Fake splits is highest (ties: the earlier step). The rule
 * selects on the test splits themselves, so its numbers are an optimistic estimate; the report says so.
 */
import type { SplitSummary } from './summary.js';

/** One evaluated step. */
export interface CurveStep {
  readonly step: number;
  readonly splits: readonly SplitSummary[];
}

/** What `eval.curve` writes as its `curve` output. */
export interface CurveDoc {
  readonly format: 'pipe.eval-curve/1';
  /** The task's name (its entry in src/nodes/tasks.ts). */
  readonly task: string;
  readonly method: string;
  readonly node: string;
  readonly temperature: number;
  readonly perSplit: number;
  readonly steps: readonly CurveStep[];
  /** Splits whose prompt states another mapping than the environment or scorer accepts. */
  readonly fake: readonly string[];
  /** The last step. */
  readonly finalStep: number;
  /** The step the paper's rule selects, and the mean it selected on. */
  readonly bestStep: number;
  readonly bestMean: number;
}

/** Mean success over the splits not in `fake` (NaN when there are none). */
export function nonFakeMean(step: CurveStep, fake: ReadonlySet<string>): number {
  const kept = step.splits.filter((s) => !fake.has(s.split));
  return kept.length === 0 ? Number.NaN : kept.reduce((a, s) => a + s.success, 0) / kept.length;
}

/** The final step and the paper's pick (best non-Fake mean, earliest on ties). */
export function pickCurveSteps(steps: readonly CurveStep[], fake: ReadonlySet<string>): { finalStep: number; bestStep: number; bestMean: number } {
  if (steps.length === 0) throw new Error('Internal error: a curve without steps');
  let best = steps[0] as CurveStep;
  let bestMean = nonFakeMean(best, fake);
  for (const s of steps.slice(1)) {
    const m = nonFakeMean(s, fake);
    if (m > bestMean || (Number.isNaN(bestMean) && !Number.isNaN(m))) {
      best = s;
      bestMean = m;
    }
  }
  return { finalStep: (steps[steps.length - 1] as CurveStep).step, bestStep: best.step, bestMean };
}
