import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseLlamaConfig } from '../../src/nn/hf/config.js';
import { readSafetensors } from '../../src/nn/hf/safetensors.js';
import { llamaCheckpoint, type Checkpoint, type LlamaConfig, type NamedTensor } from '../../src/nn/index.js';

/** The committed transformers fixtures (test/fixtures/hf, made by make_fixtures.py there). */
export const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'hf');
export const FAMILIES = ['llama', 'qwen2', 'qwen3'] as const;
export type Family = (typeof FAMILIES)[number];

/** A fixture safetensors file (weights, torch's gradients, the AdamW result) as HF-named float32 tensors. */
export function readFixtureTensors(file: string): Promise<Map<string, NamedTensor>> {
  return readSafetensors(join(FIXTURES, file));
}

/** The fixture's config.json through the importer's mapping. */
export function fixtureConfig(family: Family): LlamaConfig {
  const file = join(FIXTURES, family, 'config.json');
  return parseLlamaConfig(JSON.parse(readFileSync(file, 'utf8')), file);
}

/** The fixture model as a pipe checkpoint. */
export async function fixtureCheckpoint(family: Family): Promise<Checkpoint> {
  return llamaCheckpoint(fixtureConfig(family), await readFixtureTensors(join(family, 'model.safetensors')));
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
