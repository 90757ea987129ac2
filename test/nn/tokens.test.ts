import { describe, expect, it } from 'vitest';
import { packBatch, tokenizer } from '../../src/nn/index.js';

const { BOS, EOS, PAD, SEP } = tokenizer;

describe('tokenizer', () => {
  it('round-trips UTF-8 (emoji included) and skips specials when decoding', () => {
    const text = 'Up ⬆️ * & 1 M';
    const ids = tokenizer.encode(text);
    expect(ids.every((i) => i >= 0 && i < 256)).toBe(true);
    expect(tokenizer.decode([BOS, ...ids, EOS])).toBe(text);
    expect(new Set([BOS, EOS, PAD, SEP]).size).toBe(4);
    expect(tokenizer.vocabSize).toBe(260);
  });
});

describe('packBatch', () => {
  it('lays out BOS prompt SEP response EOS PAD with the mask on response + EOS targets', () => {
    const b = packBatch([{ prompt: [10, 11], response: [20, 21] }], 8);
    expect(Array.from(b.tokens)).toEqual([BOS, 10, 11, SEP, 20, 21, EOS, PAD]);
    expect(Array.from(b.targets)).toEqual([10, 11, SEP, 20, 21, EOS, PAD, PAD]);
    expect(Array.from(b.mask)).toEqual([0, 0, 0, 1, 1, 1, 0, 0]);
  });

  it('left-truncates the prompt to fit', () => {
    const b = packBatch([{ prompt: [1, 2, 3, 4, 5], response: [9] }], 5);
    // seq = BOS 4 5 SEP 9 EOS (6 tokens = seqLen + 1)
    expect(Array.from(b.tokens)).toEqual([BOS, 4, 5, SEP, 9]);
    expect(Array.from(b.targets)).toEqual([4, 5, SEP, 9, EOS]);
    expect(Array.from(b.mask)).toEqual([0, 0, 0, 1, 1]);
  });

  it('rejects special ids in rows and tiny seqLen', () => {
    expect(() => packBatch([{ prompt: [BOS], response: [] }], 8)).toThrow(/not a byte/);
    expect(() => packBatch([{ prompt: [], response: [] }], 2)).toThrow(/seqLen/);
  });
});
