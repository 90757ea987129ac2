import { deriveSeed } from '../util/rng.js';
import { batchDims } from './batch-check.js';
import { promptPrefix } from './batch.js';
import { fusedDecodeSpecs, fusedDecodeStep, fusedDecodeWeights, type FusedAttention } from './models/fused-decode.js';
import { numel } from './models/gpt-params.js';
import { inputParams, lookup, type DecodeResult } from './models/gpt.js';
import { mergeLora } from './models/lora.js';
import { contextLength, decoderModel, isLlama } from './models/model.js';
import { encodeModel } from './onnx/encode.js';
import { Graph } from './onnx/graph.js';
import type { Value } from './onnx/types.js';
import type { DeviceMover } from './runtime/device.js';
import type { RtSession, RtTensor } from './runtime/ort.js';
import type { ResidentCache } from './stream.js';
import { tokenizer } from './tokenizer.js';
import { TRAIN_IO, buildScoreGraph } from './train-graph.js';
import type { Checkpoint, ModelConfig, Provider, SessionOptions, TokenBatch } from './types.js';

type Rt = typeof import('./runtime/ort.js');

/** Options of `Generator.generate`. temperature 0 = greedy; a row stops at EOS (dropped) or once its response ends
 * with one of the `stop` strings (kept). Row i samples from its own Rng seeded by `seeds[i]` (else by (seed, i)),
 * so results do not depend on how rows are batched. */
export interface GenerateOptions {
  readonly maxNewTokens: number;
  readonly temperature: number;
  readonly topP: number;
  readonly seed: number;
  /** One seed per prompt. */
  readonly seeds?: readonly number[];
  readonly stop?: readonly string[];
}

/**
 * How prompts become the ids a model reads and sampled ids become text. The byte GPT's is the default; a
 * Llama-family model's comes from its Hugging Face tokenizer (without one, text is empty and `stop` is refused).
 */
export interface GenVocab {
  /** The ids fed for a prompt, at most `room` long (the GPT adds BOS … SEP and keeps the prompt's end). */
  prefix(prompt: readonly number[], room: number): number[];
  /** Ids that end a response (dropped from it). */
  readonly eos: readonly number[];
  /** The id of padded slots (masked, so any id in the vocabulary). */
  readonly pad: number;
  /** Whether an id may be sampled. */
  allowed(id: number): boolean;
  /** Why a prompt id is refused, or null. */
  badPromptId(id: number): string | null;
  encode(text: string): number[];
  decode(ids: readonly number[]): string;
}

/** The byte GPT's vocabulary: prompts are bytes, BOS … SEP added; only bytes and EOS are sampled. */
export const byteVocab: GenVocab = {
  prefix: (prompt, room) => promptPrefix(prompt, room),
  eos: [tokenizer.EOS],
  pad: tokenizer.PAD,
  allowed: (id) => id < 256 || id === tokenizer.EOS,
  badPromptId: (id) => (Number.isInteger(id) && id >= 0 && id < 256 ? null : 'not a byte (BOS/SEP are added by generate)'),
  encode: (text) => tokenizer.encode(text),
  decode: (ids) => tokenizer.decode(ids),
};

/** A Llama-family model's ids as they are: prompts already rendered (chat template), EOS from the config. */
export function idVocab(cfg: ModelConfig, text?: { encode(text: string): number[]; decode(ids: readonly number[]): string }): GenVocab {
  const eos = isLlama(cfg) ? cfg.eosTokenId : null;
  return {
    prefix: (prompt, room) => prompt.slice(Math.max(0, prompt.length - room)),
    eos: eos === null ? [] : typeof eos === 'number' ? [eos] : [...eos],
    pad: 0,
    allowed: () => true,
    badPromptId: (id) => (Number.isInteger(id) && id >= 0 && id < cfg.vocabSize ? null : `outside the vocabulary of ${cfg.vocabSize}`),
    encode: (t) => {
      if (!text) throw new Error('Generator: stop strings need the model\'s tokenizer (GeneratorOptions.vocab)');
      return text.encode(t);
    },
    decode: (ids) => (text ? text.decode(ids) : ''),
  };
}

/** One prompt of `Generator.stream`: its ids (as `generate` takes them) and the seed of its sampler. */
export interface StreamRequest {
  readonly prompt: readonly number[];
  readonly seed: number;
  /** The sampler's Rng seed itself (default deriveSeed('generate', seed)); `generate` sets it. */
  readonly rngSeed?: number;
}

/** Options of `Generator.stream` (per-row seeds come with the requests). */
export type StreamOptions = Omit<GenerateOptions, 'seed' | 'seeds'>;

/** Options of `Generator.create`: at most `maxBatch` rows run together; prompt + response fit in `maxLen` slots. */
export type GeneratorOptions = SessionOptions & {
  readonly maxBatch: number;
  readonly maxLen: number;
  /**
   * Keep `stream`'s KV cache on the device between decode runs (see ResidentCache). Default: on for WebGPU, where
   * feeding a host cache uploads all of it every token; off for the CPU EP, where the host cache is fed without a
   * copy (there the resident graphs only cost more, and serve to test this path).
   */
  readonly residentKv?: boolean;
  /**
   * Which decode graph `stream` runs: 'standard' (portable ONNX ops), or onnxruntime's contrib ops with a third to a
   * quarter of the kernels per step (models/fused-decode.ts): 'fused' (GroupQueryAttention, the cache updated in
   * place) or 'fused-mha' (Where writes + MultiHeadAttention with the slot mask). Both keep the cache on the device,
   * so they imply residentKv. Default 'standard' everywhere: the fused graphs are checked against it on the CPU EP
   * only (test/nn/fused-decode.test.ts; bench/eval/decode-speed.mjs --graph checks them on a GPU). On the CPU EP the
   * host cache stays faster in wall time: onnxruntime-node copies every cache output into a new JavaScript array.
   */
  readonly decodeGraph?: DecodeGraphKind;
  /** Default: `byteVocab` for the GPT, `idVocab(config)` for the Llama family. */
  readonly vocab?: GenVocab;
  /**
   * Where sampled decoding with topP = 1 computes softmax(logits / temperature): 'graph' (the decode graph outputs
   * the probabilities, onnxruntime's vectorized exp; the host draws by inverse CDF, sampling.ts drawFromProbs) or
   * 'host' (the decode graph outputs logits, sampleToken exponentiates them in JavaScript: about 0.6 ms per token at
   * 49 152 ids, 2 ms at 151 936; bench/eval/sampler-cost.mjs). Default 'graph' when the vocabulary allows every id
   * (the Llama family's), else 'host': 'graph' has no mask for refused ids, and the byte GPT's draws stay those its
   * published results were made with. Both walk
   * the same cumulative distribution in id order with one uniform of the row's Rng per token, so they draw the same
   * tokens unless a uniform lands within float32 rounding of a boundary. Greedy decoding and topP < 1 always go
   * through sampleToken. (Each response's first token comes from the prompt pass, which then outputs probabilities.)
   */
  readonly sampler?: SamplerKind;
};

/** Where sampled decoding computes its softmax (GeneratorOptions.sampler). */
export const SAMPLERS = ['host', 'graph'] as const;
export type SamplerKind = (typeof SAMPLERS)[number];

/** The two decode graphs (GeneratorOptions.decodeGraph). */
export const DECODE_GRAPHS = ['standard', 'fused', 'fused-mha'] as const;
export type DecodeGraphKind = (typeof DECODE_GRAPHS)[number];

/** The attention form of a fused decode graph (models/fused-decode.ts). */
function fusedAttention(graph: DecodeGraphKind): FusedAttention {
  return graph === 'fused' ? 'gqa' : 'mha';
}

/** Input names of the resident decode graph's slot marker and of the admit graph (see ResidentCache in stream.ts). */
export const RESIDENT_IO = {
  slotHot: 'slot_hot',
  rowMask: 'row_mask',
  rowIndex: 'row_index',
  cacheK: (l: number) => `cache_key_${l}`,
  cacheV: (l: number) => `cache_value_${l}`,
  rowsK: (l: number) => `rows_key_${l}`,
  rowsV: (l: number) => `rows_value_${l}`,
} as const;

const IO = {
  token: 'token',
  position: 'position',
  slotBias: 'slot_bias',
  totalLen: 'total_len',
  logits: 'logits',
  temperature: 'temperature',
  probs: 'probs',
} as const;
const pastK = (l: number) => `past_key_${l}`;
const pastV = (l: number) => `past_value_${l}`;
const newK = (l: number) => `key_${l}`;
const newV = (l: number) => `value_${l}`;

/**
 * The one-token decode graph over a KV cache of S slots, weights as inputs (so setWeights is cheap). Outputs the
 * token's keys and values for the host to write into its cache; `resident`: takes `slot_hot` (B, S) bool, writes them
 * into the cache in the graph and outputs the updated cache (which stays on the device, see ResidentCache). `graph`
 * 'fused' / 'fused-mha': the resident step in onnxruntime's contrib ops (models/fused-decode.ts; `resident` implied),
 * with keys (B, nkv, S, hd) like values; 'fused' takes `total_len` instead of the slot mask and marker. `probs`: takes
 * `temperature` (1) and outputs `probs`, softmax(logits / temperature), instead of the logits (the 'graph' sampler).
 */
export function buildDecodeGraph(cfg: ModelConfig, B: number, S: number, o: { resident?: boolean; graph?: DecodeGraphKind; probs?: boolean } = {}): Graph {
  const g = new Graph();
  const model = decoderModel(cfg);
  const { params, inputs } = inputParams(g, model.specs);
  const token = g.input(IO.token, 'int32', [B]);
  const position = g.input(IO.position, 'int32', [B]);
  const pastKeys: ReturnType<Graph['input']>[] = [];
  const pastValues: ReturnType<Graph['input']>[] = [];
  const graph = o.graph ?? 'standard';
  const cacheShapes = cacheLayout(cfg, B, S, graph !== 'standard');
  if (graph !== 'standard') {
    const attention =
      fusedAttention(graph) === 'gqa'
        ? { kind: 'gqa' as const, totalLen: g.input(IO.totalLen, 'int32', [1]) }
        : { kind: 'mha' as const, slotBias: g.input(IO.slotBias, 'float32', [B, S]), slotHot: g.input(RESIDENT_IO.slotHot, 'bool', [B, S]) };
    for (let l = 0; l < model.numLayers; l++) {
      pastKeys.push(g.input(pastK(l), 'float32', cacheShapes.k));
      pastValues.push(g.input(pastV(l), 'float32', cacheShapes.v));
    }
    const extra = new Map(fusedDecodeSpecs(cfg, attention.kind).map((w) => [w.name, g.input(w.name, 'float32', w.shape)]));
    const out = fusedDecodeStep(g, cfg, lookup(inputs, extra), { token, position, pastKeys, pastValues, attention });
    return withOutputs(g, out, o.probs ?? false);
  }
  const slotBias = g.input(IO.slotBias, 'float32', [B, S]);
  const slotHot = o.resident ? g.input(RESIDENT_IO.slotHot, 'bool', [B, S]) : undefined;
  for (let l = 0; l < model.numLayers; l++) {
    pastKeys.push(g.input(pastK(l), 'float32', cacheShapes.k));
    pastValues.push(g.input(pastV(l), 'float32', cacheShapes.v));
  }
  const out = model.decodeStep(g, params, { token, position, pastKeys, pastValues, slotBias, ...(slotHot ? { slotHot } : {}) });
  return withOutputs(g, out, o.probs ?? false);
}

/**
 * Binds a decode step's logits (or with `probs` their softmax at the fed temperature, computed where onnxruntime's
 * exp is vectorized instead of by Math.exp per id on the host) and per-layer keys/values to the output names.
 */
function withOutputs(g: Graph, out: DecodeResult, probs: boolean): Graph {
  if (probs) g.output(temperatureSoftmax(g, out.logits, IO.temperature), IO.probs);
  else g.output(out.logits, IO.logits);
  out.keys.forEach((k, l) => g.output(k, newK(l)));
  out.values.forEach((v, l) => g.output(v, newV(l)));
  return g;
}

/** softmax(logits / temperature) over the vocabulary (last axis), the temperature a graph input of shape (1). */
function temperatureSoftmax(g: Graph, logits: Value, temperature: string): Value {
  return g.softmax(g.div(logits, g.input(temperature, 'float32', [1])), -1);
}

/**
 * Shapes of one layer's cache for B rows of S slots: values (B, nkv, S, hd); keys transposed (B, nkv, hd, S) for the
 * standard graph (q·K without a Transpose), `keysBySlot` like values for the fused ones (the contrib ops' layout).
 */
export function cacheLayout(cfg: ModelConfig, B: number, S: number, keysBySlot: boolean): { k: number[]; v: number[] } {
  const { kvHeads: nkv, headDim: hd } = decoderModel(cfg);
  return { k: keysBySlot ? [B, nkv, S, hd] : [B, nkv, hd, S], v: [B, nkv, S, hd] };
}

/**
 * Writes n staged rows into a resident cache of B rows: cache' = Where(row_mask, Gather(rows, row_index), cache), per
 * layer for keys and values — only the n new rows travel from the host.
 */
export function buildAdmitGraph(cfg: ModelConfig, B: number, S: number, n: number, keysBySlot = false): Graph {
  const g = new Graph();
  const model = decoderModel(cfg);
  const rows = cacheLayout(cfg, n, S, keysBySlot);
  const cache = cacheLayout(cfg, B, S, keysBySlot);
  const mask = g.reshape(g.input(RESIDENT_IO.rowMask, 'bool', [B]), [B, 1, 1, 1]);
  const index = g.input(RESIDENT_IO.rowIndex, 'int32', [B]);
  for (let l = 0; l < model.numLayers; l++) {
    const rowsK = g.gather(g.input(RESIDENT_IO.rowsK(l), 'float32', rows.k), index, 0);
    const rowsV = g.gather(g.input(RESIDENT_IO.rowsV(l), 'float32', rows.v), index, 0);
    g.output(g.where(mask, rowsK, g.input(RESIDENT_IO.cacheK(l), 'float32', cache.k)), newK(l));
    g.output(g.where(mask, rowsV, g.input(RESIDENT_IO.cacheV(l), 'float32', cache.v)), newV(l));
  }
  return g;
}

const PREFILL = { tokens: 'tokens', positions: 'positions', bias: 'attn_bias', logits: 'last_logits', temperature: 'temperature', probs: 'last_probs' } as const;
const prefillK = (l: number) => `prefill_key_${l}`;
const prefillV = (l: number) => `prefill_value_${l}`;

/**
 * The prompt pass: the full forward over (B, P) left-padded prompts with per-row positions and an additive
 * (B, 1, P, P) mask (causal, pads masked), returning the last position's logits and every layer's keys and values
 * (B, nh, P, hs) to seed the cache — one run instead of P decode steps (the Llama family's head runs on column P−1
 * only). `probs`: takes `temperature` (1) and outputs `last_probs`, softmax(last logits / temperature), instead of
 * the logits (the 'graph' sampler).
 */
export function buildPrefillGraph(cfg: ModelConfig, B: number, P: number, o: { probs?: boolean } = {}): Graph {
  const g = new Graph();
  const model = decoderModel(cfg);
  const { params } = inputParams(g, model.specs);
  const tokens = g.input(PREFILL.tokens, 'int32', [B, P]);
  const positions = g.input(PREFILL.positions, 'int32', [B, P]);
  const attnBias = g.input(PREFILL.bias, 'float32', [B, 1, P, P]);
  // Rows are left-padded, so every row's last prompt token sits in column P−1. The Llama family runs its head on
  // that column alone (bench/eval/README.md); the byte GPT keeps the full head whose logits its results came from.
  const lastOnly = isLlama(cfg);
  const out = model.forward(g, params, tokens, { positions, attnBias, ropeRows: P, lastOnly });
  const last = lastOnly ? out.logits : g.reshape(g.slice(g.reshape(out.logits, [B, P, cfg.vocabSize]), [P - 1], [P], [1]), [B, cfg.vocabSize]);
  if (o.probs) g.output(temperatureSoftmax(g, last, PREFILL.temperature), PREFILL.probs);
  else g.output(last, PREFILL.logits);
  out.keys.forEach((k, l) => g.output(k, prefillK(l)));
  out.values.forEach((v, l) => g.output(v, prefillV(l)));
  return g;
}

/** Input/output names of the decode and prefill graphs (for the streaming decoder in stream.ts). */
export const GRAPH_IO = { decode: IO, pastK, pastV, newK, newV, prefill: PREFILL, prefillK, prefillV } as const;

/** Prompt lengths are rounded up to a multiple of this, so a handful of prefill graphs serve every batch. */
export const PREFILL_BUCKET = 16;

/**
 * Batched sampling with a KV cache, through the continuous batcher of stream.ts (`generate` is a `stream` over its
 * prompts). On the CPU EP the cache lives on the host (one Float32Array per layer for keys and values): each step
 * feeds it without a copy and gets back only the new token's keys and values, which are written into their slot; on
 * WebGPU it stays on the device (GeneratorOptions.residentKv). Prompts are left-padded to the longest of their
 * prefill batch; padded slots are masked and positions count from each row's BOS, exactly as in training. New prompts
 * go through one prefill run (the full forward, bucketed by length), then each new token through the one-token
 * decode graph.
 */
export class Generator {
  private readonly decodeSessions = new Map<string, RtSession>();
  private readonly admitSessions = new Map<number, RtSession>();
  private readonly prefillSessions = new Map<string, RtSession>();
  private readonly scoreSessions = new Map<string, RtSession>();
  /** The fused decode graph's extra weights (fusedDecodeSpecs), derived from `weights` by setWeights. */
  private fusedWeights = new Map<string, RtTensor>();
  private disposed = false;

  private constructor(
    private readonly rt: Rt,
    private readonly mover: DeviceMover,
    private readonly cfg: ModelConfig,
    private readonly opts: GeneratorOptions,
    private weights: Map<string, RtTensor>,
    private readonly provider: Provider,
  ) {}

  static async create(ckpt: Checkpoint, opts: GeneratorOptions): Promise<Generator> {
    decoderModel(ckpt.config); // validates the config
    if (!Number.isInteger(opts.maxBatch) || opts.maxBatch < 1) throw new Error(`Generator: maxBatch must be a positive integer, got ${opts.maxBatch}`);
    const ctx = contextLength(ckpt.config);
    if (!Number.isInteger(opts.maxLen) || opts.maxLen < 3 || opts.maxLen > ctx) {
      throw new Error(`Generator: maxLen must be an integer in [3, context=${ctx}], got ${opts.maxLen}`);
    }
    if (opts.decodeGraph !== undefined && !(DECODE_GRAPHS as readonly string[]).includes(opts.decodeGraph)) {
      throw new Error(`Generator: decodeGraph must be one of ${DECODE_GRAPHS.join(', ')}, got '${String(opts.decodeGraph)}'`);
    }
    if (opts.sampler !== undefined && !(SAMPLERS as readonly string[]).includes(opts.sampler)) {
      throw new Error(`Generator: sampler must be one of ${SAMPLERS.join(', ')}, got '${String(opts.sampler)}'`);
    }
    if (opts.decodeGraph !== undefined && opts.decodeGraph !== 'standard' && opts.residentKv === false) {
      throw new Error(`Generator: the ${opts.decodeGraph} decode graph keeps the KV cache on the device (residentKv); it cannot run with residentKv false`);
    }
    const provider = opts.provider ?? 'cpu';
    // Measured on an H200 (bench/eval/README.md): WebGPU's GroupQueryAttention takes one total length for every row,
    // so rows at different slots decode wrong tokens.
    if (opts.decodeGraph === 'fused' && provider === 'webgpu') {
      throw new Error("Generator: the 'fused' decode graph gives wrong tokens on WebGPU when rows have different lengths; use 'fused-mha' or 'standard'");
    }
    const rt = await import('./runtime/ort.js');
    const { DeviceMover } = await import('./runtime/device.js');
    const mover = new DeviceMover(rt, provider);
    const gen = new Generator(rt, mover, ckpt.config, opts, new Map(), provider);
    try {
      gen.resolveSampler();
    } catch (e) {
      await mover.release();
      throw e;
    }
    await gen.setWeights(ckpt);
    return gen;
  }

  /** Replaces the weights (same config; LoRA merged) without rebuilding sessions — for GRPO's rollouts after each update. */
  async setWeights(ckpt0: Checkpoint): Promise<void> {
    this.alive();
    const ckpt = mergeLora(ckpt0);
    const a = ckpt.config as unknown as Record<string, unknown>;
    const b = this.cfg as unknown as Record<string, unknown>;
    const differ = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
    if (differ.length > 0) throw new Error(`Generator.setWeights: checkpoint config differs from the generator's in ${differ.join(', ')}`);
    const next = new Map<string, RtTensor>();
    for (const v of decoderModel(this.cfg).specs) {
      const name = v.name;
      const data = ckpt.weights.get(name);
      if (data === undefined || data.length !== numel(v.shape)) throw new Error(`Generator: weight '${name}' is missing or mis-sized`);
      next.set(name, await this.mover.upload(this.rt.tensor('float32', data, v.shape), 'float32'));
    }
    const fused = new Map<string, RtTensor>();
    if (this.fused) {
      for (const w of fusedDecodeWeights(this.cfg, fusedAttention(this.graph), (name) => ckpt.weights.get(name) as Float32Array)) {
        fused.set(w.name, await this.mover.upload(this.rt.tensor('float32', w.data, w.shape), 'float32'));
      }
    }
    if (this.mover.resident) for (const t of [...this.weights.values(), ...this.fusedWeights.values()]) t.dispose();
    this.weights = next;
    this.fusedWeights = fused;
  }

  /** Session options of every graph: the thread count, and worker threads that sleep when idle unless `spinning`. */
  private threads(): { threads?: number; spinning: boolean } {
    return { ...(this.opts.threads !== undefined ? { threads: this.opts.threads } : {}), spinning: this.opts.spinning ?? false };
  }

  /** The decode graph `stream` runs (GeneratorOptions.decodeGraph). */
  private get graph(): DecodeGraphKind {
    return this.opts.decodeGraph ?? 'standard';
  }

  /** Whether that graph is one of the fused ones (models/fused-decode.ts). */
  private get fused(): boolean {
    return this.graph !== 'standard';
  }

  /** Whether `stream` keeps its KV cache on the device (GeneratorOptions.residentKv; always with the fused graph). */
  private get residentKv(): boolean {
    return this.opts.residentKv ?? (this.provider === 'webgpu' || this.fused);
  }

  /** Output names of the cache (present keys and values), kept on the device in resident mode. */
  private cacheOutputs(): string[] {
    return Array.from({ length: decoderModel(this.cfg).numLayers }, (_, l) => [newK(l), newV(l)]).flat();
  }

  /**
   * The decode session for B rows (default maxBatch; continuous batching uses smaller ones as rows run out), or
   * `resident`, the one whose cache outputs stay on the device (always maxBatch rows; the fused graph when chosen);
   * `probs`: the one that outputs probabilities (the 'graph' sampler).
   */
  private async decodeSession(B: number = this.opts.maxBatch, resident = false, probs = false): Promise<RtSession> {
    const key = `${resident ? 'resident' : 'host'} ${B}${probs ? ' probs' : ''}`;
    let s = this.decodeSessions.get(key);
    if (s === undefined) {
      const graph = buildDecodeGraph(this.cfg, B, this.opts.maxLen, { resident, graph: resident ? this.graph : 'standard', probs });
      s = await this.rt.RtSession.create(encodeModel(graph), {
        provider: this.provider,
        ...this.threads(),
        ...(resident ? { gpuOutputs: this.cacheOutputs() } : {}),
        label: 'decode step',
      });
      this.decodeSessions.set(key, s);
    }
    return s;
  }

  /** The resident cache of `stream` (see ResidentCache): zero caches, the admit session, freeing replaced tensors. */
  private residentCache(): ResidentCache {
    const model = decoderModel(this.cfg);
    const B = this.opts.maxBatch;
    const S = this.opts.maxLen;
    const shapes = cacheLayout(this.cfg, B, S, this.fused);
    const zeros = async (shape: number[]) => this.mover.upload(this.rt.tensor('float32', new Float32Array(numel(shape)), shape), 'float32');
    return {
      zeros: async () => {
        const keys: RtTensor[] = [];
        const values: RtTensor[] = [];
        for (let l = 0; l < model.numLayers; l++) {
          keys.push(await zeros(shapes.k));
          values.push(await zeros(shapes.v));
        }
        return { keys, values };
      },
      admit: async (n, feeds) => {
        let s = this.admitSessions.get(n);
        if (s === undefined) {
          s = await this.rt.RtSession.create(encodeModel(buildAdmitGraph(this.cfg, B, S, n, this.fused)), {
            provider: this.provider,
            ...this.threads(),
            gpuOutputs: this.cacheOutputs(),
            label: 'cache admit',
          });
          this.admitSessions.set(n, s);
        }
        return s.run(feeds);
      },
      release: (t) => {
        if (this.mover.resident && t.location !== 'cpu') t.dispose();
      },
    };
  }

  private get vocab(): GenVocab {
    return this.opts.vocab ?? (isLlama(this.cfg) ? idVocab(this.cfg) : byteVocab);
  }

  /** GeneratorOptions.sampler, resolved once by `create` (the vocabulary's `allowed` is asked for every id). */
  private sampler: SamplerKind = 'host';

  private resolveSampler(): void {
    const vocab = this.vocab;
    let all = true;
    for (let i = 0; i < this.cfg.vocabSize && all; i++) all = vocab.allowed(i);
    if (this.opts.sampler === 'graph' && !all) throw new Error("Generator: sampler 'graph' needs a vocabulary that allows every id (it has no mask for refused ids)");
    this.sampler = this.opts.sampler ?? (all ? 'graph' : 'host');
  }

  /**
   * Samples a response for each prompt (GPT: bytes only, BOS … SEP are added; Llama family: the rendered prompt's
   * ids). Returns response tokens and text.
   */
  async generate(prompts: readonly (readonly number[])[], opts: GenerateOptions): Promise<{ tokens: number[][]; text: string[] }> {
    this.alive();
    if (!Number.isInteger(opts.maxNewTokens) || opts.maxNewTokens < 1 || opts.maxNewTokens > this.opts.maxLen - 2) {
      throw new Error(`Generator: maxNewTokens must be an integer in [1, maxLen−2=${this.opts.maxLen - 2}], got ${opts.maxNewTokens}`);
    }
    if (!(opts.temperature >= 0) || !Number.isFinite(opts.temperature)) throw new Error(`Generator: temperature must be ≥ 0 (0 = greedy), got ${opts.temperature}`);
    if (!(opts.topP > 0 && opts.topP <= 1)) throw new Error(`Generator: topP must be in (0, 1], got ${opts.topP}`);
    const vocab = this.vocab;
    prompts.forEach((p, i) => {
      for (const id of p) {
        const bad = vocab.badPromptId(id);
        if (bad !== null) throw new Error(`Generator: prompt ${i} holds token id ${id}, ${bad}`);
      }
    });
    if (opts.seeds !== undefined && opts.seeds.length !== prompts.length) throw new Error(`Generator: ${opts.seeds.length} seeds for ${prompts.length} prompts`);
    if (prompts.length === 0) return { tokens: [], text: [] };
    // Through the continuous batcher: a finished row's slot takes the next prompt at once.
    const tokens: number[][] = new Array(prompts.length);
    let at = 0;
    await this.stream<StreamRequest & { at: number }>(
      () => {
        if (at >= prompts.length) return undefined;
        const own = opts.seeds?.[at];
        const rngSeed = own === undefined ? deriveSeed('generate', opts.seed, at) : deriveSeed('generate', own);
        return { prompt: prompts[at] as readonly number[], seed: own ?? opts.seed, rngSeed, at: at++ };
      },
      (req, t) => void (tokens[req.at] = t),
      { maxNewTokens: opts.maxNewTokens, temperature: opts.temperature, topP: opts.topP, ...(opts.stop !== undefined ? { stop: opts.stop } : {}) },
    );
    return { tokens, text: tokens.map((t) => vocab.decode(t)) };
  }

  private async prefillSession(P: number, B: number, probs: boolean): Promise<RtSession> {
    const key = `${B}x${P}${probs ? ' probs' : ''}`;
    const hit = this.prefillSessions.get(key);
    if (hit) return hit;
    const s = await this.rt.RtSession.create(encodeModel(buildPrefillGraph(this.cfg, B, P, { probs })), {
      provider: this.provider,
      ...this.threads(),
      label: 'prefill',
    });
    this.prefillSessions.set(key, s);
    return s;
  }

  /**
   * Continuous batching: keeps up to maxBatch rows decoding through the one-token decode graph. When a row's
   * response ends, `done` receives it and its slot takes the next prompt `next()` offers — possibly one that `done`
   * just made available (the next turn of the same episode). New rows are prefilled together, so the batch stays
   * full instead of idling until the slowest row of a fixed batch finishes (the cost of sampled, multi-turn
   * evaluation, where answers differ in length and episodes in turns). Each row samples with its own seed, so a
   * response depends only on its prompt and seed. Returns when `next()` offers nothing and no row is left.
   */
  async stream<R extends StreamRequest>(next: () => R | undefined, done: (req: R, tokens: number[], text: string) => void, opts: StreamOptions): Promise<void> {
    this.alive();
    const { runStream } = await import('./stream.js');
    await runStream(
      {
        layers: decoderModel(this.cfg).numLayers,
        kvHeads: decoderModel(this.cfg).kvHeads,
        headDim: decoderModel(this.cfg).headDim,
        vocabSize: this.cfg.vocabSize,
        vocab: this.vocab,
        maxBatch: this.opts.maxBatch,
        maxLen: this.opts.maxLen,
        weights: Object.fromEntries(this.weights),
        decodeWeights: Object.fromEntries([...this.weights, ...this.fusedWeights]),
        decodeGraph: this.residentKv ? this.graph : 'standard',
        sampler: this.sampler,
        prefill: async (B, P, feeds, probs) => (await this.prefillSession(P, B, probs)).run(feeds),
        decode: async (B, feeds, outputs, probs) => (await this.decodeSession(B, this.residentKv, probs)).run(feeds, outputs),
        ...(this.residentKv ? { resident: this.residentCache() } : {}),
        rt: this.rt,
      },
      next,
      done,
      opts,
    );
  }

  private async scoreSession(B: number, T: number): Promise<RtSession> {
    const key = `${B}x${T}`;
    const hit = this.scoreSessions.get(key);
    if (hit) return hit;
    const s = await this.rt.RtSession.create(encodeModel(buildScoreGraph(this.cfg, B, T, { cpuOnly: this.provider === 'cpu' })), {
      provider: this.provider,
      ...this.threads(),
      label: 'log-probs',
    });
    this.scoreSessions.set(key, s);
    return s;
  }

  /** log p(target) for every position of a batch (B×T, row-major); positions off the mask are computed too. */
  async logProbs(batch: TokenBatch): Promise<Float32Array> {
    this.alive();
    const { B, T } = batchDims(batch, contextLength(this.cfg), this.cfg.vocabSize);
    const s = await this.scoreSession(B, T);
    const feeds: Record<string, RtTensor> = {
      [TRAIN_IO.tokens]: this.rt.tensor('int32', batch.tokens, [B, T]),
      [TRAIN_IO.targets]: this.rt.tensor('int32', batch.targets, [B * T]),
      [TRAIN_IO.mask]: this.rt.tensor('float32', batch.mask, [B * T]),
    };
    for (const [name, w] of this.weights) feeds[name] = w;
    const out = await s.run(feeds);
    return Float32Array.from(this.rt.hostData<Float32Array>(out[TRAIN_IO.logp] as RtTensor));
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    for (const s of this.decodeSessions.values()) await s.release();
    for (const s of this.admitSessions.values()) await s.release();
    for (const s of this.prefillSessions.values()) await s.release();
    for (const s of this.scoreSessions.values()) await s.release();
    if (this.mover.resident) for (const t of [...this.weights.values(), ...this.fusedWeights.values()]) t.dispose();
    await this.mover.release();
  }

  private alive(): void {
    if (this.disposed) throw new Error('Generator: used after dispose()');
  }
}

function endsWith(seq: readonly number[], tail: readonly number[]): boolean {
  if (tail.length > seq.length) return false;
  for (let i = 0; i < tail.length; i++) if (seq[seq.length - tail.length + i] !== tail[i]) return false;
  return true;
}
