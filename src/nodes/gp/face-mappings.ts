/**
 * Face-card mappings (docs/paper.md §2, §4): the value J, Q and K count as. The eight training mappings are the
 * reference's `mixed` preset; the test mappings are those of the evaluation splits. The out-of-distribution test
 * mappings must never reach a training pool — `assertTrainingPool` enforces it by name and by values.
 */
import { isFaceRank } from './cards.js';

/** The values of J, Q and K under one named mapping. */
export interface FaceMapping {
  readonly name: string;
  readonly J: number;
  readonly Q: number;
  readonly K: number;
}

function mapping(name: string, J: number, Q: number, K: number): FaceMapping {
  return Object.freeze({ name, J, Q, K });
}

/** Every mapping pipe knows, by name (training and test). */
export const FACE_MAPPINGS: Readonly<Record<string, FaceMapping>> = Object.freeze({
  all_8: mapping('all_8', 8, 8, 8),
  all_9: mapping('all_9', 9, 9, 9),
  all_10: mapping('all_10', 10, 10, 10),
  mixed_8_9_10: mapping('mixed_8_9_10', 8, 9, 10),
  sequential_7_8_9: mapping('sequential_7_8_9', 7, 8, 9),
  sequential_8_9_10: mapping('sequential_8_9_10', 8, 9, 10),
  low_range_5_7_9: mapping('low_range_5_7_9', 5, 7, 9),
  skip_6_8_10: mapping('skip_6_8_10', 6, 8, 10),
  face_as_regular: mapping('face_as_regular', 11, 12, 13),
  all_5: mapping('all_5', 5, 5, 5),
  all_7: mapping('all_7', 7, 7, 7),
  all_12: mapping('all_12', 12, 12, 12),
  // The reference's other mappings (face_card_configs.py), for custom pools; not used by default.
  all_11: mapping('all_11', 11, 11, 11),
  all_13: mapping('all_13', 13, 13, 13),
  mixed_9_10_11: mapping('mixed_9_10_11', 9, 10, 11),
  mixed_10_11_12: mapping('mixed_10_11_12', 10, 11, 12),
  mixed_9_11_13: mapping('mixed_9_11_13', 9, 11, 13),
  mixed_7_9_11: mapping('mixed_7_9_11', 7, 9, 11),
  mixed_8_10_12: mapping('mixed_8_10_12', 8, 10, 12),
  skip_7_9_11: mapping('skip_7_9_11', 7, 9, 11),
  skip_8_10_12: mapping('skip_8_10_12', 8, 10, 12),
  skip_9_11_13: mapping('skip_9_11_13', 9, 11, 13),
  mid_range_8_10_12: mapping('mid_range_8_10_12', 8, 10, 12),
});

/** Other spellings accepted by `resolveFaceMapping` (the reference names J/Q/K = 11/12/13 `mixed_11_12_13`). */
const ALIASES: Readonly<Record<string, string>> = { mixed_11_12_13: 'face_as_regular', regular: 'face_as_regular' };

/** The eight training mappings (the reference's `mixed` preset, 8 × 1250 rows). */
export const TRAIN_MAPPINGS: readonly string[] = Object.freeze([
  'all_8',
  'all_9',
  'all_10',
  'mixed_8_9_10',
  'sequential_7_8_9',
  'sequential_8_9_10',
  'low_range_5_7_9',
  'skip_6_8_10',
]);

/** Every mapping a test split states or scores with (all_10 is the in-distribution one). */
export const TEST_MAPPINGS: readonly string[] = Object.freeze(['all_10', 'face_as_regular', 'all_5', 'all_7', 'all_12']);

/** The test mappings that must never be seen in training (every test mapping except the ID all_10). */
export const OOD_TEST_MAPPINGS: readonly string[] = Object.freeze(['face_as_regular', 'all_5', 'all_7', 'all_12']);

/** The mapping of a name (or alias). Throws listing the known names. */
export function resolveFaceMapping(name: string): FaceMapping {
  const found = FACE_MAPPINGS[ALIASES[name] ?? name];
  if (found === undefined) {
    throw new RangeError(`unknown face-card mapping '${name}' (known: ${Object.keys(FACE_MAPPINGS).join(', ')})`);
  }
  return found;
}

/** The value a rank counts as: A = 1, 2..10 and 14..19 as themselves, J/Q/K through the mapping. */
export function rankValue(rank: number, m: FaceMapping): number {
  if (!isFaceRank(rank)) return rank;
  return rank === 11 ? m.J : rank === 12 ? m.Q : m.K;
}

/**
 * The reference's `face_card_msg`, stated twice in the paper prompt:
 * uniform → `'J', 'Q', and 'K' all count as '10'`;
 * otherwise → `'J' counts as '8', 'Q' counts as '9', and 'K' counts as '10'`.
 */
export function faceCardMsg(m: FaceMapping): string {
  if (m.J === m.Q && m.Q === m.K) return `'J', 'Q', and 'K' all count as '${m.J}'`;
  return `'J' counts as '${m.J}', 'Q' counts as '${m.Q}', and 'K' counts as '${m.K}'`;
}

/** The compact form of the mapping, `J=10 Q=10 K=10`. */
export function faceCardCompact(m: FaceMapping): string {
  return `J=${m.J} Q=${m.Q} K=${m.K}`;
}

/**
 * Every mistake in a training pool, by entry (`index` undefined: the pool as a whole): empty, an unknown mapping,
 * or an out-of-distribution test mapping — by name or by the same J/Q/K values under another name.
 */
export function trainingPoolProblems(names: readonly string[]): { readonly index?: number; readonly message: string }[] {
  if (names.length === 0) return [{ message: 'training face-card pool is empty' }];
  const out: { index: number; message: string }[] = [];
  names.forEach((name, index) => {
    let m: FaceMapping;
    try {
      m = resolveFaceMapping(name);
    } catch (e) {
      out.push({ index, message: (e as Error).message });
      return;
    }
    for (const testName of OOD_TEST_MAPPINGS) {
      const t = resolveFaceMapping(testName);
      if (m.name === t.name || (m.J === t.J && m.Q === t.Q && m.K === t.K)) {
        const as = m.name === t.name ? '' : ` (as '${m.name}': J=${m.J} Q=${m.Q} K=${m.K})`;
        out.push({ index, message: `training face-card pool contains the test mapping '${testName}'${as}: test mappings must never be trained on` });
      }
    }
  });
  return out;
}

/** The resolved training pool; throws the first of `trainingPoolProblems`. */
export function assertTrainingPool(names: readonly string[]): FaceMapping[] {
  const problem = trainingPoolProblems(names)[0];
  if (problem !== undefined) throw new Error(problem.message);
  return names.map(resolveFaceMapping);
}
