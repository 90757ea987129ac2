import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLlamaConfig } from '../../../src/nn/hf/config.js';
import { writeHfFolder } from '../../../src/nn/hf/export.js';
import { readSafetensors, readSafetensorsHeader } from '../../../src/nn/hf/safetensors.js';
import { HfTokenizer } from '../../../src/nn/hf/tokenizer.js';
import { FAMILIES, fixture, tempDir } from './helpers.js';

describe('writing a Hugging Face folder', () => {
  for (const family of FAMILIES) {
    it(`${family}: config, F32 weights under the original names, and the tokenizer files read back as they went in`, async () => {
      const rawConfig = JSON.parse(readFileSync(fixture(`${family}/config.json`), 'utf8')) as Record<string, unknown>;
      const config = parseLlamaConfig(rawConfig, 'config.json');
      const weights = await readSafetensors(fixture(`${family}/model.safetensors`));
      for (const generated of [false, true]) {
        const out = join(tempDir(), 'hf');
        await writeHfFolder(out, { config, weights, rawConfig: generated ? null : rawConfig, tokenizerDir: fixture(family) });
        const written = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')) as Record<string, unknown>;
        expect(parseLlamaConfig(written, 'config.json')).toEqual(config);
        expect(written.dtype).toBe('float32');
        expect((await readSafetensorsHeader(join(out, 'model.safetensors'))).metadata).toEqual({ format: 'pt' });
        const back = await readSafetensors(join(out, 'model.safetensors'));
        expect([...back.keys()]).toEqual([...weights.keys()]);
        for (const [name, t] of weights) {
          expect(back.get(name)!.shape, name).toEqual(t.shape);
          expect(Buffer.from(back.get(name)!.data.buffer).equals(Buffer.from(t.data.buffer)), name).toBe(true);
        }
        for (const f of ['tokenizer.json', 'tokenizer_config.json', 'chat_template.jinja', 'generation_config.json']) {
          expect(readFileSync(join(out, f), 'utf8')).toBe(readFileSync(fixture(`${family}/${f}`), 'utf8'));
        }
        expect(existsSync(join(out, 'special_tokens_map.json'))).toBe(false); // only files the source has
        const tok = await HfTokenizer.load(out);
        expect(tok.encode('hello world')).toEqual((await HfTokenizer.load(fixture(family))).encode('hello world'));
      }
    });
  }

  it('refuses to write a config.json that describes another model than the weights', async () => {
    const rawConfig = JSON.parse(readFileSync(fixture('qwen2/config.json'), 'utf8')) as Record<string, unknown>;
    const config = { ...parseLlamaConfig(rawConfig, 'config.json'), numLayers: 3 };
    await expect(writeHfFolder(join(tempDir(), 'hf'), { config, weights: new Map(), rawConfig, tokenizerDir: fixture('qwen2') }))
      .rejects.toThrow('Internal error: the exported config.json does not describe the model being exported');
  });
});
