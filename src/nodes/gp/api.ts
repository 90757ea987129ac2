/**
 * The public General Points task API, for the evaluator, the GRPO reward and the CLI. Everything the dataset nodes
 * use is exported from here, so training data, evaluation and reward agree by construction.
 *
 * Typical use (evaluator / reward):
 * ```ts
 * const task = dealTask('fake', 42 + i, { index: i });            // or a row of gp.evalset's tasks.jsonl
 * const prompt = renderGpPrompt({ template: templateText, task });  // same renderer as gp.dataset
 * const { reward, valid } = scoreGp(modelOutput, task);             // paper reward: 5 / -1 / -2 / -3
 * ```
 */
export { cardSymbol, parseCard, isFaceRank, MIN_RANK, MAX_RANK } from './cards.js';
export {
  FACE_MAPPINGS,
  TRAIN_MAPPINGS,
  TEST_MAPPINGS,
  OOD_TEST_MAPPINGS,
  resolveFaceMapping,
  rankValue,
  faceCardMsg,
  faceCardCompact,
  assertTrainingPool,
  type FaceMapping,
} from './face-mappings.js';
export { GP_SPLITS, GP_SPLIT_NAMES, resolveGpSplit, trainingSpec, type GpSplit, type GpDealSpec, type ForcedCard } from './splits.js';
export { dealTask, drawCards, type GpTask, type DealOptions } from './deal.js';
export { solveGp, solveGpDetailed, type GpSolution, type SolveStep } from './solver.js';
export {
  scoreGp,
  extractFormula,
  gpParseMode,
  GP_REWARDS,
  type GpScore,
  type GpScorable,
  type GpReward,
  type GpScoreReason,
  type GpParseMode,
  type GpFormulaSource,
} from './scorer.js';
export {
  renderGpPrompt,
  formatGpAnswer,
  inferGpFormat,
  gpTemplateVars,
  type GpFormat,
  type GpPromptTask,
  type GpAnswerTask,
} from './prompt.js';
export { gpCot, gpValuesScaffold, type GpCotTask } from './cot.js';
export { pyEval, tokenize, checkTokenSequence, type PyValue, type PyEvalResult } from './py-eval.js';
