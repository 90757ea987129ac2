/**
 * `model.hf`: brings a Hugging Face model folder (Llama, Qwen2, Qwen3; what `huggingface-cli download … --local-dir`
 * writes) into the store, so trainers (`inputs: { init: base.model }`) and evaluators (`inputs: { model: base.model }`)
 * start from it. The folder is a folder param: keyed by its files' contents (big shards hashed once), and checked
 * while the pipeline loads — a missing folder, shard or tokenizer, a shape that disagrees with config.json or an
 * architecture pipe does not build stops the run before anything executes, naming the file.
 */
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { NodeKind } from '../../engine/node-kind.js';
import { HF_EXPORT_DIR, openHfModel } from '../../nn/hf/folder.js';
import { TOKENIZER_FILES } from '../../nn/hf/tokenizer.js';
import { initFolderProblems } from './base-model.js';
import { MODEL_DIR } from '../formats.js';
import { ParamsObject, Type, type Static } from '../params.js';

/** model.hf's params. */
export const hfModelParams = ParamsObject({
  path: Type.String({ minLength: 1, description: 'The folder, e.g. from huggingface-cli download Qwen/Qwen2.5-0.5B-Instruct --local-dir DIR' }),
});
export type HfModelParams = Static<typeof hfModelParams>;

export const hfModelKind: NodeKind<HfModelParams> = {
  kind: 'model.hf',
  description: 'A Hugging Face model folder (Llama, Qwen2, Qwen3) as a model output that trainers and evaluators take',
  module: import.meta.url,
  params: hfModelParams,
  inputs: [],
  outputs: ['model'],
  outputFormats: { model: MODEL_DIR },
  folderParams: ['path'],
  checkFiles: (p) => initFolderProblems({ init: p.path }).map((problem) => ({ ...problem, path: ['path'] })),
  async run(ctx) {
    const folder = openHfModel(ctx.params.path);
    const out = join(ctx.output('model'), HF_EXPORT_DIR);
    await mkdir(out, { recursive: true });
    const files = new Set<string>(['config.json', ...folder.shards, ...TOKENIZER_FILES]);
    if (folder.shards.length > 1 || folder.shards[0] !== 'model.safetensors') files.add('model.safetensors.index.json');
    for (const f of files) {
      await copyFile(join(ctx.params.path, f), join(out, f)).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== 'ENOENT' || !(TOKENIZER_FILES as readonly string[]).includes(f)) throw e;
      });
    }
    ctx.metric('parameters', folder.numParams);
  },
};
