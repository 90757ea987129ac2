import { fromBinary } from '@bufbuild/protobuf';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ModelProtoSchema } from 'onnx-buf';
import { numel } from './models/gpt-params.js';
import { inputParams, specsLayout } from './models/gpt.js';
import { loraSpecs, mergeLora, type LoraConfig } from './models/lora.js';
import { decoderModel, isLlama } from './models/model.js';
import { encodeModel } from './onnx/encode.js';
import { Graph } from './onnx/graph.js';
import type { ConstData } from './onnx/types.js';
import { tokenizerSpec } from './tokenizer.js';
import type { Checkpoint, ModelConfig } from './types.js';
import { flatten, unflatten } from './flat.js';

/** File names inside a checkpoint directory. */
export const CHECKPOINT_FILES = { model: 'model.onnx', sidecar: 'checkpoint.json', optimizer: 'optimizer.bin' } as const;

const FORMAT = 'pipe-gpt-checkpoint';

interface Sidecar {
  readonly format: typeof FORMAT;
  readonly version: 1;
  readonly config: ModelConfig;
  readonly step: number;
  /**
   * The byte tokenizer's spec for a model over the byte vocabulary (the GPT, or a Llama-family model pipe pretrained
   * over bytes); null for a Hugging Face model, whose tokenizer travels with its files (`hf/` of a trained output).
   */
  readonly tokenizer: typeof tokenizerSpec | null;
  readonly model: { readonly file: string; readonly input: string; readonly output: string; readonly inputShape: readonly number[] };
  readonly params: readonly { readonly name: string; readonly shape: readonly number[] }[];
  readonly optimizer: { readonly file: string; readonly layout: 'm then v, float32 little-endian, params order' } | null;
  readonly meta: Record<string, unknown>;
}

/**
 * Whether a model reads the byte vocabulary: the GPT always; a Llama-family model when its vocabulary is the byte
 * tokenizer's (`train.sft model.arch: llama`) — Hugging Face vocabularies are tens of thousands of ids.
 */
export function readsBytes(cfg: ModelConfig): boolean {
  return !isLlama(cfg) || cfg.vocabSize === tokenizerSpec.vocabSize;
}

/** Protobuf's 2 GiB message limit, less room for the graph itself. */
const PROTOBUF_LIMIT = 2 ** 31 - 64 * 2 ** 20;

/** The Llama family's inference model takes at most this many positions (a (T, T) mask is a constant of the graph). */
export const LLAMA_INFERENCE_LENGTH = 1024;

/** The fixed input length of a checkpoint's inference model: the GPT's blockSize, the Llama family's capped context. */
export function inferenceLength(cfg: ModelConfig): number {
  return isLlama(cfg) ? Math.min(cfg.maxPositions, LLAMA_INFERENCE_LENGTH) : cfg.blockSize;
}

/**
 * The checkpoint's inference model: `input_ids` int64 [1, L] → `logits` float32 [1, L, V] (L = `inferenceLength`),
 * with the weights (LoRA merged) as initializers, so any ONNX runtime can load it. Attention is causal, so
 * right-padding the input does not change the logits of earlier positions.
 */
export function inferenceModel(ckpt0: Checkpoint): Uint8Array {
  const ckpt = mergeLora(ckpt0);
  const cfg = ckpt.config;
  const model = decoderModel(cfg);
  const L = inferenceLength(cfg);
  const g = new Graph();
  const { params, inputs } = inputParams(g, model.specs);
  const ids = g.input('input_ids', 'int64', [1, L]);
  const { logits } = model.forward(g, params, ids);
  g.output(g.reshape(logits, [1, L, cfg.vocabSize]), 'logits');
  const bind = new Map<number, ConstData>();
  for (const [name, v] of inputs) {
    const data = ckpt.weights.get(name);
    if (data === undefined) throw new Error(`saveCheckpoint: missing weight '${name}'`);
    if (data.length !== numel(v.shape)) throw new Error(`saveCheckpoint: weight '${name}' has ${data.length} values, expected ${numel(v.shape)}`);
    bind.set(v.id, data);
  }
  const bytes = [...inputs.values()].reduce((n, v) => n + 4 * numel(v.shape), 0);
  if (bytes > PROTOBUF_LIMIT) {
    throw new Error(`saveCheckpoint: the weights take ${(bytes / 2 ** 30).toFixed(2)} GiB, more than a single-file ONNX model holds (2 GiB protobuf limit)`);
  }
  return encodeModel(g, { name: isLlama(cfg) ? `pipe-${cfg.architecture}` : 'pipe-gpt', bind });
}

async function writeAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, data);
  await rename(tmp, path);
}

/**
 * Writes model.onnx + checkpoint.json (+ optimizer.bin when the checkpoint has AdamW moments) into `dir`. A LoRA
 * checkpoint is saved merged (its adapters folded into the weights) and without optimizer state: training it again
 * starts fresh adapters on the merged weights.
 */
export async function saveCheckpoint(dir: string, ckpt0: Checkpoint): Promise<void> {
  const ckpt = mergeLora(ckpt0);
  const layout = specsLayout(decoderModel(ckpt.config).specs);
  await mkdir(dir, { recursive: true });
  await writeAtomic(join(dir, CHECKPOINT_FILES.model), inferenceModel(ckpt));
  if (ckpt.optimizer) {
    const m = flatten(ckpt.optimizer.m, layout, 'saveCheckpoint optimizer.m');
    const v = flatten(ckpt.optimizer.v, layout, 'saveCheckpoint optimizer.v');
    const bytes = new Uint8Array(2 * layout.size * 4);
    bytes.set(new Uint8Array(m.buffer, m.byteOffset, m.byteLength), 0);
    bytes.set(new Uint8Array(v.buffer, v.byteOffset, v.byteLength), layout.size * 4);
    await writeAtomic(join(dir, CHECKPOINT_FILES.optimizer), bytes);
  }
  const sidecar: Sidecar = {
    format: FORMAT,
    version: 1,
    config: ckpt.config,
    step: ckpt.step,
    tokenizer: readsBytes(ckpt.config) ? tokenizerSpec : null,
    model: { file: CHECKPOINT_FILES.model, input: 'input_ids', output: 'logits', inputShape: [1, inferenceLength(ckpt.config)] },
    params: layout.specs.map((s) => ({ name: s.name, shape: s.shape })),
    optimizer: ckpt.optimizer ? { file: CHECKPOINT_FILES.optimizer, layout: 'm then v, float32 little-endian, params order' } : null,
    meta: ckpt.meta ?? {},
  };
  // The sidecar goes last: its presence marks a complete checkpoint.
  await writeAtomic(join(dir, CHECKPOINT_FILES.sidecar), `${JSON.stringify(sidecar, null, 2)}\n`);
}

/** Reads a directory written by saveCheckpoint; weights come from model.onnx's initializers. */
export async function loadCheckpoint(dir: string): Promise<Checkpoint> {
  const sidecarPath = join(dir, CHECKPOINT_FILES.sidecar);
  let sidecar: Sidecar;
  try {
    sidecar = JSON.parse(await readFile(sidecarPath, 'utf8')) as Sidecar;
  } catch (cause) {
    throw new Error(`loadCheckpoint: cannot read ${sidecarPath}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
  if (sidecar.format !== FORMAT || sidecar.version !== 1) throw new Error(`loadCheckpoint: ${sidecarPath} is not a ${FORMAT} v1 sidecar`);
  const layout = specsLayout(decoderModel(sidecar.config).specs);
  const model = fromBinary(ModelProtoSchema, await readFile(join(dir, sidecar.model.file)));
  const byName = new Map((model.graph?.initializer ?? []).map((t) => [t.name, t]));
  const weights = new Map<string, Float32Array>();
  for (const s of layout.specs) {
    const t = byName.get(s.name);
    if (t === undefined) throw new Error(`loadCheckpoint: model.onnx has no initializer '${s.name}'`);
    const n = numel(s.shape);
    let data: Float32Array;
    if (t.rawData.length === n * 4) {
      data = new Float32Array(n);
      new Uint8Array(data.buffer).set(t.rawData);
    } else if (t.floatData.length === n) {
      data = Float32Array.from(t.floatData);
    } else {
      throw new Error(`loadCheckpoint: initializer '${s.name}' does not hold ${n} float32 values`);
    }
    weights.set(s.name, data);
  }
  let optimizer: Checkpoint['optimizer'];
  if (sidecar.optimizer) {
    const bytes = await readFile(join(dir, sidecar.optimizer.file));
    if (bytes.length !== 2 * layout.size * 4) {
      throw new Error(`loadCheckpoint: ${sidecar.optimizer.file} has ${bytes.length} bytes, expected ${2 * layout.size * 4}`);
    }
    const all = new Float32Array(2 * layout.size);
    new Uint8Array(all.buffer).set(bytes);
    optimizer = { m: unflatten(all.subarray(0, layout.size), layout), v: unflatten(all.subarray(layout.size), layout) };
  }
  return {
    config: sidecar.config,
    step: sidecar.step,
    weights,
    ...(optimizer ? { optimizer } : {}),
    ...(Object.keys(sidecar.meta).length > 0 ? { meta: sidecar.meta } : {}),
  };
}

/** Files of a LoRA run's adapters beside the base weights in a training checkpoint (see saveTrainingCheckpoint). */
export const ADAPTER_FILES = { data: 'adapters.bin', sidecar: 'adapters.json' } as const;

interface AdapterSidecar {
  readonly lora: LoraConfig;
  readonly params: readonly { readonly name: string; readonly shape: readonly number[] }[];
  readonly layout: 'weights then m then v, float32 little-endian, params order';
}

/**
 * Writes the checkpoint a run resumes from. Without LoRA it is `saveCheckpoint`'s. With LoRA the adapters stay
 * unmerged, so the resumed run continues the same adapters with the same AdamW moments (a merged checkpoint would
 * restart fresh adapters and lose the optimizer state): the base weights as `saveCheckpoint` writes them, plus
 * adapters.bin (the adapters, then their moments m and v) and adapters.json (the LoRA settings and tensor list).
 */
export async function saveTrainingCheckpoint(dir: string, ckpt: Checkpoint): Promise<void> {
  const lora = ckpt.lora;
  if (lora === undefined || !isLlama(ckpt.config)) return saveCheckpoint(dir, ckpt);
  const layout = specsLayout(loraSpecs(ckpt.config, lora));
  const names = new Set(layout.specs.map((s) => s.name));
  const weights = flatten(ckpt.weights, layout, 'saveTrainingCheckpoint adapters');
  const zero = new Map(layout.specs.map((s) => [s.name, new Float32Array(numel(s.shape))]));
  const m = flatten(ckpt.optimizer?.m ?? zero, layout, 'saveTrainingCheckpoint optimizer.m');
  const v = flatten(ckpt.optimizer?.v ?? zero, layout, 'saveTrainingCheckpoint optimizer.v');
  const bytes = new Uint8Array(3 * layout.size * 4);
  [weights, m, v].forEach((a, i) => bytes.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), i * layout.size * 4));
  await mkdir(dir, { recursive: true });
  await writeAtomic(join(dir, ADAPTER_FILES.data), bytes);
  const sidecar: AdapterSidecar = {
    lora,
    params: layout.specs.map((s) => ({ name: s.name, shape: s.shape })),
    layout: 'weights then m then v, float32 little-endian, params order',
  };
  await writeAtomic(join(dir, ADAPTER_FILES.sidecar), `${JSON.stringify(sidecar, null, 2)}\n`);
  const { lora: _l, optimizer: _o, ...rest } = ckpt;
  await saveCheckpoint(dir, { ...rest, weights: new Map([...ckpt.weights].filter(([name]) => !names.has(name))) });
}

/** Reads a directory written by saveTrainingCheckpoint: a LoRA run's base weights, adapters, their moments and settings. */
export async function loadTrainingCheckpoint(dir: string): Promise<Checkpoint> {
  const ckpt = await loadCheckpoint(dir);
  if (!existsSync(join(dir, ADAPTER_FILES.sidecar))) return ckpt;
  const sidecar = JSON.parse(await readFile(join(dir, ADAPTER_FILES.sidecar), 'utf8')) as AdapterSidecar;
  if (!isLlama(ckpt.config)) throw new Error(`loadTrainingCheckpoint: ${dir} has adapters but no Llama-family model`);
  const layout = specsLayout(loraSpecs(ckpt.config, sidecar.lora));
  const bytes = await readFile(join(dir, ADAPTER_FILES.data));
  if (bytes.length !== 3 * layout.size * 4) {
    throw new Error(`loadTrainingCheckpoint: ${ADAPTER_FILES.data} has ${bytes.length} bytes, expected ${3 * layout.size * 4}`);
  }
  const all = new Float32Array(3 * layout.size);
  new Uint8Array(all.buffer).set(bytes);
  const part = (i: number) => unflatten(all.subarray(i * layout.size, (i + 1) * layout.size), layout);
  const { optimizer: _o, ...base } = ckpt;
  return { ...base, weights: new Map([...ckpt.weights, ...part(0)]), lora: sidecar.lora, optimizer: { m: part(1), v: part(2) } };
}
