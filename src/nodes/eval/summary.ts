/**
 * The evaluation summary file format: what `eval.sokoban` / `eval.gp` write to their `summary` output and what the
 * report reads. One file per evaluator node, one entry per split.
 */

/** Success/validity of one split, with the 95 % Wilson interval on success. */
export interface SplitSummary {
  readonly split: string;
  readonly episodes: number;
  readonly successes: number;
  readonly success: number;
  /** Mean per-episode validity (fraction of turns whose output parsed to an action; GP: 0/1). */
  readonly valid: number;
  readonly ci_low: number;
  readonly ci_high: number;
}

/** The whole `summary` output of one evaluator node. */
export interface EvalSummary {
  readonly format: 'pipe.eval-summary/1';
  /** The task's name (its entry in src/nodes/tasks.ts), e.g. 'sokoban'. */
  readonly task: string;
  readonly method: string;
  /** Node instance id, e.g. `eval[seed=2]`: distinguishes seeds of one method. */
  readonly node: string;
  readonly temperature: number;
  readonly splits: readonly SplitSummary[];
}

/** Parses and checks a summary file's JSON; throws a message naming `source` when it is not one. */
export function parseEvalSummary(text: string, source: string): EvalSummary {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new Error(`${source}: not JSON`, { cause });
  }
  const v = value as Partial<EvalSummary> | null;
  if (v === null || typeof v !== 'object' || v.format !== 'pipe.eval-summary/1' || !Array.isArray(v.splits)) {
    throw new Error(`${source}: not an evaluation summary (expected format 'pipe.eval-summary/1')`);
  }
  return v as EvalSummary;
}
