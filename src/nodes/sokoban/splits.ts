/**
 * Evaluation and training splits as data (docs/paper.md §1, §3): board size, box count, the action words the prompt
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

/** The built-in split a name means (tag or alias, case-insensitive), or undefined. */
export function builtInSplit(name: string): SokobanSplit | undefined {
  const key = name.trim();
  const direct = SPLITS[key];
  if (direct !== undefined) return direct;
  const lower = key.toLowerCase();
  const tag = Object.keys(SPLITS).find((k) => k.toLowerCase() === lower) ?? SPLIT_ALIASES[lower];
  return tag === undefined ? undefined : SPLITS[tag];
}

/** Resolves a split name (tag or alias, case-insensitive) or validates a user-declared split object. */
export function resolveSplit(nameOrObject: string | SokobanSplit | Readonly<Record<string, unknown>>): SokobanSplit {
  if (typeof nameOrObject === 'string') {
    const found = builtInSplit(nameOrObject);
    if (found === undefined) throw new Error(`unknown Sokoban split '${nameOrObject}'; known: ${Object.keys(SPLITS).join(', ')}`);
    return found;
  }
  if ((Object.values(SPLITS) as readonly unknown[]).includes(nameOrObject)) return nameOrObject as SokobanSplit;
  const obj = nameOrObject as Readonly<Record<string, unknown>>;
  const where = `split ${typeof obj?.name === 'string' ? `'${obj.name}'` : '(unnamed)'}`;
  const problem = splitProblems(obj)[0];
  if (problem !== undefined) throw new Error(`${where}: ${[problem.path.join('.'), problem.message].filter((x) => x !== '').join(' ')}`);
  const promptVocab = Object.freeze(((obj.promptVocab ?? BASE_VOCAB) as string[]).map((w) => w.trim())) as unknown as Vocab;
  const envVocab = obj.envVocab === undefined ? promptVocab : (Object.freeze((obj.envVocab as string[]).map((w) => w.trim())) as unknown as Vocab);
  return Object.freeze({ name: (obj.name as string).trim(), size: parseSize(obj.size) as readonly [number, number], boxes: obj.boxes as number, promptVocab, envVocab });
}

/** A mistake in a split object: the path of the offending field inside it and what is wrong. */
export interface SplitProblem {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/**
 * Every mistake in a split as params give it (empty when it is fine): a name that is no built-in split (tags and
 * aliases, case-insensitive), or the mistakes of a split object (`splitProblems`).
 */
export function splitValueProblems(value: string | Readonly<Record<string, unknown>>): SplitProblem[] {
  if (typeof value !== 'string') return splitProblems(value);
  return builtInSplit(value) === undefined ? [{ path: [], message: `names no built-in split ('${value}'); known: ${Object.keys(SPLITS).join(', ')}` }] : [];
}

/** Interior cells a room needs per box (and for the player) before the generator can place and pull them. */
function minInterior(boxes: number): number {
  return 2 * boxes + 3;
}

/**
 * Every mistake in a user-declared split object (empty when it is fine): unknown fields, a missing or built-in
 * name (a name that resolves to a built-in split would make results ambiguous), a size the generator cannot fill
 * (sides 4..20, an interior of at least 2·boxes + 3 cells — a 4×4 room never generates), a box count outside 1..8,
 * and vocabularies that are not four distinct words (compared as answers are: trimmed, case-insensitive).
 */
export function splitProblems(obj: Readonly<Record<string, unknown>>): SplitProblem[] {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return [{ path: [], message: 'must be a split name or an object' }];
  const out: SplitProblem[] = [];
  const known = ['name', 'size', 'boxes', 'promptVocab', 'envVocab'];
  for (const k of Object.keys(obj)) if (!known.includes(k)) out.push({ path: [k], message: `is an unknown split field (fields: ${known.join(', ')})` });
  if (typeof obj.name !== 'string' || obj.name.trim() === '') out.push({ path: ['name'], message: 'must be a non-empty string' });
  else if (builtInSplit(obj.name) !== undefined) {
    out.push({ path: ['name'], message: `'${obj.name}' names the built-in split ${builtInSplit(obj.name)?.name}; give your split a name of its own` });
  }
  const size = parseSize(obj.size);
  const boxes = obj.boxes;
  const boxesOk = typeof boxes === 'number' && Number.isInteger(boxes) && boxes >= 1 && boxes <= 8;
  if (!boxesOk) out.push({ path: ['boxes'], message: 'must be an integer from 1 to 8' });
  if (size === undefined) out.push({ path: ['size'], message: 'must be [rows, cols], "RxC" or a number, each side 4..20' });
  else if (boxesOk && (size[0] - 2) * (size[1] - 2) < minInterior(boxes)) {
    out.push({
      path: ['size'],
      message: `${size[0]}x${size[1]} is too small for ${boxes} box(es): the generator needs an interior of at least ${minInterior(boxes)} cells`,
    });
  }
  for (const field of ['promptVocab', 'envVocab'] as const) {
    if (obj[field] === undefined) continue;
    out.push(...vocabProblems(obj[field]).map((p) => ({ path: [field, ...p.path], message: p.message })));
  }
  return out;
}

function parseSize(value: unknown): readonly [number, number] | undefined {
  let pair: unknown[] | undefined;
  if (typeof value === 'number') pair = [value, value];
  else if (typeof value === 'string') pair = value.split(/x/i).map((s) => Number(s.trim()));
  else if (Array.isArray(value)) pair = value;
  const ok = pair !== undefined && pair.length === 2 && pair.every((n) => typeof n === 'number' && Number.isInteger(n) && n >= 4 && n <= 20);
  return ok ? (Object.freeze([pair![0] as number, pair![1] as number]) as readonly [number, number]) : undefined;
}

function vocabProblems(value: unknown): SplitProblem[] {
  if (!Array.isArray(value) || value.length !== 4 || !value.every((w) => typeof w === 'string' && w.trim() !== '')) {
    return [{ path: [], message: 'must be 4 non-empty strings (Up, Down, Left, Right order)' }];
  }
  const norm = value.map((w: string) => normalizeWord(w));
  const out: SplitProblem[] = [];
  norm.forEach((w, i) => {
    const first = norm.indexOf(w);
    if (first < i) {
      out.push({ path: [i], message: `'${value[i] as string}' repeats word ${first + 1} ('${value[first] as string}'): the four words must differ (ignoring case and spacing)` });
    }
  });
  return out;
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
