/**
 * `eval.sokoban`: multi-turn, history-free rollouts of a checkpoint on `sokoban.evalset` environments, one row per
 * episode in `episodes`, and a per-split summary (success, validity, Wilson 95 % CI) as the `summary` output.
 */
import { evalKind } from '../eval/eval-kind.js';
import { sokobanTask } from './task.js';

export const evalSokobanKind = evalKind(sokobanTask, {
  description: 'Multi-turn Sokoban evaluation of a checkpoint on evalset environments (episodes + per-split summary)',
  module: import.meta.url,
});
