/**
 * What a task (Sokoban, General Points, …) gives the task-agnostic evaluation nodes: how to read its evaluation set
 * and how to roll out its episodes with a policy. Each task folder implements this once (`sokoban/task.ts`,
 * `gp/task.ts`) and src/nodes/tasks.ts lists them; `eval.curve` and the report pick a task from that list instead of
 * importing each task. (How a task's RL rows are scored is its `RlTask`, eval/rl-item.ts, listed apart in
 * src/nodes/rl-tasks.ts, so that training and CoT sampling do not depend on evaluation code, nor the reverse.)
 */
import type { TProperties } from '@sinclair/typebox';
import type { ProgressUpdate } from '../../engine/node-kind.js';
import type { Episode } from './episode-rows.js';
import type { Policy, SampleOptions } from './policy.js';

/** One episode to play: a line of the task's evaluation set. */
export interface EpisodeSpec {
  readonly split: string;
  readonly index: number;
  readonly seed: number;
}

/** What a rollout needs besides the policy and the episodes. */
export interface RolloutRequest<P> {
  /** The evaluating node's params (the shared evaluator params plus the task's `evalProps`). */
  readonly params: P;
  /** Sampling settings (the task adds its stop strings). */
  readonly sample: Omit<SampleOptions, 'seed' | 'stop'>;
  readonly seed: number;
  readonly signal?: AbortSignal;
  /** Progress in the task's own unit (Sokoban: turns; General Points: episodes). */
  readonly onProgress?: (update: ProgressUpdate) => void;
}

/** A task's rollout bound to a prompt template. */
export interface TaskRollout<Spec extends EpisodeSpec, P> {
  /** Strings that end an answer (generation stops there; an answer ending in one was not cut off). */
  readonly stop?: readonly string[];
  /** Plays every spec to the end; returns the episodes in the order of `specs`. */
  run(policy: Policy, specs: readonly Spec[], request: RolloutRequest<P>): Promise<Episode[]>;
}

/** A task, as the task-agnostic nodes see it. `P` are its evaluator's params as run() sees them. */
export interface EvalTask<Spec extends EpisodeSpec = EpisodeSpec, P = never> {
  /** The `task` column of episodes and of summary and curve documents, e.g. 'sokoban'. */
  readonly name: string;
  /** Its evaluator kind, e.g. 'eval.sokoban'. */
  readonly evalKind: string;
  /** Where its evaluation set comes in: the input name (`envs`), what it holds, and the kind that makes it. */
  readonly evalSet: { readonly input: string; readonly format: string; readonly from: string };
  /** What one evaluation-set line is called in errors ('environments', 'tasks'). */
  readonly episodeNoun: string;
  /** Params its evaluators add to the shared ones (Sokoban's turn and action limits); eval.curve takes them too. */
  readonly evalProps: TProperties;
  /** Checks and converts evaluation-set lines (errors name the line). */
  toSpecs(rows: readonly Record<string, unknown>[]): Spec[];
  /** Whether a spec belongs to a Fake-style split: its prompt states a mapping the environment or scorer refuses. */
  isFake(spec: Spec): boolean;
  /** The rollout for a template file's text (its code is loaded on first use). */
  rollout(template: string): Promise<TaskRollout<Spec, P>>;
  /** The report's words for an evaluator instance's task-specific params, e.g. its turn limits; undefined if none. */
  evalNote?(params: Readonly<Record<string, unknown>>): string | undefined;
}
