import { cpSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HfModelError } from '../../../src/nn/hf/errors.js';
import { hfFolderOf, loadHfModel, openHfModel } from '../../../src/nn/hf/folder.js';
import { readSafetensors } from '../../../src/nn/hf/safetensors.js';
import { forwardLogits, llamaCheckpoint } from '../../../src/nn/index.js';
import { bf16Round, FAMILIES, fixture, tempDir } from './helpers.js';

function relError(a: Float32Array, b: readonly number[]): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    num = Math.max(num, Math.abs(a[i]! - b[i]!));
    den = Math.max(den, Math.abs(b[i]!));
  }
  return num / den;
}

function copyFixture(name: string): string {
  const dir = join(tempDir(), name);
  cpSync(fixture(name), dir, { recursive: true });
  return dir;
}

function errorOf(f: () => unknown): HfModelError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(HfModelError);
    return e as HfModelError;
  }
  throw new Error('expected an HfModelError');
}

describe('loading a Hugging Face model folder', () => {
  for (const family of FAMILIES) {
    it(`${family}: weights as saved, and a forward pass gives transformers' logits`, async () => {
      const { folder, weights } = await loadHfModel(fixture(family));
      const onDisk = await readSafetensors(fixture(`${family}/model.safetensors`));
      for (const [name, t] of weights) {
        expect(t.shape, name).toEqual(onDisk.get(name)!.shape);
        expect(Buffer.from(t.data.buffer).equals(Buffer.from(onDisk.get(name)!.data.buffer)), name).toBe(true);
      }
      expect(folder.dtypes).toEqual(['F32']);
      expect(folder.numParams).toBe([...weights.values()].reduce((n, t) => n + t.data.length, 0));
      const exp = JSON.parse(readFileSync(fixture(`${family}.expected.json`), 'utf8')) as { ids: number[]; shape: number[]; logits: number[] };
      const { shape, logits } = await forwardLogits(llamaCheckpoint(folder.config, weights), exp.ids, { threads: 1 });
      expect(shape).toEqual(exp.shape);
      expect(relError(logits, exp.logits)).toBeLessThan(1e-4);
    });
  }

  it('a BF16 copy in three shards loads: every value is the bf16 rounding of the F32 weight, logits as transformers', async () => {
    const { folder, weights } = await loadHfModel(fixture('llama-bf16-sharded'));
    expect(folder.dtypes).toEqual(['BF16']);
    expect(folder.shards).toEqual(['model-00001-of-00003.safetensors', 'model-00002-of-00003.safetensors', 'model-00003-of-00003.safetensors']);
    const f32 = await readSafetensors(fixture('llama/model.safetensors'));
    expect([...weights.keys()].sort()).toEqual([...f32.keys()].sort());
    for (const [name, t] of weights) {
      const want = f32.get(name)!.data;
      expect(t.data.every((x, i) => x === bf16Round(want[i]!)), name).toBe(true);
    }
    const exp = JSON.parse(readFileSync(fixture('llama-bf16-sharded.expected.json'), 'utf8')) as { ids: number[]; logits: number[] };
    const { logits } = await forwardLogits(llamaCheckpoint(folder.config, weights), exp.ids, { threads: 1 });
    expect(relError(logits, exp.logits)).toBeLessThan(1e-4);
  });

  it('finds the hf/ folder inside a pipe model output', () => {
    const out = tempDir();
    cpSync(fixture('qwen2'), join(out, 'hf'), { recursive: true });
    expect(hfFolderOf(out)).toBe(join(out, 'hf'));
    expect(hfFolderOf(fixture('qwen2'))).toBe(fixture('qwen2'));
    expect(hfFolderOf(tempDir())).toBeNull();
  });

  describe('a broken folder is one error naming the file, before anything is read in bulk', () => {
    it('a missing folder says how to get one', () => {
      const dir = join(tempDir(), 'Qwen2.5-0.5B-Instruct');
      expect(errorOf(() => openHfModel(dir)).message).toBe(
        `${dir}: model folder not found (download one first, e.g. \`huggingface-cli download <org>/<model> --local-dir ${dir}\`)`,
      );
    });

    it('a missing config.json', () => {
      const dir = copyFixture('qwen2');
      rmSync(join(dir, 'config.json'));
      expect(errorOf(() => openHfModel(dir)).message).toBe(`${join(dir, 'config.json')}: file not found`);
    });

    it('an unknown architecture', () => {
      const dir = copyFixture('qwen2');
      const cfg = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
      writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...cfg, architectures: ['GPTNeoXForCausalLM'] }));
      expect(errorOf(() => openHfModel(dir)).message).toBe(
        `${join(dir, 'config.json')}: architecture GPTNeoXForCausalLM is not supported (pipe builds LlamaForCausalLM, Qwen2ForCausalLM, Qwen3ForCausalLM)`,
      );
    });

    it('a tensor whose shape disagrees with the config', () => {
      const dir = copyFixture('qwen2');
      const cfg = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
      writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...cfg, intermediate_size: 64 }));
      expect(errorOf(() => openHfModel(dir)).message).toBe(
        `${join(dir, 'model.safetensors')}: tensor 'model.layers.0.mlp.gate_proj.weight' has shape [48, 32], but ${join(dir, 'config.json')} implies [64, 32]`,
      );
    });

    it('a missing shard', () => {
      const dir = copyFixture('llama-bf16-sharded');
      rmSync(join(dir, 'model-00002-of-00003.safetensors'));
      expect(errorOf(() => openHfModel(dir)).message).toBe(`${join(dir, 'model-00002-of-00003.safetensors')}: file not found`);
    });

    it('a truncated shard', () => {
      const dir = copyFixture('llama-bf16-sharded');
      truncateSync(join(dir, 'model-00003-of-00003.safetensors'), 10_000);
      expect(errorOf(() => openHfModel(dir)).message).toMatch(
        new RegExp(`^${join(dir, 'model-00003-of-00003.safetensors').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: truncated: tensor '.*' ends at data byte \\d+, the file holds \\d+$`),
      );
    });

    it('no weights at all', () => {
      const dir = copyFixture('qwen2');
      rmSync(join(dir, 'model.safetensors'));
      expect(errorOf(() => openHfModel(dir)).message).toBe(
        `${join(dir, 'model.safetensors')}: file not found (and no model.safetensors.index.json for sharded weights)`,
      );
    });

    it('a missing tokenizer', () => {
      const dir = copyFixture('qwen3');
      rmSync(join(dir, 'tokenizer.json'));
      expect(errorOf(() => openHfModel(dir)).message).toBe(`${join(dir, 'tokenizer.json')}: file not found (a Hugging Face model folder needs its tokenizer)`);
    });
  });
});
