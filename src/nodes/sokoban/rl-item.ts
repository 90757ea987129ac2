/**
 * Sokoban's RL rows (`sokoban.dataset`'s `rl`) as scored prompts: the single-step action reward through the mapping
 * the prompt states (1/0).
 */
import { lastContent, type RlItem, type RlTask } from '../eval/rl-item.js';
import { BASE_VOCAB, DIRECTIONS, sokobanStepReward, type Direction, type Vocab } from './api.js';

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

/** One Sokoban RL row (prompt + reward_model.ground_truth) as a scored prompt; `i` names the row in errors. */
export function sokobanItem(row: Readonly<Record<string, unknown>>, i: number): RlItem {
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

/** Sokoban's RL rows, as training and CoT sampling see them (registered in src/nodes/rl-tasks.ts). */
export const sokobanRl: RlTask = {
  name: 'sokoban',
  schema: 'a Sokoban (prompt, reward_model)',
  matches: (row) => 'prompt' in row && 'reward_model' in row,
  toItem: sokobanItem,
  rejectionSamples: 16,
  sftColumns: (item, response) => ({ prompt: item.prompt, response, ability: item.row.ability ?? 'bfs', reward_model: item.row.reward_model ?? {} }),
};
