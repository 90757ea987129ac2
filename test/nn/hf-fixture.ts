import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { llamaCheckpoint, type Checkpoint, type LlamaConfig, type NamedTensor } from '../../src/nn/index.js';

/** The committed transformers fixtures (test/fixtures/hf, made by make_fixtures.py there). */
export const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'hf');
export const FAMILIES = ['llama', 'qwen2', 'qwen3'] as const;
export type Family = (typeof FAMILIES)[number];

/** Reads a float32 safetensors file (the fixtures' format) into HF-named tensors. */
export function readF32Safetensors(path: string): Map<string, NamedTensor> {
  const buf = readFileSync(path);
  const n = Number(buf.readBigUInt64LE(0));
  const header = JSON.parse(buf.subarray(8, 8 + n).toString('utf8')) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  const out = new Map<string, NamedTensor>();
  for (const [name, h] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    if (h.dtype !== 'F32') throw new Error(`${path}: ${name} is ${h.dtype}, expected F32`);
    const [a, b] = h.data_offsets;
    const bytes = buf.subarray(8 + n + a, 8 + n + b);
    const data = new Float32Array(bytes.length / 4);
    new Uint8Array(data.buffer).set(bytes);
    out.set(name, { shape: h.shape, data });
  }
  return out;
}

/** The fixture's config.json as a LlamaConfig (only the fields these fixtures use). */
export function fixtureConfig(family: Family): LlamaConfig {
  const c = JSON.parse(readFileSync(join(FIXTURES, family, 'config.json'), 'utf8')) as Record<string, any>;
  const rp = c['rope_parameters'] as Record<string, any>;
  const type = rp['rope_type'] as string;
  const ropeScaling: LlamaConfig['ropeScaling'] =
    type === 'linear'
      ? { type: 'linear', factor: rp['factor'] }
      : type === 'llama3'
        ? { type: 'llama3', factor: rp['factor'], lowFreqFactor: rp['low_freq_factor'], highFreqFactor: rp['high_freq_factor'], originalMaxPositions: rp['original_max_position_embeddings'] }
        : null;
  const arch = c['architectures'][0] as LlamaConfig['architecture'];
  return {
    architecture: arch,
    vocabSize: c['vocab_size'],
    hiddenSize: c['hidden_size'],
    intermediateSize: c['intermediate_size'],
    numLayers: c['num_hidden_layers'],
    numHeads: c['num_attention_heads'],
    numKvHeads: c['num_key_value_heads'],
    headDim: c['head_dim'] ?? c['hidden_size'] / c['num_attention_heads'],
    maxPositions: c['max_position_embeddings'],
    rmsNormEps: c['rms_norm_eps'],
    ropeTheta: rp['rope_theta'],
    ropeScaling,
    attentionBias: arch === 'Qwen2ForCausalLM' ? true : Boolean(c['attention_bias']),
    qkNorm: arch === 'Qwen3ForCausalLM',
    tieWordEmbeddings: Boolean(c['tie_word_embeddings']),
    bosTokenId: c['bos_token_id'] ?? null,
    eosTokenId: c['eos_token_id'] ?? null,
  };
}

export interface Expected {
  readonly ids: number[];
  readonly shape: [number, number];
  readonly logits: number[];
  readonly loss: number;
}

export function expected(family: Family): Expected {
  return JSON.parse(readFileSync(join(FIXTURES, `${family}.expected.json`), 'utf8')) as Expected;
}

/** max|a − b| / max|b|: the relative error every equivalence check uses. */
export function relError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num = Math.max(num, Math.abs((a[i] as number) - (b[i] as number)));
    den = Math.max(den, Math.abs(b[i] as number));
  }
  return num / den;
}

/** The fixture model as a pipe checkpoint. */
export function fixtureCheckpoint(family: Family): Checkpoint {
  return llamaCheckpoint(fixtureConfig(family), readF32Safetensors(join(FIXTURES, family, 'model.safetensors')));
}
