/**
 * The task registry: every task the node library knows (see eval/task.ts for what a task gives). `eval.curve`,
 * `train.grpo`, `cot.generate` and the report look tasks up here, by name, by evaluator kind or by the schema of an
 * RL row, so adding a task is its folder plus one line in this list.
 */
import type { EvalTask } from './eval/task.js';
import { gpTask } from './gp/task.js';
import { sokobanTask } from './sokoban/task.js';

/** A task whatever its spec and params types (each task types its own; the nodes here pass them through). */
export type AnyTask = EvalTask<any, any>;

/** The tasks, in the order RL schemas are tried and evaluation-set inputs are listed. */
export const tasks: readonly AnyTask[] = [sokobanTask, gpTask];

/** The task called `name`; an unknown name is a bug (names come from this list). */
export function taskNamed(name: string): AnyTask {
  const task = tasks.find((t) => t.name === name);
  if (task === undefined) throw new Error(`Internal error: unknown task '${name}'`);
  return task;
}

/** The task whose evaluator kind is `kind`, if any. */
export function taskOfEvalKind(kind: string): AnyTask | undefined {
  return tasks.find((t) => t.evalKind === kind);
}
