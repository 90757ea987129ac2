/**
 * RL dataset rows (Parquet `rl` of `sokoban.dataset` / `gp.dataset`, docs/paper.md §6 schemas) as prompts with a reward
 * function, the task detected from the schema. Shared by GRPO (rewards) and CoT rejection sampling.
 */
import type { RlItem } from '../eval/rl-item.js';
import { gpItem } from '../gp/rl-item.js';
import { sokobanItem } from '../sokoban/rl-item.js';

/** Turns RL Parquet rows into scored prompts, detecting the task from the schema. */
export function toRlItems(rows: readonly Readonly<Record<string, unknown>>[]): RlItem[] {
  if (rows.length === 0) throw new Error('RL dataset is empty');
  const first = rows[0] as Readonly<Record<string, unknown>>;
  if ('prompt' in first && 'reward_model' in first) return rows.map(sokobanItem);
  if ('question' in first) return rows.map(gpItem);
  throw new Error(`RL dataset has columns [${Object.keys(first).join(', ')}]; expected a Sokoban (prompt, reward_model) or GP (question, extra_info) RL schema`);
}
