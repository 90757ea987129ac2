/**
 * The paper's success rates per method and split (its Table 1, Qwen2.5-7B, as transcribed in docs/paper.md, "Main table": each method's checkpoint
 * with the best average over the non-Fake splits; sampled at temperature 0.5). The report draws each as a marker
 * beside pipe's bar for the same method and split. Methods are keyed by pipe's method labels.
 */

/** Label of the paper's model and table, for legends and captions. */
export const PAPER_SOURCE = 'paper (Qwen2.5-7B, Table 1)';

const SOKOBAN_SPLITS = [
  'SimpleSokoban', 'LargerSokoban', 'ComplexSokoban', 'TwoBoxesSokoban',
  'SimpleSokobanRandom', 'SimpleSokobanNumerical', 'SimpleSokobanAlphabetical', 'FakeSokobanNumerical',
] as const;
const GP_SPLITS = ['id', 'face_as_regular', 'all_5', 'all_7', 'all_12', 'fake', 'large', 'five_cards'] as const;

/** pipe method label → the paper's numbers, in the split order above. */
const TABLE: Readonly<Record<'sokoban' | 'gp', Readonly<Record<string, readonly number[]>>>> = {
  sokoban: {
    sft: [0.98, 0.64, 0.19, 0.35, 0, 0, 0, 0.93],
    diverse: [0.91, 0.53, 0.09, 0.33, 0.84, 0.89, 0.92, 0],
    cot: [1.0, 0.53, 0.28, 0.57, 0.22, 0.8, 0.73, 0.03],
    'diverse-cot': [1.0, 0.74, 0.4, 0.58, 1.0, 0.98, 0.97, 0],
    grpo: [0.9, 0.34, 0.1, 0.36, 0.55, 0.69, 0.76, 0],
  },
  gp: {
    sft: [0.61, 0.06, 0.23, 0.25, 0.07, 0.01, 0.02, 0],
    diverse: [0.78, 0.07, 0.71, 0.7, 0.09, 0, 0.03, 0.01],
    cot: [0.95, 0.86, 0.9, 0.9, 0.85, 0, 0.8, 0.26],
    'diverse-cot': [0.96, 0.89, 0.93, 0.93, 0.9, 0, 0.84, 0.29],
    grpo: [0.93, 0.8, 0.8, 0.87, 0.82, 0.05, 0.69, 0.22],
  },
};

/** The paper's success rate for a method and split, or undefined where the paper has none (or the method is pipe's own). */
export function paperNumber(task: string, method: string, split: string): number | undefined {
  if (task !== 'sokoban' && task !== 'gp') return undefined;
  const splits: readonly string[] = task === 'sokoban' ? SOKOBAN_SPLITS : GP_SPLITS;
  const i = splits.findIndex((s) => s.toLowerCase() === split.toLowerCase());
  return i === -1 ? undefined : TABLE[task][method]?.[i];
}
