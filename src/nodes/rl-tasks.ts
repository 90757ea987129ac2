/**
 * The RL side of the task registry: how each task's RL rows are scored (see eval/rl-item.ts's `RlTask`).
 * `train.grpo` and `cot.generate` look tasks up here, by the schema of a row or by name. It is a list of its own,
 * beside src/nodes/tasks.ts, so that a trainer's implementation hash covers the tasks' reward code and not their
 * evaluation code; a new task adds a line to each list it takes part in.
 */
import type { RlTask } from './eval/rl-item.js';
import { gpRl } from './gp/rl-item.js';
import { sokobanRl } from './sokoban/rl-item.js';

/** The tasks' RL rows, in the order their schemas are tried. */
export const rlTasks: readonly RlTask[] = [sokobanRl, gpRl];

/** The RL rows of the task called `name`; an unknown name is a bug (names come from this list). */
export function rlTaskNamed(name: string): RlTask {
  const task = rlTasks.find((t) => t.name === name);
  if (task === undefined) throw new Error(`Internal error: unknown task '${name}'`);
  return task;
}
