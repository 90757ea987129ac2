/**
 * The generic pretraining corpus (pure): a seeded, deterministic stream of short documents with the skills a large
 * pretrained model brings to the paper's tasks and a model trained from scratch lacks — step-by-step arithmetic,
 * reading stated symbol bindings, reading/writing/moving on grids with coordinates, shortest routes on grids — and
 * nothing of the tasks themselves: no Sokoban or General Points prompt, no test word (`TEST_WORDS`), no test
 * format (test/nodes/corpus checks n-gram overlap with every evaluation prompt of every built-in split).
 */
import { Rng, deriveSeed } from '../../util/rng.js';
import { SPLITS } from '../sokoban/splits.js';
import { arithmeticDoc } from './arithmetic.js';
import { bindingDoc } from './binding.js';
import { findDoc, putDoc, readDoc, routeDoc, walkDoc } from './grids.js';

/** The document kinds and their default share of the corpus. */
export const CORPUS_MIX = Object.freeze({ arithmetic: 0.25, binding: 0.2, read: 0.1, find: 0.1, put: 0.1, walk: 0.15, route: 0.1 });
export type CorpusDocKind = keyof typeof CORPUS_MIX;

/**
 * Every word an evaluation prompt binds to an action or shows as a card: the Sokoban splits' vocabularies (stated
 * and accepted) and the face cards of General Points. Random names must neither equal one nor (for words of two
 * or more characters) contain one, case-insensitively.
 */
export const TEST_WORDS: readonly string[] = Object.freeze([
  ...new Set([...Object.values(SPLITS).flatMap((s) => [...s.promptVocab, ...s.envVocab]), 'A', 'J', 'Q', 'K']),
]);

/** Whether a random name is free of the test words. */
export function isAllowedName(name: string): boolean {
  const lower = name.toLowerCase();
  return TEST_WORDS.every((w) => {
    const word = w.toLowerCase();
    return lower !== word && (word.length < 2 || !lower.includes(word));
  });
}

/** One corpus row, in the prompt/response schema the training nodes read. */
export interface CorpusRow {
  readonly data_source: string;
  readonly prompt: string;
  readonly response: string;
}

/** Options of a corpus. */
export interface CorpusOptions {
  readonly count: number;
  readonly seed: number;
  /** Relative weights of the document kinds; default CORPUS_MIX. */
  readonly mix?: Readonly<Partial<Record<CorpusDocKind, number>>>;
}

const MAKERS: Readonly<Record<CorpusDocKind, (rng: Rng) => { prompt: string; response: string }>> = {
  arithmetic: arithmeticDoc,
  binding: (rng) => bindingDoc(rng, isAllowedName),
  read: readDoc,
  find: findDoc,
  put: putDoc,
  walk: (rng) => walkDoc(rng, isAllowedName),
  route: routeDoc,
};

/** The corpus rows: row i is a pure function of (seed, i), its kind drawn by the mix. */
export function* generateCorpus(options: CorpusOptions): Generator<CorpusRow> {
  const mix = options.mix ?? CORPUS_MIX;
  const kinds = (Object.keys(CORPUS_MIX) as CorpusDocKind[]).filter((k) => (mix[k] ?? 0) > 0);
  const total = kinds.reduce((a, k) => a + (mix[k] ?? 0), 0);
  if (kinds.length === 0 || !(total > 0)) throw new Error('corpus: the mix gives every document kind weight 0');
  for (let i = 0; i < options.count; i++) {
    const rng = new Rng(deriveSeed(options.seed, 'corpus', i));
    let x = rng.next() * total;
    const kind = kinds.find((k) => (x -= mix[k] ?? 0) < 0) ?? (kinds[kinds.length - 1] as CorpusDocKind);
    yield { data_source: `corpus-${kind}`, ...MAKERS[kind](rng) };
  }
}
