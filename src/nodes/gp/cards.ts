/**
 * Playing cards of General Points: ranks 1–13 (1 = A, 11 = J, 12 = Q, 13 = K) and, for the Large split, 14–19,
 * shown as plain numbers. Ranks are what is dealt; the numbers a formula must use are the ranks' *values* under a
 * face-card mapping (see face-mappings.ts).
 */

/** Smallest and largest rank a deal may contain (19 is the Large split's largest card). */
export const MIN_RANK = 1;
export const MAX_RANK = 19;

const SYMBOLS: Readonly<Record<number, string>> = { 1: 'A', 11: 'J', 12: 'Q', 13: 'K' };
const RANKS: Readonly<Record<string, number>> = { A: 1, J: 11, Q: 12, K: 13 };

/** The symbol shown for a rank: A, 2..10, J, Q, K, 14..19. Throws on anything else. */
export function cardSymbol(rank: number): string {
  if (!Number.isInteger(rank) || rank < MIN_RANK || rank > MAX_RANK) {
    throw new RangeError(`card rank ${rank} is out of range ${MIN_RANK}..${MAX_RANK}`);
  }
  return SYMBOLS[rank] ?? String(rank);
}

/**
 * The rank of a card written as a symbol (`A`, `J`, `Q`, `K`, case-insensitive) or a decimal number 1..19
 * (`1` is accepted for an ace, as the reference does). Throws a RangeError naming the bad card.
 */
export function parseCard(text: string): number {
  const t = text.trim();
  const face = RANKS[t.toUpperCase()];
  if (face !== undefined) return face;
  if (!/^[0-9]{1,2}$/.test(t)) throw new RangeError(`unknown card symbol '${text}' (use A, 2..10, J, Q, K or 14..19)`);
  const rank = Number(t);
  if (rank < MIN_RANK || rank > MAX_RANK) {
    throw new RangeError(`card '${text}' is out of range ${MIN_RANK}..${MAX_RANK}`);
  }
  return rank;
}

/** Whether a rank is a face card (J, Q, K), i.e. its value depends on the face-card mapping. */
export function isFaceRank(rank: number): boolean {
  return rank >= 11 && rank <= 13;
}
