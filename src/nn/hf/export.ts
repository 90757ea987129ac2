import { access, copyFile, mkdir, rename, writeFile } from 'node:fs/promises';
import { isDeepStrictEqual } from 'node:util';
import { join } from 'node:path';
import type { LlamaConfig, LlamaWeights } from '../models/llama-config.js';
import { hfConfigJson, parseLlamaConfig } from './config.js';
import { writeSafetensors } from './safetensors.js';
import { TOKENIZER_FILES } from './tokenizer.js';

/** What a Hugging Face folder is written from. */
export interface HfExport {
  readonly config: LlamaConfig;
  /** Every tensor under its Hugging Face name (LoRA already merged; no `lm_head.weight` when tied). */
  readonly weights: LlamaWeights;
  /** The config.json the model was imported from, written back with float32 as its dtype; absent → generated. */
  readonly rawConfig?: Readonly<Record<string, unknown>> | null;
  /** Folder whose tokenizer files (tokenizer.json, tokenizer_config.json, chat template, …) are copied. */
  readonly tokenizerDir: string;
}

/**
 * Writes a folder that transformers' `from_pretrained` (and vLLM) loads as is: config.json, model.safetensors
 * (float32, the original tensor names) and the tokenizer files. The config written is checked to read back to the
 * same `LlamaConfig`, so an export never silently describes a different model than the weights.
 */
export async function writeHfFolder(dir: string, ex: HfExport): Promise<void> {
  await mkdir(dir, { recursive: true });
  const config = ex.rawConfig ? { ...ex.rawConfig, dtype: 'float32', torch_dtype: 'float32' } : hfConfigJson(ex.config);
  if (!isDeepStrictEqual(parseLlamaConfig(config, 'config.json'), ex.config)) {
    throw new Error('Internal error: the exported config.json does not describe the model being exported');
  }
  await writeSafetensors(join(dir, 'model.safetensors'), ex.weights);
  for (const name of TOKENIZER_FILES) {
    const from = join(ex.tokenizerDir, name);
    if (await access(from).then(() => true, () => false)) await copyFile(from, join(dir, name));
  }
  const tmp = join(dir, `config.json.tmp-${process.pid}`);
  await writeFile(tmp, `${JSON.stringify(config, null, 2)}\n`);
  await rename(tmp, join(dir, 'config.json'));
}
