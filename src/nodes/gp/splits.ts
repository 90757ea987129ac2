/**
 * The General Points evaluation splits (docs/paper.md §3, `create_test_dataset.py`) as data: how many cards, which
 * face-card mapping the prompt states, which one scoring uses (they differ only for the Fake splits), and which
 * card the deal forces (`ood`: one face card, or one card in 14..largest for Large).
 */
import { resolveFaceMapping, type FaceMapping } from './face-mappings.js';

/** How a deal forces an out-of-distribution card (the reference's `ood` flag). */
export type ForcedCard = 'face' | 'large' | 'none';

/** A recipe for dealing tasks. Evaluation splits are named specs; training uses `trainingSpec`. */
export interface GpDealSpec {
  readonly name: string;
  readonly numCards: number;
  /** The mapping the prompt states: a name, or the mapping itself (a user-declared split). */
  readonly promptMapping: string | FaceMapping;
  /** The mapping that gives the numbers the formula must use (= promptMapping except for Fake). */
  readonly scoringMapping: string | FaceMapping;
  readonly forced: ForcedCard;
  /** Cards are drawn from 1..largestCard (13, or 19 for Large). */
  readonly largestCard: number;
  readonly target: number;
}

/** An evaluation split: a deal spec plus the reference's parquet name and a description. */
export interface GpSplit extends GpDealSpec {
  /** The reference's split name, e.g. `test_face_card_as_regular`. */
  readonly reference: string;
  readonly description: string;
}

function split(
  name: string,
  reference: string,
  description: string,
  numCards: number,
  promptMapping: string,
  scoringMapping: string,
  forced: ForcedCard,
  largestCard = 13,
): GpSplit {
  return Object.freeze({
    name,
    reference,
    description,
    numCards,
    promptMapping,
    scoringMapping,
    forced,
    largestCard,
    target: 24,
  });
}

/** Every evaluation split, in report order. */
export const GP_SPLITS: readonly GpSplit[] = Object.freeze([
  split('id', 'test_id', 'in distribution: J/Q/K = 10, at least one face card', 4, 'all_10', 'all_10', 'face'),
  split(
    'face_as_regular',
    'test_face_card_as_regular',
    'J/Q/K = 11/12/13, at least one face card',
    4,
    'face_as_regular',
    'face_as_regular',
    'face',
  ),
  split('all_5', 'test_all_5', 'J/Q/K all = 5, at least one face card', 4, 'all_5', 'all_5', 'face'),
  split('all_7', 'test_all_7', 'J/Q/K all = 7, at least one face card', 4, 'all_7', 'all_7', 'face'),
  split('all_12', 'test_all_12', 'J/Q/K all = 12, at least one face card', 4, 'all_12', 'all_12', 'face'),
  split('fake', 'test_fake', 'prompt says J/Q/K = 11/12/13, scored with 10', 4, 'face_as_regular', 'all_10', 'face'),
  split('all_5_fake', 'test_all_5_fake', 'prompt says J/Q/K all = 5, scored with 10', 4, 'all_5', 'all_10', 'face'),
  split('large', 'test_large', 'one card in 14..19 (others 1..19), J/Q/K = 10', 4, 'all_10', 'all_10', 'large', 19),
  split('five_cards', 'test_5cards', 'five cards, J/Q/K = 10, no forced card', 5, 'all_10', 'all_10', 'none'),
]);

/** Split names, in report order. */
export const GP_SPLIT_NAMES: readonly string[] = Object.freeze(GP_SPLITS.map((s) => s.name));

/**
 * The split of a name: pipe's (`id`, `five_cards`…), the reference's parquet name (`test_5cards`) or its data_source
 * (`gp_l_5cards`). Throws listing the known names.
 */
export function resolveGpSplit(name: string): GpSplit {
  const found = builtInGpSplit(name);
  if (found === undefined) throw new RangeError(`unknown GP split '${name}' (known: ${GP_SPLIT_NAMES.join(', ')})`);
  return found;
}

/** The built-in split a name means (pipe's, the reference's parquet name or its data_source), or undefined. */
export function builtInGpSplit(name: string): GpSplit | undefined {
  const bare = name.replace(/^(test_|gp_l_)/, '');
  return GP_SPLITS.find((s) => s.name === name || s.reference === name || s.name === bare || s.reference === `test_${bare}`);
}

/** The deal spec of training rows: no forced card, cards 1..13, prompt and scoring use the same mapping. */
export function trainingSpec(mapping: string, numCards = 4, target = 24): GpDealSpec {
  const m = resolveFaceMapping(mapping);
  if (!Number.isInteger(numCards) || numCards < 2 || numCards > 6) {
    throw new RangeError(`number of cards must be an integer in 2..6, got ${numCards}`);
  }
  return Object.freeze({
    name: 'train',
    numCards,
    promptMapping: m.name,
    scoringMapping: m.name,
    forced: 'none',
    largestCard: 13,
    target,
  });
}
