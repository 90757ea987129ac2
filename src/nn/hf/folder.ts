import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { LlamaConfig, LlamaWeights, NamedTensor } from '../models/llama-config.js';
import { llamaParamSpecs } from '../models/llama-params.js';
import { parseLlamaConfig } from './config.js';
import { HfModelError } from './errors.js';
import { readSafetensors, readSafetensorsHeader, type SafetensorsDtype, type SafetensorsEntry } from './safetensors.js';
import { HfTokenizer } from './tokenizer.js';

/** How to get a model folder, for the error a missing one gives (pipe never downloads; the repo id is the user's). */
export function hfDownloadHint(dir: string): string {
  return `download one first, e.g. \`huggingface-cli download <org>/<model> --local-dir ${dir}\``;
}

/** Name of the Hugging Face export inside a pipe model output directory. */
export const HF_EXPORT_DIR = 'hf';

/**
 * A validated Hugging Face model folder (what `huggingface-cli download … --local-dir` writes), tensor data not yet
 * read: config mapped, every shard present and its header sound, every tensor the config needs found with the
 * shape the config gives, tokenizer loaded. Opening reads headers and small files only, so a pipeline can refuse
 * a broken folder while it is loaded, before anything runs; `readHfWeights` then reads the data shard by shard.
 */
export interface HfModelFolder {
  readonly dir: string;
  readonly config: LlamaConfig;
  /** config.json as written, kept so an export can write back what the user had. */
  readonly rawConfig: Readonly<Record<string, unknown>>;
  /** Storage dtypes of the weights (e.g. ["BF16"]). */
  readonly dtypes: readonly SafetensorsDtype[];
  /** Parameter count of the tensors the model uses. */
  readonly numParams: number;
  /** The .safetensors files, relative to dir. */
  readonly shards: readonly string[];
  /** Tensor name → its shard (absolute path) and header entry. */
  readonly tensors: ReadonlyMap<string, { readonly file: string; readonly entry: SafetensorsEntry }>;
  readonly tokenizer: HfTokenizer;
}

function exists(path: string, what: 'file' | 'dir'): boolean {
  try {
    const s = statSync(path);
    return what === 'file' ? s.isFile() : s.isDirectory();
  } catch {
    return false;
  }
}

function readJsonFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new HfModelError(file, 'file not found');
    throw new HfModelError(file, `cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new HfModelError(file, `is not valid JSON (${(err as Error).message})`);
  }
}

/** The shard files and which tensor each holds, from model.safetensors.index.json or a single model.safetensors. */
function shardMap(dir: string): { indexFile: string | null; shards: string[]; owner: Map<string, string> | null } {
  const indexFile = join(dir, 'model.safetensors.index.json');
  const single = join(dir, 'model.safetensors');
  if (!exists(indexFile, 'file')) {
    if (!exists(single, 'file')) {
      throw new HfModelError(single, exists(join(dir, 'pytorch_model.bin'), 'file')
        ? 'file not found (the folder has pytorch_model.bin; pipe reads safetensors only: re-save it with save_pretrained(safe_serialization=True))'
        : 'file not found (and no model.safetensors.index.json for sharded weights)');
    }
    return { indexFile: null, shards: ['model.safetensors'], owner: null };
  }
  const map = (readJsonFile(indexFile) as { weight_map?: unknown } | null)?.weight_map;
  if (typeof map !== 'object' || map === null || Array.isArray(map)) throw new HfModelError(indexFile, 'has no "weight_map" object');
  const owner = new Map<string, string>();
  for (const [name, shard] of Object.entries(map)) {
    if (typeof shard !== 'string' || shard.includes('/') || shard.includes('\\') || shard.startsWith('.')) {
      throw new HfModelError(indexFile, `weight_map["${name}"] must name a shard file in the folder, got ${JSON.stringify(shard)}`);
    }
    owner.set(name, shard);
  }
  return { indexFile, shards: [...new Set(owner.values())].sort(), owner };
}

/**
 * Validates `dir` as a Llama-family model folder and reads its headers and tokenizer (not the tensor data).
 * Every problem is an HfModelError naming the file: missing folder, config.json, shard or tokenizer; a truncated
 * shard; a tensor missing or shaped unlike the config; an architecture pipe does not build.
 */
export function openHfModel(dir: string): HfModelFolder {
  if (!exists(dir, 'dir')) throw new HfModelError(dir, `model folder not found (${hfDownloadHint(dir)})`);
  const configFile = join(dir, 'config.json');
  const rawConfig = readJsonFile(configFile);
  const config = parseLlamaConfig(rawConfig, configFile);
  const { indexFile, shards, owner } = shardMap(dir);
  const tensors = new Map<string, { file: string; entry: SafetensorsEntry }>();
  for (const shard of shards) {
    const file = join(dir, shard);
    for (const entry of readSafetensorsHeader(file).entries) {
      if (owner !== null && owner.get(entry.name) !== shard) continue; // the index decides where a tensor lives
      tensors.set(entry.name, { file, entry });
    }
  }
  if (owner !== null) {
    for (const [name, shard] of owner) {
      if (!tensors.has(name)) throw new HfModelError(join(dir, shard), `has no tensor '${name}', which ${indexFile} places there`);
    }
  }
  const dtypes = new Set<SafetensorsDtype>();
  let numParams = 0;
  for (const spec of llamaParamSpecs(config)) {
    const t = tensors.get(spec.name);
    if (t === undefined) throw new HfModelError(indexFile ?? join(dir, 'model.safetensors'), `has no tensor '${spec.name}', which ${configFile} implies`);
    if (t.entry.shape.join() !== spec.shape.join()) {
      throw new HfModelError(t.file, `tensor '${spec.name}' has shape [${t.entry.shape.join(', ')}], but ${configFile} implies [${spec.shape.join(', ')}]`);
    }
    dtypes.add(t.entry.dtype);
    numParams += spec.shape.reduce((a, d) => a * d, 1);
  }
  const tokenizer = HfTokenizer.loadSync(dir);
  return {
    dir, config, rawConfig: rawConfig as Record<string, unknown>, dtypes: [...dtypes].sort(), numParams, shards, tensors, tokenizer,
  };
}

/** Reads the tensors the model uses, shard by shard, widened to float32 (no `lm_head.weight` when tied). */
export async function readHfWeights(folder: HfModelFolder): Promise<LlamaWeights> {
  const wanted = llamaParamSpecs(folder.config).map((s) => s.name);
  const byFile = new Map<string, Set<string>>();
  for (const name of wanted) {
    const { file } = folder.tensors.get(name)!;
    if (!byFile.has(file)) byFile.set(file, new Set());
    byFile.get(file)!.add(name);
  }
  const read = new Map<string, NamedTensor>();
  for (const [file, names] of byFile) for (const [n, t] of await readSafetensors(file, names)) read.set(n, t);
  return new Map(wanted.map((n) => [n, read.get(n)!]));
}

/** Opens and reads a model folder: config, weights (float32) and tokenizer, all validated. */
export async function loadHfModel(dir: string): Promise<{ folder: HfModelFolder; weights: LlamaWeights }> {
  const folder = openHfModel(dir);
  return { folder, weights: await readHfWeights(folder) };
}

/**
 * The Hugging Face folder a model directory holds: the directory itself (it has config.json) or the `hf/` folder a
 * pipe training output writes beside model.onnx; null when neither (a byte-level GPT output, or not a model).
 */
export function hfFolderOf(dir: string): string | null {
  if (exists(join(dir, 'config.json'), 'file')) return dir;
  const inner = join(dir, HF_EXPORT_DIR);
  return exists(join(inner, 'config.json'), 'file') ? inner : null;
}
