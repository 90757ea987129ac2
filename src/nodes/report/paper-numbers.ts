/**
 * The numbers the paper reports (PAPER.md "Headline results"), shown beside ours. Only what PAPER.md states is here;
 * every other cell of the report's paper column stays empty rather than invented.
 */
export interface PaperNumber {
  readonly task: 'sokoban' | 'gp';
  readonly split: string;
  /** What the paper compares, e.g. 'non-diverse → diverse'. */
  readonly comparison: string;
  readonly from: number;
  readonly to: number;
}

export const PAPER_NUMBERS: readonly PaperNumber[] = [
  { task: 'sokoban', split: 'SimpleSokobanNumerical', comparison: 'non-diverse → diverse', from: 0, to: 0.89 },
  { task: 'sokoban', split: 'FakeSokobanNumerical', comparison: 'non-diverse → diverse', from: 0.93, to: 0 },
  { task: 'sokoban', split: 'TwoBoxesSokoban', comparison: 'answer-only → CoT', from: 0.35, to: 0.57 },
  { task: 'gp', split: 'large', comparison: 'answer-only → CoT', from: 0.02, to: 0.8 },
];

/** The paper's figure for a split as a short text (e.g. `0 → 0.89 (non-diverse → diverse)`), or '' when none. */
export function paperCell(task: string, split: string): string {
  const hits = PAPER_NUMBERS.filter((p) => p.task === task && p.split.toLowerCase() === split.toLowerCase());
  return hits.map((p) => `${p.from} → ${p.to} (${p.comparison})`).join('; ');
}
