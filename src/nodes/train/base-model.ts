/**
 * Where a trainer's model comes from and how its text becomes ids: the byte-level GPT (fresh or a pipe checkpoint),
 * or a Llama-family model imported from a Hugging Face folder (the `init` param) or trained by an earlier node (the
 * `init` input, whose output holds `hf/` beside model.onnx). For the latter, rows go through the model's tokenizer
 * and, unless `chat: false`, its chat template — the loss then covers the answer and the template's end of turn —
 * and the trained model is written with an `hf/` folder that transformers loads as is (LoRA merged).
 */
import { join } from 'node:path';
import type { ParamProblem } from '../../engine/node-kind.js';
import { HfModelError } from '../../nn/hf/errors.js';
import { openHfModel } from '../../nn/hf/folder.js';
import type { Checkpoint, HfTokenizer, LoraConfig, TokenBatch } from '../../nn/index.js';
import type { TrainLogRow } from './train-log.js';
import type { TextPair } from '../data/text-pairs.js';
import { writeModel } from './common.js';
import { Default, ParamsObject, StringEnum, Type, type Params } from '../params.js';

/** The `lora` param: peft's settings (targets default to q_proj and v_proj, as peft's for Llama). */
export const loraSchema = ParamsObject(
  {
    rank: Type.Integer({ minimum: 1, maximum: 1024, description: 'adapter rank r' }),
    alpha: Type.Number({ exclusiveMinimum: 0, description: 'scaling numerator (updates scaled by alpha / rank)' }),
    dropout: Default(Type.Number({ minimum: 0, exclusiveMaximum: 1, description: 'dropout on the adapter input' }), 0),
    targets: Default(
      Type.Array(StringEnum(['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj']), {
        minItems: 1,
        uniqueItems: true,
        description: 'projections that get adapters',
      }),
      ['q_proj', 'v_proj'],
    ),
  },
  { description: 'Train low-rank adapters only (base weights frozen); merged into the written model' },
);

/** Params a trainer takes to start from a Hugging Face model. */
export const baseModelSchemaProps = {
  init: Type.Optional(
    Type.String({ minLength: 1, description: 'A Hugging Face model folder to fine-tune (Llama, Qwen2, Qwen3), e.g. from huggingface-cli download … --local-dir' }),
  ),
  lora: Type.Optional(loraSchema),
  chat: Type.Optional(
    Type.Boolean({ description: "Render prompts through the model's chat template (default: when it has one); false for templates that carry the chat markup themselves" }),
  ),
};
const baseModelSchema = ParamsObject(baseModelSchemaProps);
export type BaseModelParams = Params<typeof baseModelSchema>;

/**
 * A model folder that is missing or broken, reported at its param while the pipeline loads (nothing runs): every
 * shard header, tensor shape and the tokenizer are checked, not the tensor data.
 */
export function initFolderProblems(params: { readonly init?: string }): ParamProblem[] {
  if (params.init === undefined) return [];
  try {
    openHfModel(params.init);
    return [];
  } catch (e) {
    if (e instanceof HfModelError) return [{ path: ['init'], message: e.message }];
    throw e;
  }
}

/** A loaded starting point: the checkpoint and, for a Hugging Face model, its tokenizer and files. */
export interface BaseModel {
  readonly ckpt: Checkpoint;
  readonly hf: {
    readonly tokenizer: HfTokenizer;
    /** Folder whose tokenizer files an export copies. */
    readonly dir: string;
    readonly rawConfig: Readonly<Record<string, unknown>> | null;
    /** Whether rows go through the chat template. */
    readonly chat: boolean;
  } | null;
}

/** The Hugging Face model of `init` (a folder) or of `initInput` (a model.hf or trained output with hf/); null for a byte-vocabulary model or none. */
export async function loadBaseModel(
  label: string,
  p: BaseModelParams,
  initInput: string | undefined,
  seed: number,
  /** The name of the trainer's model input, for messages. */
  inputName = 'init',
): Promise<BaseModel | null> {
  const nn = await import('../../nn/index.js');
  if (p.init !== undefined && initInput !== undefined) throw new Error(`${label}: give the \`init\` param or wire the \`${inputName}\` input, not both`);
  let ckpt: Checkpoint;
  let dir: string;
  let rawConfig: Readonly<Record<string, unknown>> | null;
  if (p.init !== undefined || (initInput !== undefined && nn.hfFolderOf(initInput) !== null && !(await isCheckpoint(initInput)))) {
    // A Hugging Face folder (the param, or an input that is one, e.g. an imported model).
    const folderDir = p.init ?? nn.hfFolderOf(initInput!)!;
    const { folder, weights } = await nn.loadHfModel(folderDir);
    ckpt = nn.llamaCheckpoint(folder.config, weights);
    dir = folderDir;
    rawConfig = folder.rawConfig;
  } else if (initInput !== undefined) {
    const hfDir = nn.hfFolderOf(initInput);
    if (hfDir === null) {
      // A model pipe trained over the byte vocabulary: the trainer's own path (bytes, BOS … SEP framing).
      if (p.lora !== undefined) throw new Error(`${label}: lora needs a Hugging Face model; the \`${inputName}\` input was trained over bytes`);
      return null;
    }
    ckpt = await nn.loadCheckpoint(initInput);
    dir = hfDir;
    rawConfig = (await import('node:fs')).existsSync(join(hfDir, 'config.json'))
      ? (JSON.parse((await import('node:fs')).readFileSync(join(hfDir, 'config.json'), 'utf8')) as Record<string, unknown>)
      : null;
  } else {
    if (p.lora !== undefined) throw new Error(`${label}: lora needs a Hugging Face model (\`init\`)`);
    return null;
  }
  const tokenizer = await nn.HfTokenizer.load(dir);
  // A model pipe trained renders prompts as its trainer did (meta.chat), unless told otherwise.
  const trainedChat = typeof ckpt.meta?.chat === 'boolean' ? ckpt.meta.chat : undefined;
  const chat = p.chat ?? trainedChat ?? tokenizer.hasChatTemplate;
  if (chat && !tokenizer.hasChatTemplate) throw new Error(`${label}: chat: true, but the model's tokenizer has no chat template`);
  // Fine-tuning starts a fresh optimizer and step counter; LoRA adds fresh adapters on the (merged) weights.
  const { optimizer: _o, lora: _l, ...weightsOnly } = nn.mergeLora(ckpt);
  let start: Checkpoint = { ...weightsOnly, step: 0 };
  if (p.lora !== undefined) {
    const lora: LoraConfig = {
      rank: p.lora.rank,
      alpha: p.lora.alpha,
      dropout: p.lora.dropout,
      targets: p.lora.targets,
      seed,
    };
    start = nn.withLora(start, lora);
  }
  return { ckpt: start, hf: { tokenizer, dir, rawConfig, chat } };
}

async function isCheckpoint(dir: string): Promise<boolean> {
  const { existsSync } = await import('node:fs');
  const { CHECKPOINT_FILES } = await import('../../nn/checkpoint.js');
  return existsSync(join(dir, CHECKPOINT_FILES.sidecar));
}

/** A text pair as (prompt, response) ids for `base` (bytes for the GPT). */
export function encodePair(base: BaseModel | null, pair: TextPair, byteEncode: (t: string) => number[]): { prompt: number[]; response: number[] } {
  if (base?.hf == null) return { prompt: byteEncode(pair.prompt), response: byteEncode(pair.response) };
  const { tokenizer, chat } = base.hf;
  if (chat) return tokenizer.chatRow(pair.prompt, pair.response);
  const eos = tokenizer.specialId('eos_token');
  return { prompt: tokenizer.encode(pair.prompt), response: [...tokenizer.encode(pair.response), ...(eos === null ? [] : [eos])] };
}

/** Packs rows for `base`'s model: `BOS prompt SEP response EOS` bytes (GPT) or the ids as they are (Llama family). */
export async function packFor(base: BaseModel | null, rows: readonly { prompt: number[]; response: number[] }[], seqLen: number): Promise<TokenBatch> {
  const nn = await import('../../nn/index.js');
  if (base?.hf == null) return nn.packBatch(rows, seqLen);
  const pad = base.hf.tokenizer.specialId('pad_token') ?? base.hf.tokenizer.specialId('eos_token') ?? 0;
  return nn.packIdBatch(rows, seqLen, base.ckpt.config.vocabSize, pad);
}

/**
 * Writes the trained model: model.onnx + checkpoint.json + train log, and for a Hugging Face model an `hf/` folder
 * (config, float32 safetensors under the original names with LoRA merged, tokenizer files), with how prompts were
 * rendered recorded in the checkpoint's meta (`chat`) so evaluation renders them the same way.
 */
export async function writeTrainedModel(dir: string, ckpt: Checkpoint, log: readonly TrainLogRow[], base: BaseModel | null): Promise<void> {
  if (base?.hf == null) return writeModel(dir, ckpt, log);
  const nn = await import('../../nn/index.js');
  const merged = nn.mergeLora(ckpt);
  const { lora: _l, ...plain } = merged;
  await writeModel(dir, { ...plain, meta: { ...(merged.meta ?? {}), chat: base.hf.chat } }, log);
  const config = merged.config;
  if (!nn.isLlama(config)) throw new Error('Internal error: a Hugging Face base with a GPT config');
  await nn.writeHfFolder(join(dir, nn.HF_EXPORT_DIR), { config, weights: nn.hfWeights(merged), rawConfig: base.hf.rawConfig, tokenizerDir: base.hf.dir });
}
