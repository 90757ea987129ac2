/**
 * Evaluation and training splits as data (PAPER.md §1, §3): board size, box count, the action words the prompt
 * states (`promptVocab`) and the words the environment accepts (`envVocab`), both in Up, Down, Left, Right order.
 * Fake splits state one vocabulary and accept another. Pipelines may pass their own split object instead of a name.
 */
import type { Direction } from './types.js';

/** Four action words in Up, Down, Left, Right order. */
export type Vocab = readonly [string, string, string, string];

/** A split: room shape, box count, and the stated and accepted action words. */
export interface SokobanSplit {
  readonly name: string;
  /** [rows, cols] of the generated room (walls included). */
  readonly size: readonly [number, number];
  readonly boxes: number;
  readonly promptVocab: Vocab;
  readonly envVocab: Vocab;
}

/** The base vocabulary: the directions themselves. */
export const BASE_VOCAB: Vocab = ['Up', 'Down', 'Left', 'Right'];
const NUMERICAL: Vocab = ['1', '2', '3', '4'];
const ALPHABETICAL: Vocab = ['A', 'B', 'C', 'D'];
const RANDOM: Vocab = ['*', '&', '1', 'M'];
const CARDINAL: Vocab = ['North', 'South', 'West', 'East'];
const EMOJI: Vocab = ['⬆️', '⬇️', '⬅️', '➡️'];

function split(name: string, size: number, boxes: number, promptVocab: Vocab, envVocab: Vocab = promptVocab): SokobanSplit {
  return Object.freeze({ name, size: [size, size] as const, boxes, promptVocab, envVocab });
}

/** Every built-in split, keyed by the paper's tag. */
export const SPLITS: Readonly<Record<string, SokobanSplit>> = Object.freeze({
  SimpleSokoban: split('SimpleSokoban', 6, 1, BASE_VOCAB),
  LargerSokoban: split('LargerSokoban', 10, 1, BASE_VOCAB),
  TwoBoxesSokoban: split('TwoBoxesSokoban', 6, 2, BASE_VOCAB),
  ComplexSokoban: split('ComplexSokoban', 10, 2, BASE_VOCAB),
  SimpleSokobanNumerical: split('SimpleSokobanNumerical', 6, 1, NUMERICAL),
  SimpleSokobanAlphabetical: split('SimpleSokobanAlphabetical', 6, 1, ALPHABETICAL),
  SimpleSokobanRandom: split('SimpleSokobanRandom', 6, 1, RANDOM),
  SimpleSokobanCardinal: split('SimpleSokobanCardinal', 6, 1, CARDINAL),
  SimpleSokobanEmoji: split('SimpleSokobanEmoji', 6, 1, EMOJI),
  FakeSokobanNumerical: split('FakeSokobanNumerical', 6, 1, NUMERICAL, BASE_VOCAB),
  FakeSokobanCardinal: split('FakeSokobanCardinal', 6, 1, CARDINAL, BASE_VOCAB),
  FakeSokobanEmoji: split('FakeSokobanEmoji', 6, 1, EMOJI, BASE_VOCAB),
});

/** Short names accepted by `resolveSplit` (case-insensitive, like the tags). */
export const SPLIT_ALIASES: Readonly<Record<string, string>> = Object.freeze({
  id: 'SimpleSokoban',
  simple: 'SimpleSokoban',
  larger: 'LargerSokoban',
  large: 'LargerSokoban',
  twoboxes: 'TwoBoxesSokoban',
  complex: 'ComplexSokoban',
  numerical: 'SimpleSokobanNumerical',
  alphabetical: 'SimpleSokobanAlphabetical',
  random: 'SimpleSokobanRandom',
  cardinal: 'SimpleSokobanCardinal',
  emoji: 'SimpleSokobanEmoji',
  fake: 'FakeSokobanNumerical',
  fakenumerical: 'FakeSokobanNumerical',
  fakecardinal: 'FakeSokobanCardinal',
  fakeemoji: 'FakeSokobanEmoji',
});

/** The paper's eight evaluation tags, in its order (seeds 123+i follow this order). */
export const PAPER_EVAL_TAGS: readonly string[] = [
  'SimpleSokoban',
  'LargerSokoban',
  'ComplexSokoban',
  'TwoBoxesSokoban',
  'SimpleSokobanRandom',
  'SimpleSokobanNumerical',
  'SimpleSokobanAlphabetical',
  'FakeSokobanNumerical',
];

/** Resolves a split name (tag or alias, case-insensitive) or validates a user-declared split object. */
export function resolveSplit(nameOrObject: string | SokobanSplit | Readonly<Record<string, unknown>>): SokobanSplit {
  if (typeof nameOrObject === 'string') {
    const key = nameOrObject.trim();
    const direct = SPLITS[key];
    if (direct !== undefined) return direct;
    const lower = key.toLowerCase();
    const tag = Object.keys(SPLITS).find((k) => k.toLowerCase() === lower) ?? SPLIT_ALIASES[lower];
    const found = tag === undefined ? undefined : SPLITS[tag];
    if (found === undefined) {
      throw new Error(`unknown Sokoban split '${nameOrObject}'; known: ${Object.keys(SPLITS).join(', ')}`);
    }
    return found;
  }
  return validateSplit(nameOrObject as Readonly<Record<string, unknown>>);
}

function validateSplit(obj: Readonly<Record<string, unknown>>): SokobanSplit {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) throw new Error('a split must be a name or an object');
  const where = `split ${typeof obj.name === 'string' ? `'${obj.name}'` : '(unnamed)'}`;
  const known = new Set(['name', 'size', 'boxes', 'promptVocab', 'envVocab']);
  for (const k of Object.keys(obj)) if (!known.has(k)) throw new Error(`${where}: unknown field '${k}' (fields: ${[...known].join(', ')})`);
  if (typeof obj.name !== 'string' || obj.name.trim() === '') throw new Error(`${where}: 'name' must be a non-empty string`);
  const size = parseSize(obj.size, where);
  const boxes = obj.boxes;
  if (typeof boxes !== 'number' || !Number.isInteger(boxes) || boxes < 1 || boxes > 8) {
    throw new Error(`${where}: 'boxes' must be an integer from 1 to 8`);
  }
  const promptVocab = parseVocab(obj.promptVocab ?? BASE_VOCAB, `${where}: 'promptVocab'`);
  const envVocab = parseVocab(obj.envVocab ?? promptVocab, `${where}: 'envVocab'`);
  return Object.freeze({ name: obj.name, size, boxes, promptVocab, envVocab });
}

function parseSize(value: unknown, where: string): readonly [number, number] {
  let pair: unknown[] | undefined;
  if (typeof value === 'number') pair = [value, value];
  else if (typeof value === 'string') pair = value.split(/x/i).map((s) => Number(s.trim()));
  else if (Array.isArray(value)) pair = value;
  const ok = pair !== undefined && pair.length === 2 && pair.every((n) => typeof n === 'number' && Number.isInteger(n) && n >= 4 && n <= 20);
  if (!ok) throw new Error(`${where}: 'size' must be [rows, cols], "RxC" or a number, each side 4..20`);
  return Object.freeze([pair![0] as number, pair![1] as number] as const);
}

function parseVocab(value: unknown, where: string): Vocab {
  if (!Array.isArray(value) || value.length !== 4 || !value.every((w) => typeof w === 'string' && w.trim() !== '')) {
    throw new Error(`${where} must be 4 non-empty strings (Up, Down, Left, Right order)`);
  }
  const norm = value.map((w: string) => normalizeWord(w));
  if (new Set(norm).size !== 4) throw new Error(`${where} has words that are equal once case and spacing are ignored`);
  return Object.freeze(value.map((w: string) => w.trim())) as unknown as Vocab;
}

/**
 * How answers are compared: trimmed, lower-cased, emoji variation selectors dropped (so `⬆` and `⬆️` match,
 * as a tokenizer may emit either).
 */
export function normalizeWord(word: string): string {
  return word.trim().replace(/\uFE0F/g, '').toLowerCase();
}

/** The direction a vocabulary binds to `word`, or null. */
export function lookupWord(word: string, vocab: Vocab): Direction | null {
  const norm = normalizeWord(word);
  const i = vocab.findIndex((w) => normalizeWord(w) === norm);
  return i < 0 ? null : (['Up', 'Down', 'Left', 'Right'] as const)[i] ?? null;
}
