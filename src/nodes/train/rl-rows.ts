/**
 * RL dataset rows (Parquet `rl` of a task's dataset node, e.g. `sokoban.dataset` / `gp.dataset`, docs/paper.md §6
 * schemas) as prompts with a reward function, the task detected from the schema through src/nodes/rl-tasks.ts. Shared by
 * GRPO (rewards) and CoT rejection sampling.
 */
import type { RlItem } from '../eval/rl-item.js';
import { rlTasks } from '../rl-tasks.js';

/** Turns RL Parquet rows into scored prompts, detecting the task from the schema. */
export function toRlItems(rows: readonly Readonly<Record<string, unknown>>[]): RlItem[] {
  if (rows.length === 0) throw new Error('RL dataset is empty');
  const first = rows[0] as Readonly<Record<string, unknown>>;
  const task = rlTasks.find((t) => t.matches(first));
  if (task !== undefined) return rows.map((row, i) => task.toItem(row, i));
  throw new Error(`RL dataset has columns [${Object.keys(first).join(', ')}]; expected ${rlTasks.map((t) => t.schema).join(' or ')} RL schema`);
}
