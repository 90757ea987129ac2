/**
 * What the library's artifacts hold, in a few words each: kinds declare them as their input and output formats
 * (`pipe ls --kinds KIND`), and a node that gets an input in another format names the expected one in its error.
 */

/** SFT rows: what train.sft reads. */
export const SFT_PARQUET = 'Parquet with columns prompt, response (strings; sokoban.dataset, corpus.generic, cot.generate) or question (chat messages), answer (gp.dataset)';
/** RL rows: what train.grpo and cot.generate read. */
export const RL_PARQUET = "Parquet RL rows in the paper's schema: prompt + reward_model.ground_truth (sokoban.dataset rl) or question + extra_info (gp.dataset rl)";
/** A trained or imported model. */
export const MODEL_DIR = 'a model folder: a pipe checkpoint (model.onnx, checkpoint.json; from train.sft or train.grpo) or a Hugging Face model (model.hf)';
/** Sokoban levels. */
export const LEVELS_JSONL = 'JSONL, one level per line (xsb grid, optimal solution; from sokoban.levels)';
/** Sokoban evaluation environments. */
export const ENVS_JSONL = 'JSONL, one environment per line {split, index, seed, xsb, optimal, promptVocab, envVocab} (from sokoban.evalset)';
/** General Points evaluation tasks. */
export const TASKS_JSONL = 'JSONL, one task per line {split, index, seed, cards, …} (from gp.evalset)';
/** An evaluator's per-split summary. */
export const SUMMARY_JSON = 'JSON: per-split success and validity with Wilson 95% intervals (from eval.sokoban or eval.gp)';
/** A learning curve. */
export const CURVE_JSON = 'JSON: per-step, per-split summaries, the final and the best step (from eval.curve)';
