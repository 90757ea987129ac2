/**
 * The `episodes` table's row shape, shared by both evaluators so one view covers both tasks (same columns, same
 * types; `optimal` is null where it has no meaning).
 */
export type EpisodeRow = {
  /** The task's name (its entry in src/nodes/tasks.ts), e.g. 'sokoban'. */
  readonly task: string;
  readonly method: string;
  readonly split: string;
  /** Position of the split in the evaluation set (first-seen order), so summaries list splits as the input does. */
  readonly split_order: number;
  readonly idx: number;
  readonly env_seed: number;
  readonly success: boolean;
  readonly valid: number;
  readonly reward: number;
  readonly actions: number;
  readonly turns: number;
  readonly tokens: number;
  readonly optimal: number | null;
  readonly temperature: number;
  readonly output: string;
};

/** Outputs longer than this are cut in the table (the summary never needs them whole). */
export const MAX_OUTPUT_CHARS = 4000;

export function clip(text: string): string {
  return text.length > MAX_OUTPUT_CHARS ? `${text.slice(0, MAX_OUTPUT_CHARS)}…` : text;
}

/** Maps each split to its first-seen position in `items`. */
export function splitOrder(items: readonly { readonly split: string }[]): (split: string) => number {
  const order = new Map<string, number>();
  for (const it of items) if (!order.has(it.split)) order.set(it.split, order.size);
  return (split) => order.get(split) ?? order.size;
}

/** What both evaluators' rollouts produce per episode (`optimal` only where the task has one). */
export interface Episode {
  readonly split: string;
  readonly index: number;
  readonly env_seed: number;
  readonly success: boolean;
  readonly valid: number;
  readonly reward: number;
  readonly actions: number;
  readonly turns: number;
  readonly tokens: number;
  readonly optimal?: number | null;
  readonly output: string;
}

/** The `episodes` rows of one evaluation: one per episode, splits ranked in evaluation-set order. */
export function episodeRows(task: EpisodeRow['task'], method: string, temperature: number, episodes: readonly Episode[]): EpisodeRow[] {
  const rank = splitOrder(episodes);
  return episodes.map((e) => ({
    task,
    method,
    split: e.split,
    split_order: rank(e.split),
    idx: e.index,
    env_seed: e.env_seed,
    success: e.success,
    valid: e.valid,
    reward: e.reward,
    actions: e.actions,
    turns: e.turns,
    tokens: e.tokens,
    optimal: e.optimal ?? null,
    temperature,
    output: clip(e.output),
  }));
}
