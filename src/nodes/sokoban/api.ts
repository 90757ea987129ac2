/**
 * The public Sokoban task API, for the evaluator, GRPO reward and anyone scripting pipe's task.
 *
 * Levels
 * - `parseLevel(text): Level` — XSB (`# @ + $ * .` space/`-`/`_`) or the paper's grid rendering (`# _ O √ X P S`, compact grids `V` for `√`);
 *   throws `LevelParseError {line, col, reason}`. `tryParseLevel` returns it as a value. `levelToXsb(level)`.
 * - `renderGrid(level)` — the paper's text observation (`" "+sym+" \t"` per cell, rows joined by "\n").
 * - `generateLevel({size: [rows, cols], boxes, seed})` — gym-sokoban/RAGEN generator, deterministic per seed.
 *
 * Environment
 * - `SokobanEnv.fromLevel(level, {maxSteps = 30})`; `env.step(dir) → {reward, done, success, moved, pushed}`;
 *   `env.render()`; `env.state` (a `Level` snapshot); `env.steps`, `env.done`, `env.success`, `env.clone()`.
 *
 * Splits and prompts
 * - `SPLITS` (paper tags → `{name, size, boxes, promptVocab, envVocab}`), `resolveSplit(nameOrObject)`,
 *   `PAPER_EVAL_TAGS` (the 8 evaluation tags in the paper's order).
 * - `renderSokobanPrompt({template, grid, vocab | split})` — the same function builds training rows, so prompts are
 *   identical at training and evaluation. `template` is the template file's TEXT (read the file yourself).
 * - `formatResponse({template, direction, vocab, think?})`, `answerFormat(template)`.
 * - `parseAction(modelOutput, envVocab | split): Direction | null` — first `<answer>…</answer>`, trimmed,
 *   case-insensitive; null = invalid (uses a turn, executes nothing). For Fake splits pass the split (or its
 *   `envVocab`), never the prompt vocabulary.
 * - `sokobanStepReward(output, promptVocab, bfsAction)` — GRPO single-step reward, 1 or 0.
 *
 * Solvers
 * - `solveBfs(level, {maxDepth, maxExpansions})` (labels: first shortest path in Up, Down, Left, Right order) and
 *   `solveAstar(level, opts)` (fast optimal) → `{solvable, status, actions, expanded}`; equal optimal lengths.
 */
export { DIRECTIONS, DELTAS, actionId, isSolved, type Direction, type Level } from './types.js';
export { parseLevel, tryParseLevel, levelToXsb, splitCollection, LevelParseError } from './level.js';
export { renderGrid, renderGridCompact, gridSymbols } from './render.js';
export { SokobanEnv, REWARDS, type StepResult, type EnvOptions } from './env.js';
export {
  SPLITS,
  SPLIT_ALIASES,
  PAPER_EVAL_TAGS,
  BASE_VOCAB,
  resolveSplit,
  builtInSplit,
  splitProblems,
  normalizeWord,
  lookupWord,
  type SokobanSplit,
  type Vocab,
} from './splits.js';
export {
  renderSokobanPrompt,
  formatResponse,
  answerFormat,
  parseAction,
  extractAnswer,
  isWellFormedResponse,
  sokobanStepReward,
  parseSokobanTemplate,
  vocabVars,
  isBaseVocab,
  RESPONSE_MARKER,
  type SokobanTemplate,
  type PromptOptions,
  type ResponseOptions,
} from './prompt.js';
export { solveBfs } from './solver-bfs.js';
export type { SolveResult, SolveOptions } from './solve-result.js';
export { solveAstar } from './solver-astar.js';
export { generateLevel, type GenerateOptions, type GeneratedLevel } from './generator.js';
export { solverTraceCot, verifyResponse, type CotStyle } from './cot.js';
export {
  assertPoolClean,
  generateBytePool,
  namedPool,
  poolByteCoverage,
  sampleVocab,
  builtinTestWords,
} from './pools.js';
export { WORD_POOL } from './word-pool.js';
export { buildRows, toRlRow, applyMove, type SftRow } from './rows.js';
export { readLevelRecords, type LevelRecord } from './level-record.js';
export { makeEvalEnvs, type EvalEnvRecord } from './evalset-node.js';
