import { describe, expect, it } from 'vitest';
import { initLlama, llamaConfig, type Checkpoint } from '../../src/nn/index.js';
import { buildPrefillGraph } from '../../src/nn/generator.js';
import { MASKED, inputParams } from '../../src/nn/models/gpt.js';
import { decoderModel } from '../../src/nn/models/model.js';
import { Graph } from '../../src/nn/onnx/graph.js';
import { encodeModel } from '../../src/nn/onnx/encode.js';
import type { RtTensor } from '../../src/nn/runtime/ort.js';
import { FAMILIES, fixtureCheckpoint } from './hf-fixture.js';

/**
 * The Llama family's prompt pass runs its head on the last column only (llamaForward's lastOnly). Checked against
 * the full head's logits sliced at that column — what the prompt pass computed before — on left-padded rows of
 * different lengths: the transformers fixtures and a tiny Llama with Qwen2.5's 151,936 ids.
 */
const cases: [string, () => Promise<Checkpoint>][] = [
  ...FAMILIES.map((f): [string, () => Promise<Checkpoint>] => [f, () => fixtureCheckpoint(f)]),
  [
    'tiny Llama, 151,936 ids',
    async () => initLlama(llamaConfig({ vocabSize: 151_936, hiddenSize: 16, intermediateSize: 32, numLayers: 1, numHeads: 2, numKvHeads: 1, headDim: 8, maxPositions: 32 }), 5),
  ],
];

/** The full forward's logits (B·P, V) sliced at column P−1: the reference head. */
function fullHeadGraph(ckpt: Checkpoint, B: number, P: number): Graph {
  const g = new Graph();
  const model = decoderModel(ckpt.config);
  const { params } = inputParams(g, model.specs);
  const tokens = g.input('tokens', 'int32', [B, P]);
  const positions = g.input('positions', 'int32', [B, P]);
  const attnBias = g.input('attn_bias', 'float32', [B, 1, P, P]);
  const { logits } = model.forward(g, params, tokens, { positions, attnBias, ropeRows: P });
  const V = model.vocabSize;
  g.output(g.reshape(g.slice(g.reshape(logits, [B, P, V]), [P - 1], [P], [1]), [B, V]), 'last_logits');
  return g;
}

describe('the prompt pass of the Llama family (head on the last column only)', () => {
  for (const [name, make] of cases) {
    it(`${name}: last logits within 1e-5 of the full head's, same argmax per row`, async () => {
      const rt = await import('../../src/nn/runtime/ort.js');
      const ckpt = await make();
      const model = decoderModel(ckpt.config);
      const V = model.vocabSize;
      // Left-padded rows of lengths 5, 2, 8 and 1 in P = 8 columns (as stream.ts lays them out).
      const lengths = [5, 2, 8, 1];
      const [B, P] = [lengths.length, 8];
      const tokens = new Int32Array(B * P);
      const positions = new Int32Array(B * P);
      const attn = new Float32Array(B * P * P).fill(MASKED);
      lengths.forEach((len, r) => {
        const pad = P - len;
        for (let t = pad; t < P; t++) {
          tokens[r * P + t] = (r * 7919 + t * 104_729) % V;
          positions[r * P + t] = t - pad;
        }
        for (let i = 0; i < P; i++) for (let j = Math.min(pad, i); j <= i; j++) attn[(r * P + i) * P + j] = j >= pad || j === i ? 0 : MASKED;
      });
      const feeds: Record<string, RtTensor> = {
        tokens: rt.tensor('int32', tokens, [B, P]),
        positions: rt.tensor('int32', positions, [B, P]),
        attn_bias: rt.tensor('float32', attn, [B, 1, P, P]),
      };
      for (const spec of model.specs) feeds[spec.name] = rt.tensor('float32', ckpt.weights.get(spec.name)!, spec.shape);
      const run = async (g: Graph): Promise<Float32Array> => {
        const s = await rt.RtSession.create(encodeModel(g), { label: 'prefill' });
        try {
          return Float32Array.from(rt.hostData<Float32Array>((await s.run(feeds))['last_logits']!));
        } finally {
          await s.release();
        }
      };
      const got = await run(buildPrefillGraph(ckpt.config, B, P));
      const ref = await run(fullHeadGraph(ckpt, B, P));
      expect(got.length).toBe(B * V);
      let worst = 0;
      for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i]! - ref[i]!));
      expect(worst).toBeLessThan(1e-5);
      const argmax = (x: Float32Array, r: number) => {
        let best = r * V;
        for (let i = r * V; i < (r + 1) * V; i++) if (x[i]! > x[best]!) best = i;
        return best - r * V;
      };
      for (let r = 0; r < B; r++) expect(argmax(got, r)).toBe(argmax(ref, r));
      // The rows differ (the check compares real rows, not copies of one).
      expect(new Set(lengths.map((_, r) => got[r * V])).size).toBe(B);
    }, 60_000);
  }

  it("lastOnly: a Llama's head gives (B, V) logits, one row per sequence; the byte GPT keeps the full head", () => {
    const cfg = llamaConfig({ vocabSize: 151_936, hiddenSize: 16, intermediateSize: 32, numLayers: 1, numHeads: 2, numKvHeads: 1, headDim: 8, maxPositions: 32 });
    const gl = new Graph();
    const llama = decoderModel(cfg);
    const tokens = gl.input('tokens', 'int32', [3, 8]);
    expect(llama.forward(gl, inputParams(gl, llama.specs).params, tokens, { lastOnly: true }).logits.shape).toEqual([3, 151_936]);
    const g = new Graph();
    const model = decoderModel({ vocabSize: 260, blockSize: 16, nLayer: 1, nHead: 2, nEmbd: 8 });
    const { params } = inputParams(g, model.specs);
    expect(() => model.forward(g, params, g.input('tokens', 'int32', [1, 4]), { lastOnly: true })).toThrow(/Llama-family models only/);
  });
});
