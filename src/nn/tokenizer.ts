/**
 * Byte-level tokenizer: ids 0–255 are UTF-8 bytes, then four specials. Every string is representable, so test-time
 * vocabularies (emoji, `* & 1 M`) never fall outside the model's alphabet.
 */
const BOS = 256;
const EOS = 257;
const PAD = 258;
const SEP = 259;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: false });

/** The tokenizer every model in pipe uses. `decode` skips special ids; invalid UTF-8 decodes to U+FFFD. */
export const tokenizer = {
  vocabSize: 260,
  BOS,
  EOS,
  PAD,
  SEP,
  encode(text: string): number[] {
    return Array.from(encoder.encode(text));
  },
  decode(ids: readonly number[]): string {
    const bytes = ids.filter((id) => id >= 0 && id < 256);
    return decoder.decode(Uint8Array.from(bytes));
  },
} as const;

/** The JSON description stored in checkpoint sidecars, so a checkpoint says how its ids map to text. */
export const tokenizerSpec = {
  kind: 'bytes',
  vocabSize: tokenizer.vocabSize,
  specials: { BOS, EOS, PAD, SEP },
} as const;
