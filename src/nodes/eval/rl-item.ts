/**
 * An RL dataset row (Parquet `rl` of a task's dataset node, docs/paper.md §6 schemas) as a prompt with a reward
 * function. Shared by GRPO (rewards) and CoT rejection sampling (verification = maximal reward); each task folder
 * turns its own rows into these through its `RlTask`, listed in src/nodes/rl-tasks.ts.
 */

/** One RL prompt with its scorer. */
export interface RlItem {
  /** The task's name (its registry entry), e.g. 'sokoban'. */
  readonly task: string;
  readonly prompt: string;
  /** The task reward of a completion. */
  reward(output: string): number;
  /** The highest reward a completion can get (a verified sample). */
  readonly maxReward: number;
  /** The source row, for writing SFT rows back in the same schema. */
  readonly row: Readonly<Record<string, unknown>>;
}

/** The text of a prompt column: a plain string, or the last message's content of a chat list. */
export function lastContent(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.length > 0) {
    const c = (value[value.length - 1] as { content?: unknown }).content;
    if (typeof c === 'string') return c;
  }
  return undefined;
}

/** How a task's RL rows (its dataset node's `rl` Parquet) become scored prompts, and accepted samples SFT rows. */
export interface RlTask {
  /** The task's name, as in its `EvalTask` and its items' `task`. */
  readonly name: string;
  /** The schema in words, for the error when no task's schema fits: "a Sokoban (prompt, reward_model)". */
  readonly schema: string;
  /** Whether a row has this task's schema. */
  matches(row: Readonly<Record<string, unknown>>): boolean;
  /** Row `i` as a scored prompt (errors name the row). */
  toItem(row: Readonly<Record<string, unknown>>, i: number): RlItem;
  /** `cot.generate`'s samples per prompt when its `n` is not given (the paper's setting for the task). */
  readonly rejectionSamples: number;
  /** An accepted sample's task-specific SFT columns, in the task's SFT schema order (e.g. prompt, response, …). */
  sftColumns(item: RlItem, response: string): Record<string, unknown>;
}
