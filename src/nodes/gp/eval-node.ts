/**
 * `eval.gp`: single-turn General Points evaluation of a checkpoint on `gp.evalset` tasks, one row per task in
 * `episodes` (success = +5, valid = reward ≥ −1), and a per-split summary as the `summary` output.
 */
import { evalKind } from '../eval/eval-kind.js';
import { gpTask } from './task.js';

export const evalGpKind = evalKind(gpTask, {
  description: 'Single-turn General Points evaluation of a checkpoint on evalset tasks (episodes + per-split summary)',
  module: import.meta.url,
});
