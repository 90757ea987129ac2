import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Generator, gptParamSpecs, saveCheckpoint, tokenizer, type Checkpoint } from '../../src/nn/index.js';
import { buildDecodeGraph } from '../../src/nn/generator.js';
import { MASKED } from '../../src/nn/models/gpt.js';
import { loudInit, tinyConfig } from './helpers.js';

const cfg = tinyConfig;
let ckpt: Checkpoint;
let dir: string;

beforeAll(async () => {
  ckpt = loudInit(cfg, 4, 3);
  dir = await mkdtemp(join(tmpdir(), 'pipe-nn-gen-'));
  await saveCheckpoint(dir, ckpt);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Full-sequence logits from the checkpoint's own model.onnx (input_ids [1, blockSize] → logits). */
async function fullLogits(ids: number[]): Promise<Float32Array> {
  const rt = await import('../../src/nn/runtime/ort.js');
  const { readFile } = await import('node:fs/promises');
  const s = await rt.RtSession.create(await readFile(join(dir, 'model.onnx')), { label: 'ckpt model' });
  const input = new BigInt64Array(cfg.blockSize).fill(BigInt(tokenizer.PAD));
  ids.forEach((id, i) => (input[i] = BigInt(id)));
  const out = await s.run({ input_ids: rt.tensor('int64', input, [1, cfg.blockSize]) });
  const logits = Float32Array.from(rt.hostData<Float32Array>(out['logits']!));
  await s.release();
  return logits;
}

describe('KV-cache decoding', () => {
  it('gives the same logits as the full forward at every position', async () => {
    const rt = await import('../../src/nn/runtime/ort.js');
    const { encodeModel } = await import('../../src/nn/onnx/encode.js');
    const S = cfg.blockSize;
    const nh = cfg.nHead;
    const hs = cfg.nEmbd / nh;
    const ids = [tokenizer.BOS, ...tokenizer.encode('hello wor'), tokenizer.SEP, 104];
    const full = await fullLogits(ids);
    const s = await rt.RtSession.create(encodeModel(buildDecodeGraph(cfg, 1, S)), { label: 'decode' });
    const K = Array.from({ length: cfg.nLayer }, () => new Float32Array(nh * hs * S));
    const Vc = Array.from({ length: cfg.nLayer }, () => new Float32Array(nh * S * hs));
    const bias = new Float32Array(S).fill(MASKED);
    let maxErr = 0;
    for (let t = 0; t < ids.length; t++) {
      const feeds: Record<string, ReturnType<typeof rt.tensor>> = {
        token: rt.tensor('int32', Int32Array.of(ids[t]!), [1]),
        position: rt.tensor('int32', Int32Array.of(t), [1]),
        slot_bias: rt.tensor('float32', bias, [1, S]),
      };
      for (let l = 0; l < cfg.nLayer; l++) {
        feeds[`past_key_${l}`] = rt.tensor('float32', K[l]!, [1, nh, hs, S]);
        feeds[`past_value_${l}`] = rt.tensor('float32', Vc[l]!, [1, nh, S, hs]);
      }
      for (const [name, w] of ckpt.weights) feeds[name] = rt.tensor('float32', w, shapeOf(name));
      const out = await s.run(feeds);
      const logits = rt.hostData<Float32Array>(out['logits']!);
      for (let v = 0; v < cfg.vocabSize; v++) maxErr = Math.max(maxErr, Math.abs(logits[v]! - full[t * cfg.vocabSize + v]!));
      for (let l = 0; l < cfg.nLayer; l++) {
        const k = rt.hostData<Float32Array>(out[`key_${l}`]!);
        const v = rt.hostData<Float32Array>(out[`value_${l}`]!);
        for (let h = 0; h < nh; h++) for (let d = 0; d < hs; d++) {
          K[l]![(h * hs + d) * S + t] = k[h * hs + d]!;
          Vc[l]![(h * S + t) * hs + d] = v[h * hs + d]!;
        }
      }
      bias[t] = 0;
    }
    await s.release();
    expect(maxErr).toBeLessThan(1e-4);
  });

  it('greedy generation equals greedy argmax over full forwards, for left-padded rows of different lengths', async () => {
    const gen = await Generator.create(ckpt, { maxBatch: 3, maxLen: cfg.blockSize });
    const prompts = [tokenizer.encode('abc'), tokenizer.encode('a'), tokenizer.encode('hello')];
    const res = await gen.generate(prompts, { maxNewTokens: 6, temperature: 0, topP: 1, seed: 1 });
    for (let r = 0; r < prompts.length; r++) {
      const seq = [tokenizer.BOS, ...prompts[r]!, tokenizer.SEP];
      const expected: number[] = [];
      for (let k = 0; k < 6; k++) {
        const logits = await fullLogits(seq);
        const row = logits.subarray((seq.length - 1) * cfg.vocabSize, seq.length * cfg.vocabSize);
        let best = 0;
        for (let v = 1; v < cfg.vocabSize; v++) if ((v < 256 || v === tokenizer.EOS) && row[v]! > row[best]!) best = v;
        if (best === tokenizer.EOS) break;
        expected.push(best);
        seq.push(best);
      }
      expect(res.tokens[r]).toEqual(expected);
      expect(res.text[r]).toBe(tokenizer.decode(expected));
    }
    await gen.dispose();
  }, 30_000);

  it('sampling is seeded per row: same seed same text, independent of batching; stop strings end a row', async () => {
    const gen = await Generator.create(ckpt, { maxBatch: 4, maxLen: cfg.blockSize });
    const small = await Generator.create(ckpt, { maxBatch: 1, maxLen: cfg.blockSize });
    const prompts = [[97, 98], [99], [100, 101, 102]];
    const o = { maxNewTokens: 8, temperature: 1.5, topP: 0.95, seed: 42 };
    const a = await gen.generate(prompts, o);
    const b = await small.generate(prompts, o);
    expect(b.tokens).toEqual(a.tokens);
    const c = await gen.generate(prompts, { ...o, seed: 43 });
    expect(c.tokens).not.toEqual(a.tokens);
    // Stop at the first byte that row 0 produced: the response ends right after it.
    const first = a.tokens[0]![0]!;
    const stopped = await gen.generate(prompts, { ...o, stop: [String.fromCharCode(first)] });
    if (first < 128) expect(stopped.tokens[0]).toEqual([first]);
    for (const t of a.tokens) expect(t.length).toBeLessThanOrEqual(8);
    await gen.dispose();
    await small.dispose();
  }, 30_000);

  it('streaming (continuous batching) gives each prompt the same response as generate with the same seed', async () => {
    const prompts = [[97, 98], [99], [100, 101, 102], [103, 104, 105, 106, 107], [108], [109, 110]];
    const seeds = [5, 6, 7, 8, 9, 10];
    for (const temperature of [0, 1.5]) {
      const o = { maxNewTokens: 7, temperature, topP: 1 };
      const gen = await Generator.create(ckpt, { maxBatch: 6, maxLen: cfg.blockSize });
      const expected = (await gen.generate(prompts, { ...o, seed: 0, seeds })).tokens;
      // A pool of 2 slots: rows finish at different times and their slots are refilled mid-flight; the last two
      // prompts are only offered once the first response is back (as an episode's next turn would be).
      const pool = await Generator.create(ckpt, { maxBatch: 2, maxLen: cfg.blockSize });
      const got: number[][] = [];
      let offered = 0;
      let returned = 0;
      await pool.stream(
        () => (offered < 4 || (returned > 0 && offered < prompts.length) ? { prompt: prompts[offered]!, seed: seeds[offered]!, at: offered++ } : undefined),
        (req, tokens, text) => {
          returned++;
          got[req.at] = tokens;
          expect(text).toBe(tokenizer.decode(tokens));
        },
        o,
      );
      expect(got).toEqual(expected);
      await gen.dispose();
      await pool.dispose();
    }
  }, 60_000);

  it('a device-resident KV cache (WebGPU\'s default; here on the CPU EP) streams the same responses as the host cache', async () => {
    const prompts = [[97, 98], [99], [100, 101, 102], [103, 104, 105, 106, 107], [108], [109, 110], [111, 112, 113]];
    for (const temperature of [0, 1.5]) {
      const o = { maxNewTokens: 7, temperature, topP: 1 };
      const run = async (residentKv: boolean): Promise<number[][]> => {
        // 3 slots for 7 prompts: rows finish at different times and are refilled mid-flight.
        const pool = await Generator.create(ckpt, { maxBatch: 3, maxLen: cfg.blockSize, residentKv });
        const got: number[][] = [];
        let offered = 0;
        await pool.stream(() => (offered < prompts.length ? { prompt: prompts[offered]!, seed: 20 + offered, at: offered++ } : undefined), (req, tokens) => (got[req.at] = tokens), o);
        await pool.dispose();
        return got;
      };
      const host = await run(false);
      expect(host.flat().length).toBeGreaterThan(prompts.length);
      expect(await run(true)).toEqual(host);
    }
  }, 60_000);

  it('logProbs equals log-softmax of the full forward at the targets', async () => {
    const gen = await Generator.create(ckpt, { maxBatch: 1, maxLen: cfg.blockSize });
    const T = cfg.blockSize;
    const tokens = new Int32Array(T).fill(tokenizer.PAD);
    const targets = new Int32Array(T).fill(tokenizer.PAD);
    const ids = [tokenizer.BOS, 97, 98, tokenizer.SEP, 99, tokenizer.EOS];
    ids.forEach((id, i) => (tokens[i] = id));
    ids.slice(1).forEach((id, i) => (targets[i] = id));
    const lp = await gen.logProbs({ batchSize: 1, seqLen: T, tokens, targets, mask: new Float32Array(T).fill(1) });
    const full = await fullLogits(Array.from(tokens));
    for (let t = 0; t < T; t++) {
      const row = full.subarray(t * cfg.vocabSize, (t + 1) * cfg.vocabSize);
      const max = Math.max(...row);
      const lse = max + Math.log(row.reduce((s, x) => s + Math.exp(x - max), 0));
      expect(lp[t]).toBeCloseTo(row[targets[t]!]! - lse, 4);
    }
    await gen.dispose();
  });
});

function shapeOf(name: string): readonly number[] {
  const spec = gptParamSpecs(cfg).find((x) => x.name === name);
  if (!spec) throw new Error(`no param ${name}`);
  return spec.shape;
}

describe('generate() input errors', () => {
  it('names the bad option or token and accepts an empty prompt list', async () => {
    const gen = await Generator.create(ckpt, { maxBatch: 2, maxLen: cfg.blockSize });
    const o = { maxNewTokens: 4, temperature: 0, topP: 1, seed: 1 };
    await expect(gen.generate([[97]], { ...o, maxNewTokens: 99 })).rejects.toThrow('Generator: maxNewTokens must be an integer in [1, maxLen−2=14], got 99');
    await expect(gen.generate([[97]], { ...o, topP: 0 })).rejects.toThrow('Generator: topP must be in (0, 1], got 0');
    await expect(gen.generate([[97, tokenizer.SEP]], o)).rejects.toThrow('Generator: prompt 0 holds token id 259, not a byte (BOS/SEP are added by generate)');
    expect(await gen.generate([], o)).toEqual({ tokens: [], text: [] });
    // A prompt longer than the room left for the response is left-truncated, like packBatch does.
    const long = await gen.generate([Array.from({ length: 40 }, (_, i) => 97 + (i % 26))], o);
    expect(long.tokens[0]!.length).toBeLessThanOrEqual(4);
    await gen.dispose();
  });
});
