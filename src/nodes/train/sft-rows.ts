/** Which rows of an SFT dataset make each optimizer step. */

/**
 * The row indices of optimizer step `step` for a dataset of `n` rows and batch `batchSize`: positions
 * step·B … step·B+B−1 of an endless stream of epochs, each epoch a fresh seeded permutation. A pure function of
 * (step, seed), so a resumed run continues with exactly the rows the killed one would have used.
 */
export function batchIndices(
  step: number,
  batchSize: number,
  n: number,
  permutation: (epoch: number) => readonly number[],
): number[] {
  const out: number[] = [];
  for (let p = step * batchSize; p < (step + 1) * batchSize; p++) {
    const epoch = Math.floor(p / n);
    out.push(permutation(epoch)[p % n] as number);
  }
  return out;
}
