/**
 * RL dataset rows (Parquet `rl` of `sokoban.dataset` / `gp.dataset`, docs/paper.md §6 schemas) as prompts with a reward
 * function: Sokoban's single-step action reward through the mapping the prompt states (1/0), General Points' paper
 * reward (−3…+5). Shared by GRPO (rewards) and CoT rejection sampling (verification = maximal reward).
 */
import { parseCard, rankValue, resolveFaceMapping, scoreGp } from '../gp/api.js';
import { BASE_VOCAB, DIRECTIONS, sokobanStepReward, type Direction, type Vocab } from '../sokoban/api.js';

export type RlTask = 'sokoban' | 'gp';

/** One RL prompt with its scorer. */
export interface RlItem {
  readonly task: RlTask;
  readonly prompt: string;
  /** The task reward of a completion. */
  reward(output: string): number;
  /** The highest reward a completion can get (a verified sample). */
  readonly maxReward: number;
  /** The source row, for writing SFT rows back in the same schema. */
  readonly row: Readonly<Record<string, unknown>>;
}

function lastContent(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.length > 0) {
    const c = (value[value.length - 1] as { content?: unknown }).content;
    if (typeof c === 'string') return c;
  }
  return undefined;
}

function isVocab(v: unknown): v is Vocab {
  return Array.isArray(v) && v.length === 4 && v.every((w) => typeof w === 'string');
}

/**
 * The action words a Sokoban prompt states, Up/Down/Left/Right order: from the row's metadata when the dataset
 * stored them, else read back from the prompt (`where w1 is Up, …` — the paper's extract_action_mapping — or the
 * compact `map: w1=Up …` line), else the base vocabulary.
 */
export function promptVocab(row: Readonly<Record<string, unknown>>, prompt: string): Vocab {
  const extra = (row.extra_info ?? {}) as Record<string, unknown>;
  const rm = (row.reward_model ?? {}) as Record<string, unknown>;
  for (const v of [extra.vocab, extra.promptVocab, extra.action_words, rm.vocab]) if (isVocab(v)) return v;
  const where = /where (.+?) is Up, (.+?) is Down, (.+?) is Left, (.+?) is Right\./.exec(prompt);
  if (where) return [where[1], where[2], where[3], where[4]] as unknown as Vocab;
  const map = /^map: (.+?)=Up (.+?)=Down (.+?)=Left (.+?)=Right$/m.exec(prompt);
  if (map) return [map[1], map[2], map[3], map[4]] as unknown as Vocab;
  return BASE_VOCAB;
}

function sokobanItem(row: Readonly<Record<string, unknown>>, i: number): RlItem {
  const prompt = lastContent(row.prompt);
  const gt = ((row.reward_model ?? {}) as { ground_truth?: unknown }).ground_truth;
  const first = Array.isArray(gt) ? gt[0] : gt;
  const action = typeof first === 'number' || typeof first === 'bigint' ? Number(first) : NaN;
  if (prompt === undefined || !(action >= 1 && action <= 4)) {
    throw new Error(`RL row ${i}: expected prompt and reward_model.ground_truth [action id 1..4] (Sokoban RL schema)`);
  }
  const vocab = promptVocab(row, prompt);
  const dir = DIRECTIONS[action - 1] as Direction;
  return { task: 'sokoban', prompt, maxReward: 1, row, reward: (out) => sokobanStepReward(out, vocab, dir) };
}

function gpItem(row: Readonly<Record<string, unknown>>, i: number): RlItem {
  const prompt = lastContent(row.question);
  const extra = (row.extra_info ?? {}) as Record<string, unknown>;
  const target = typeof extra.target === 'number' ? extra.target : 24;
  let values: number[] | undefined;
  // The reference's naming: `display_cards` holds the numbers, `cards` the symbols.
  if (Array.isArray(extra.display_cards) && extra.display_cards.every((v) => typeof v === 'number')) values = extra.display_cards as number[];
  else if (Array.isArray(extra.cards) && typeof extra.face_card_mapping === 'string') {
    const m = resolveFaceMapping(extra.face_card_mapping);
    values = (extra.cards as unknown[]).map((c) => rankValue(parseCard(String(c)), m));
  }
  if (prompt === undefined || values === undefined) {
    throw new Error(`RL row ${i}: expected question and extra_info {display_cards (numbers) | cards + face_card_mapping, target} (GP RL schema)`);
  }
  const task = { values, target };
  return { task: 'gp', prompt, maxReward: 5, row, reward: (out) => scoreGp(out, task, { mode: 'any' }).reward };
}

/** Turns RL Parquet rows into scored prompts, detecting the task from the schema. */
export function toRlItems(rows: readonly Readonly<Record<string, unknown>>[]): RlItem[] {
  if (rows.length === 0) throw new Error('RL dataset is empty');
  const first = rows[0] as Readonly<Record<string, unknown>>;
  if ('prompt' in first && 'reward_model' in first) return rows.map(sokobanItem);
  if ('question' in first) return rows.map(gpItem);
  throw new Error(`RL dataset has columns [${Object.keys(first).join(', ')}]; expected a Sokoban (prompt, reward_model) or GP (question, extra_info) RL schema`);
}
