/**
 * `pipe model info|logits|tokenize <dir>` — look inside a model: a Hugging Face folder (config.json, safetensors,
 * tokenizer) or a pipe training output (model.onnx + checkpoint.json, and hf/ for Llama-family models). Stable JSON
 * with --json, for scripts and equivalence checks. Bad input (missing folder, broken shard, unknown architecture,
 * malformed --ids or messages file) is one line naming the file, exit 2.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { defineCommand } from '../command-spec.js';
import { HfModelError } from '../../nn/hf/errors.js';
import { hfFolderOf, openHfModel } from '../../nn/hf/folder.js';
import { HfTokenizer, type ChatMessage } from '../../nn/hf/tokenizer.js';
import type { Checkpoint } from '../../nn/types.js';
import { InputError, isInputError } from '../input-error.js';

/** Where the command writes (injectable so tests need no subprocess). */
export interface ModelIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

const processIo: ModelIo = {
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
};

const USAGE = `Usage: pipe model <info|logits|tokenize> <dir> [options]

  info <dir> [--json]                       architecture, parameters, vocabulary, context, dtype
  logits <dir> --ids 1,17,42 [--json]       one forward pass; --json: {"shape":[T,V],"logits":[…]} (row-major)
  tokenize <dir> --text "…" [--json]        token ids ({"ids":[…]}), no special tokens added
  tokenize <dir> --chat messages.json [--json]
                                            the chat rendered by the model's template with the generation prompt
                                            ({"text":"…","ids":[…]}); messages.json: [{"role":"user","content":"…"}]

<dir>: a Hugging Face model folder (as \`huggingface-cli download … --local-dir\` writes it) or a pipe model
output directory. Exit codes: 0 ok, 2 bad input.
`;


/** What a model directory is: a Hugging Face folder (maybe inside a pipe output) or a byte-level GPT checkpoint. */
type Resolved = { readonly kind: 'hf'; readonly dir: string } | { readonly kind: 'gpt'; readonly dir: string };

async function resolve(dir: string): Promise<Resolved> {
  const hf = hfFolderOf(dir);
  if (hf !== null) return { kind: 'hf', dir: hf };
  const { CHECKPOINT_FILES } = await import('../../nn/checkpoint.js');
  if (existsSync(join(dir, CHECKPOINT_FILES.sidecar))) return { kind: 'gpt', dir };
  // Let the folder loader say what is missing (folder not found, or no config.json).
  openHfModel(dir);
  throw new Error(`Internal error: ${dir} is neither a model folder nor reported missing`);
}

/** The weights of a model directory as a checkpoint (a Hugging Face folder is read in full, widened to float32). */
async function checkpointOf(r: Resolved): Promise<Checkpoint> {
  const nn = await import('../../nn/index.js');
  if (r.kind === 'gpt') return nn.loadCheckpoint(r.dir);
  const { folder, weights } = await nn.loadHfModel(r.dir);
  return nn.llamaCheckpoint(folder.config, weights);
}

async function info(dir: string, json: boolean, io: ModelIo): Promise<number> {
  const r = await resolve(dir);
  let fields: Record<string, unknown>;
  if (r.kind === 'hf') {
    const m = openHfModel(r.dir);
    fields = {
      architecture: m.config.architecture, parameters: m.numParams, vocabulary: m.config.vocabSize,
      context: m.config.maxPositions, dtype: m.dtypes.join(','), layers: m.config.numLayers, hidden: m.config.hiddenSize,
      heads: m.config.numHeads, kvHeads: m.config.numKvHeads, tiedEmbeddings: m.config.tieWordEmbeddings,
      chatTemplate: m.tokenizer.hasChatTemplate, folder: r.dir,
    };
  } else {
    const nn = await import('../../nn/index.js');
    const ckpt = await nn.loadCheckpoint(r.dir);
    const cfg = ckpt.config as { vocabSize: number; blockSize: number; nLayer: number; nEmbd: number; nHead: number };
    let params = 0;
    for (const w of ckpt.weights.values()) params += w.length;
    fields = {
      architecture: 'pipe-gpt (byte-level)', parameters: params, vocabulary: cfg.vocabSize, context: cfg.blockSize,
      dtype: 'F32', layers: cfg.nLayer, hidden: cfg.nEmbd, heads: cfg.nHead, kvHeads: cfg.nHead, tiedEmbeddings: false,
      chatTemplate: false, folder: r.dir,
    };
  }
  if (json) io.out(`${JSON.stringify(fields)}\n`);
  else for (const [k, v] of Object.entries(fields)) io.out(`${`${k}:`.padEnd(16)}${String(v)}\n`);
  return 0;
}

function parseIds(text: string | undefined): number[] {
  if (text === undefined) throw new InputError('give the token ids: --ids 1,17,42');
  const parts = text.split(',').map((t) => t.trim());
  if (parts.length === 0 || parts.some((t) => !/^[0-9]+$/.test(t))) throw new InputError(`--ids must be comma-separated non-negative integers, got '${text}'`);
  return parts.map(Number);
}

async function logits(dir: string, idsText: string | undefined, json: boolean, io: ModelIo): Promise<number> {
  const ids = parseIds(idsText);
  const r = await resolve(dir);
  if (r.kind === 'hf') openHfModel(r.dir); // validate before reading weights
  const ckpt = await checkpointOf(r);
  const nn = await import('../../nn/index.js');
  const V = ckpt.config.vocabSize;
  const limit = nn.isLlama(ckpt.config) ? V : nn.tokenizer.vocabSize;
  const context = nn.contextLength(ckpt.config);
  const bad = ids.find((id) => id >= limit);
  if (bad !== undefined) throw new InputError(`--ids: ${bad} is outside the vocabulary of ${limit}`);
  if (ids.length > context) throw new InputError(`--ids: ${ids.length} ids exceed the model's context of ${context}`);
  const out = await nn.forwardLogits(ckpt, ids);
  if (json) {
    io.out(`{"shape":[${out.shape[0]},${out.shape[1]}],"logits":[${Array.from(out.logits, (x) => String(x)).join(',')}]}\n`);
    return 0;
  }
  io.out(`shape ${out.shape[0]} x ${out.shape[1]}\n`);
  for (let t = 0; t < ids.length; t++) {
    const row = out.logits.subarray(t * V, (t + 1) * V);
    const top = Array.from(row.keys()).sort((a, b) => row[b]! - row[a]!).slice(0, 5);
    io.out(`${String(t).padStart(4)}  id ${String(ids[t]).padEnd(8)} top: ${top.map((i) => `${i} (${row[i]!.toFixed(3)})`).join(', ')}\n`);
  }
  return 0;
}

function parseMessages(text: string, file: string): ChatMessage[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new InputError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  if (!Array.isArray(json) || json.length === 0) throw new InputError(`${file}: expected a non-empty list of {"role", "content"} messages`);
  return json.map((m: unknown, i) => {
    const o = m as { role?: unknown; content?: unknown } | null;
    if (typeof o?.role !== 'string' || typeof o.content !== 'string') {
      throw new InputError(`${file}: message ${i} must be {"role": "…", "content": "…"} with string values`);
    }
    return { role: o.role, content: o.content };
  });
}

async function tokenize(dir: string, values: { text?: string; chat?: string }, json: boolean, io: ModelIo): Promise<number> {
  if ((values.text === undefined) === (values.chat === undefined)) throw new InputError('give exactly one of --text "…" or --chat messages.json');
  const r = await resolve(dir);
  let result: { text?: string; ids: number[] };
  if (r.kind === 'gpt') {
    if (values.chat !== undefined) throw new InputError(`${dir}: the byte-level GPT has no chat template`);
    const { tokenizer } = await import('../../nn/tokenizer.js');
    result = { ids: tokenizer.encode(values.text!) };
  } else {
    const tok = await HfTokenizer.load(r.dir);
    if (values.text !== undefined) {
      result = { ids: tok.encode(values.text) };
    } else {
      const file = values.chat!;
      const text = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
        throw new InputError(`${file}: ${e.code === 'ENOENT' ? 'file not found' : `cannot be read (${e.code ?? e.message})`}`);
      });
      const rendered = tok.renderChat(parseMessages(text, file), true);
      result = { text: rendered, ids: tok.encode(rendered) };
    }
  }
  if (json) io.out(`${JSON.stringify(result)}\n`);
  else io.out(`${result.text === undefined ? '' : `${result.text}\n`}${result.ids.join(' ')}\n`);
  return 0;
}

/** Runs `pipe model …` with `args` after "model". */
export async function runModel(args: readonly string[], io: ModelIo): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help' || rest.includes('--help')) {
    io.out(USAGE);
    return sub === undefined ? 2 : 0;
  }
  try {
    const { values, positionals } = parseArgs({
      args: [...rest],
      allowPositionals: true,
      options: { json: { type: 'boolean' }, ids: { type: 'string' }, text: { type: 'string' }, chat: { type: 'string' } },
    });
    if (positionals.length !== 1) throw new InputError(`expected one model directory, got ${positionals.length === 0 ? 'none' : positionals.join(' ')}`);
    const dir = positionals[0]!;
    const json = values.json === true;
    switch (sub) {
      case 'info':
        return await info(dir, json, io);
      case 'tokenize':
        return await tokenize(dir, values, json, io);
      case 'logits':
        return await logits(dir, values.ids, json, io);
      default:
        io.err(`pipe model: unknown subcommand '${sub}'\n\n${USAGE}`);
        return 2;
    }
  } catch (e) {
    if (isInputError(e) || e instanceof HfModelError) {
      io.err(`pipe model ${sub}: ${(e as Error).message}\n`);
      return 2;
    }
    throw e;
  }
}

/** `pipe model …` (it parses its own subcommands' arguments). */
export const spec = defineCommand({
  name: 'model',
  group: 'Tasks and models',
  rank: 2.5,
  summary: 'look inside a model folder: info, logits of a forward pass, tokenization and chat rendering',
  passThrough: { subcommands: ['info', 'logits', 'tokenize'], usage: USAGE },
  action: (args, _opts, ctx) => runModel(args, ctx.out !== undefined ? { out: ctx.out, err: ctx.err ?? processIo.err } : processIo),
});
