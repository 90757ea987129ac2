/**
 * General Points' RL rows (`gp.dataset`'s `rl`) as scored prompts: the paper's reward (−3…+5).
 */
import { lastContent, type RlItem, type RlTask } from '../eval/rl-item.js';
import { parseCard, rankValue, resolveFaceMapping, scoreGp } from './api.js';

/** One GP RL row (question + extra_info) as a scored prompt; `i` names the row in errors. */
export function gpItem(row: Readonly<Record<string, unknown>>, i: number): RlItem {
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

/** General Points' RL rows, as training and CoT sampling see them (registered in src/nodes/rl-tasks.ts). */
export const gpRl: RlTask = {
  name: 'gp',
  schema: 'GP (question, extra_info)',
  matches: (row) => 'question' in row,
  toItem: gpItem,
  rejectionSamples: 3,
  sftColumns: (item, response) => ({ question: item.prompt, answer: response }),
};
