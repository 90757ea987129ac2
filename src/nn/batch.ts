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

/**
 * Packs rows of a Llama-family model's token ids into a B×T batch laid out as `prompt response PAD…`: no ids are
 * added (the chat template or the caller wrote every special token, the end of the answer included). The prompt
 * is left-truncated; a response longer than the row is right-truncated. The mask is 1 where the target is a
 * response token, so the loss covers the answer only.
 */
export function packIdBatch(
  rows: readonly { readonly prompt: readonly number[]; readonly response: readonly number[] }[],
  seqLen: number,
  vocabSize: number,
  pad = 0,
): TokenBatch {
  if (!Number.isInteger(seqLen) || seqLen < 2) throw new Error(`packIdBatch: seqLen must be an integer ≥ 2, got ${seqLen}`);
  if (rows.length === 0) throw new Error('packIdBatch: no rows');
  const B = rows.length;
  const T = seqLen;
  const tokens = new Int32Array(B * T).fill(pad);
  const targets = new Int32Array(B * T).fill(pad);
  const mask = new Float32Array(B * T);
  rows.forEach((row, b) => {
    for (const id of [...row.prompt, ...row.response]) {
      if (!Number.isInteger(id) || id < 0 || id >= vocabSize) throw new Error(`packIdBatch: token id ${id} is outside the vocabulary of ${vocabSize}`);
    }
    if (row.response.length === 0) throw new Error('packIdBatch: a row has an empty response');
    const room = T + 1;
    const response = row.response.slice(0, room - 1); // at least one prompt token to predict the first answer token from
    const promptRoom = room - response.length;
    const prompt = row.prompt.length > promptRoom ? row.prompt.slice(row.prompt.length - promptRoom) : row.prompt;
    const seq = [...prompt, ...response];
    for (let t = 0; t < T; t++) {
      const tok = seq[t];
      const tgt = seq[t + 1];
      if (tok !== undefined) tokens[b * T + t] = tok;
      if (tgt !== undefined) {
        targets[b * T + t] = tgt;
        if (t + 1 >= prompt.length) mask[b * T + t] = 1;
      }
    }
  });
  return { batchSize: B, seqLen: T, tokens, targets, mask };
}
