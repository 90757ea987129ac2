import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hfConfigJson, parseLlamaConfig } from '../../../src/nn/hf/config.js';
import { HfModelError } from '../../../src/nn/hf/errors.js';
import type { LlamaConfig } from '../../../src/nn/models/llama-config.js';
import { FAMILIES, fixture } from './helpers.js';

type Json = Record<string, unknown>;

function fixtureConfig(family: string): Json {
  return JSON.parse(readFileSync(fixture(`${family}/config.json`), 'utf8')) as Json;
}

/** The same config as transformers < 5 wrote it: top-level rope_theta, scaling in rope_scaling under `key`. */
function oldStyle(json: Json, key: 'type' | 'rope_type'): Json {
  const { rope_parameters: rp, ...rest } = json as { rope_parameters: Json };
  const { rope_theta, rope_type, ...scaling } = rp;
  return { ...rest, rope_theta, rope_scaling: rope_type === 'default' ? null : { [key]: rope_type, ...scaling } };
}

describe('config.json → LlamaConfig', () => {
  it('llama: grouped-query attention, untied head, llama3 RoPE scaling', () => {
    expect(parseLlamaConfig(fixtureConfig('llama'), 'config.json')).toEqual({
      architecture: 'LlamaForCausalLM', vocabSize: 360, hiddenSize: 32, intermediateSize: 64, numLayers: 2,
      numHeads: 4, numKvHeads: 2, headDim: 8, maxPositions: 256, rmsNormEps: 1e-5, ropeTheta: 500000,
      ropeScaling: { type: 'llama3', factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 16 },
      attentionBias: false, qkNorm: false, tieWordEmbeddings: false, bosTokenId: 0, eosTokenId: 1,
    } satisfies LlamaConfig);
  });

  it('qwen2: q/k/v bias, tied head, linear scaling, head_dim defaults to hidden / heads', () => {
    const c = parseLlamaConfig(fixtureConfig('qwen2'), 'config.json');
    expect(c).toMatchObject({ architecture: 'Qwen2ForCausalLM', attentionBias: true, qkNorm: false, tieWordEmbeddings: true,
      headDim: 8, ropeTheta: 10000, ropeScaling: { type: 'linear', factor: 2 }, bosTokenId: null, eosTokenId: 2, rmsNormEps: 1e-6 });
  });

  it('qwen3: per-head q/k norm, explicit head_dim, plain RoPE', () => {
    const c = parseLlamaConfig(fixtureConfig('qwen3'), 'config.json');
    expect(c).toMatchObject({ architecture: 'Qwen3ForCausalLM', qkNorm: true, attentionBias: false, headDim: 16,
      numKvHeads: 1, ropeTheta: 1e6, ropeScaling: null });
  });

  for (const family of FAMILIES) {
    it(`${family}: the older top-level rope_theta / rope_scaling spelling maps to the same config`, () => {
      const json = fixtureConfig(family);
      const expected = parseLlamaConfig(json, 'config.json');
      expect(parseLlamaConfig(oldStyle(json, 'type'), 'config.json')).toEqual(expected);
      expect(parseLlamaConfig(oldStyle(json, 'rope_type'), 'config.json')).toEqual(expected);
    });

    it(`${family}: the config.json pipe writes reads back to the same config`, () => {
      const cfg = parseLlamaConfig(fixtureConfig(family), 'config.json');
      expect(parseLlamaConfig(hfConfigJson(cfg), 'config.json')).toEqual(cfg);
      const { rope_parameters: _p, ...legacy } = hfConfigJson(cfg);
      expect(parseLlamaConfig(legacy, 'config.json')).toEqual(cfg);
    });
  }

  it('defaults: no num_key_value_heads means one KV head per head; no rope settings means theta 10000', () => {
    const { rope_parameters: _r, num_key_value_heads: _k, head_dim: _h, ...json } = fixtureConfig('llama');
    expect(parseLlamaConfig(json, 'c.json')).toMatchObject({ numKvHeads: 4, headDim: 8, ropeTheta: 10000, ropeScaling: null });
  });

  describe('what pipe does not build is refused by name', () => {
    const cases: [string, Json, string][] = [
      ['another architecture', { architectures: ['MistralForCausalLM'] },
        'architecture MistralForCausalLM is not supported (pipe builds LlamaForCausalLM, Qwen2ForCausalLM, Qwen3ForCausalLM)'],
      ['another RoPE variant', { rope_parameters: { rope_type: 'yarn', rope_theta: 1e4, factor: 4 } },
        '"rope_parameters" type "yarn" is not supported (pipe builds default, linear and llama3 RoPE)'],
      ['another activation', { hidden_act: 'gelu' }, '"hidden_act" "gelu" is not supported (pipe builds SwiGLU with silu)'],
      ['sliding windows', { use_sliding_window: true }, '"use_sliding_window": true is not supported (pipe builds full attention only)'],
      ['a missing size', { hidden_size: undefined }, 'missing "hidden_size"'],
      ['heads that do not group', { num_key_value_heads: 3 }, '"num_attention_heads" (4) must be a multiple of "num_key_value_heads" (3)'],
      ['a llama3 scaling without its factors', { rope_parameters: { rope_type: 'llama3', rope_theta: 1e4, factor: 8 } },
        '"rope_parameters.low_freq_factor" must be a positive number, got undefined'],
    ];
    for (const [what, patch, message] of cases) {
      it(what, () => {
        const json = { ...fixtureConfig('llama'), ...patch };
        const err = (() => { try { parseLlamaConfig(json, '/m/config.json'); } catch (e) { return e; } })();
        expect(err).toBeInstanceOf(HfModelError);
        expect((err as Error).message).toBe(`/m/config.json: ${message}`);
      });
    }
  });
});
