/**
 * The task registry: every task the node library evaluates (see eval/task.ts for what a task gives). `eval.curve`
 * and the report look tasks up here (by the wired evaluation set, by evaluator kind), so adding a task is its folder
 * plus one line in this list (one in src/nodes/rl-tasks.ts if it has RL rows, and its kinds in src/nodes/index.ts).
 */
import type { EvalTask } from './eval/task.js';
import { gpTask } from './gp/task.js';
import { sokobanTask } from './sokoban/task.js';

/** A task whatever its spec and params types (each task types its own; the nodes here pass them through). */
export type AnyTask = EvalTask<any, any>;

/** The tasks, in the order eval.curve lists their evaluation-set inputs. */
export const tasks: readonly AnyTask[] = [sokobanTask, gpTask];

/** The task whose evaluator kind is `kind`, if any. */
export function taskOfEvalKind(kind: string): AnyTask | undefined {
  return tasks.find((t) => t.evalKind === kind);
}
