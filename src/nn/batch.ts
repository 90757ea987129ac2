import { tokenizer } from './tokenizer.js';
import type { TokenBatch } from './types.js';

/**
 * Packs (prompt, response) rows into a B×T batch laid out as `BOS prompt SEP response EOS PAD…`. The prompt is
 * left-truncated (its end, nearest the response, matters most); if even `BOS SEP` + the response + EOS does not fit,
 * the response is right-truncated and EOS dropped. `targets[t] = sequence[t+1]`; the mask is 1 where the target is
 * a response token or the EOS, so the loss only trains what the model must produce.
 */
export function packBatch(
  rows: readonly { readonly prompt: readonly number[]; readonly response: readonly number[] }[],
  seqLen: number,
): TokenBatch {
  if (!Number.isInteger(seqLen) || seqLen < 3) throw new Error(`packBatch: seqLen must be an integer ≥ 3, got ${seqLen}`);
  if (rows.length === 0) throw new Error('packBatch: no rows');
  const B = rows.length;
  const T = seqLen;
  const tokens = new Int32Array(B * T).fill(tokenizer.PAD);
  const targets = new Int32Array(B * T).fill(tokenizer.PAD);
  const mask = new Float32Array(B * T);
  rows.forEach((row, b) => {
    const { seq, firstTarget } = layoutRow(row.prompt, row.response, T + 1);
    // Row b holds seq[0..T) as input and seq[1..T] as targets.
    for (let t = 0; t < T; t++) {
      const tok = seq[t];
      const tgt = seq[t + 1];
      if (tok !== undefined) tokens[b * T + t] = tok;
      if (tgt !== undefined) {
        targets[b * T + t] = tgt;
        if (t + 1 >= firstTarget) mask[b * T + t] = 1;
      }
    }
  });
  return { batchSize: B, seqLen: T, tokens, targets, mask };
}

/** Lays out one row in at most `room` tokens; `firstTarget` is the index of the first response/EOS token. */
function layoutRow(
  prompt: readonly number[],
  response: readonly number[],
  room: number,
): { seq: number[]; firstTarget: number } {
  for (const id of [...prompt, ...response]) {
    if (!Number.isInteger(id) || id < 0 || id >= 256) {
      throw new Error(`packBatch: token id ${id} is not a byte (specials are added by packBatch)`);
    }
  }
  const tail = [...response, tokenizer.EOS];
  const fixed = 2; // BOS + SEP
  if (fixed + tail.length > room) {
    const kept = tail.slice(0, room - fixed);
    return { seq: [tokenizer.BOS, tokenizer.SEP, ...kept], firstTarget: 2 };
  }
  const promptRoom = room - fixed - tail.length;
  const p = prompt.length > promptRoom ? prompt.slice(prompt.length - promptRoom) : prompt;
  const seq = [tokenizer.BOS, ...p, tokenizer.SEP, ...tail];
  return { seq, firstTarget: p.length + 2 };
}

/** The decode-time prefix of a prompt: `BOS prompt SEP`, left-truncated to at most `room` tokens. */
export function promptPrefix(prompt: readonly number[], room: number): number[] {
  const p = prompt.length > room - 2 ? prompt.slice(prompt.length - (room - 2)) : prompt;
  return [tokenizer.BOS, ...p, tokenizer.SEP];
}
