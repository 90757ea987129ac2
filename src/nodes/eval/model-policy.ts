/**
 * Adapts a checkpoint to the `Policy` interface through the neural core's KV-cache Generator: encodes prompts,
 * splits them into batches of `maxBatch`, and samples each prompt with its own seed (`seeds[i]`, else derived from
 * the call's seed and the prompt's position in the call), so batching never changes a completion. A model that pipe
 * trained over the byte vocabulary (the byte GPT, or a Llama-family model without an hf/ folder) learned the byte
 * framing `BOS prompt SEP response EOS`, so its generator is given the byte vocabulary; a Hugging Face model (hf/
 * folder) reads prompts through its own tokenizer and, as it was trained, its chat template.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Checkpoint, GenVocab, Generator, HfTokenizer, Provider, TokenBatch } from '../../nn/index.js';
import { deriveSeed } from '../../util/rng.js';
import type { Completion, Policy, SampleOptions, StreamItem } from './policy.js';

/** Options of a model-backed policy. */
export interface ModelPolicyOptions {
  readonly provider?: Provider;
  readonly threads?: number;
  /** Episodes decoded together (bigger is faster per episode, up to memory). */
  readonly maxBatch?: number;
  /** How prompts become ids and ids text (default: the byte tokenizer). */
  readonly codec?: PromptCodec;
}

/** How a model reads prompts and writes responses. */
export interface PromptCodec {
  encodePrompt(text: string): number[];
  /** The generator's view of the vocabulary (end of sequence, decoding). */
  readonly vocab?: GenVocab;
  /** Whether a generated id belongs in the response's tokens (specials are dropped). */
  keep(id: number): boolean;
}

/**
 * The codec of a Llama-family model: its tokenizer; with `chat`, each prompt is one user turn rendered by the chat
 * template with the generation prompt (as train.sft rendered it); generation stops at the config's end-of-sequence
 * ids and the tokenizer's eos token.
 */
export async function hfCodec(ckpt: Checkpoint, tokenizer: HfTokenizer, chat: boolean): Promise<PromptCodec> {
  const nn = await import('../../nn/index.js');
  const base = nn.idVocab(ckpt.config, tokenizer);
  const eosTok = tokenizer.specialId('eos_token');
  const eos = [...new Set([...base.eos, ...(eosTok === null ? [] : [eosTok])])];
  const vocab: GenVocab = { ...base, eos, encode: (t) => tokenizer.encode(t), decode: (ids) => tokenizer.decode(ids) };
  return {
    encodePrompt: (text) => (chat ? tokenizer.encodeChat([{ role: 'user', content: text }], true) : tokenizer.encode(text)),
    vocab,
    keep: (id) => !eos.includes(id),
  };
}

/**
 * A model directory's checkpoint and codec: a pipe checkpoint (the byte GPT, or a Llama-family model with its hf/
 * folder, prompts rendered as its trainer recorded in meta.chat) or a Hugging Face folder itself (chat template
 * used when it has one).
 */
export async function loadModel(dir: string): Promise<{ ckpt: Checkpoint; codec?: PromptCodec }> {
  const nn = await import('../../nn/index.js');
  const { CHECKPOINT_FILES } = await import('../../nn/checkpoint.js');
  if (!existsSync(join(dir, CHECKPOINT_FILES.sidecar)) && nn.hfFolderOf(dir) !== null) {
    const { folder, weights } = await nn.loadHfModel(nn.hfFolderOf(dir)!);
    const ckpt = nn.llamaCheckpoint(folder.config, weights);
    return { ckpt, codec: await hfCodec(ckpt, folder.tokenizer, folder.tokenizer.hasChatTemplate) };
  }
  const ckpt = await nn.loadCheckpoint(dir);
  if (!nn.isLlama(ckpt.config)) return { ckpt };
  const hfDir = nn.hfFolderOf(dir);
  if (hfDir === null) return { ckpt }; // a Llama-family model pipe trained over the byte vocabulary
  const tokenizer = await nn.HfTokenizer.load(hfDir);
  const chat = typeof ckpt.meta?.chat === 'boolean' ? ckpt.meta.chat : tokenizer.hasChatTemplate;
  return { ckpt, codec: await hfCodec(ckpt, tokenizer, chat) };
}

/** A policy backed by a live Generator: also refreshes its weights and scores token log-probs (for GRPO). */
export interface ModelPolicy extends Policy {
  readonly blockSize: number;
  setWeights(ckpt: Checkpoint): Promise<void>;
  logProbs(batch: TokenBatch): Promise<Float32Array>;
  dispose(): Promise<void>;
}

/** A Policy that samples from the checkpoint in `dir`. Call `dispose()` when done. */
export async function loadModelPolicy(dir: string, opts: ModelPolicyOptions = {}): Promise<ModelPolicy> {
  const { ckpt, codec } = await loadModel(dir);
  return createModelPolicy(ckpt, { ...opts, ...(codec !== undefined ? { codec } : {}) });
}

/**
 * A Policy sampling from an in-memory checkpoint. Prompts are decoded in batches of similar length (sorted), each
 * batch by a generator whose cache length fits it (rounded up to 32 tokens), because decode cost grows with the
 * cache length and with padding to the longest prompt of a batch.
 */
export async function createModelPolicy(ckpt: Checkpoint, opts: ModelPolicyOptions = {}): Promise<ModelPolicy> {
  const nn = await import('../../nn/index.js');
  const maxBatch = opts.maxBatch ?? 64;
  if (opts.codec === undefined && ckpt.config.vocabSize !== nn.tokenizer.vocabSize) {
    throw new Error(
      `model policy: the checkpoint's vocabulary has ${ckpt.config.vocabSize} ids, not the byte tokenizer's ${nn.tokenizer.vocabSize}; the policy byte-encodes prompts`,
    );
  }
  const blockSize = nn.contextLength(ckpt.config);
  const sessionOpts = { provider: opts.provider ?? 'cpu', ...(opts.threads !== undefined ? { threads: opts.threads } : {}) } as const;
  let weights = ckpt;
  const generators = new Map<number, Promise<Generator>>();
  const generatorFor = (maxLen: number): Promise<Generator> => {
    const len = Math.min(blockSize, Math.ceil(maxLen / 32) * 32);
    let g = generators.get(len);
    if (g === undefined) {
      g = nn.Generator.create(weights, { maxBatch, maxLen: len, vocab: opts.codec?.vocab ?? nn.byteVocab, ...sessionOpts });
      generators.set(len, g);
    }
    return g;
  };
  return {
    blockSize,
    async complete(prompts: readonly string[], o: SampleOptions): Promise<Completion[]> {
      if (o.seeds !== undefined && o.seeds.length !== prompts.length) {
        throw new Error(`Internal error: ${o.seeds.length} seeds for ${prompts.length} prompts`);
      }
      const seedOf = (i: number): number => o.seeds?.[i] ?? deriveSeed(o.seed, i);
      const maxNewTokens = Math.min(o.maxNewTokens, blockSize - 8);
      // Keep the end of an over-long prompt (the grid and the cue sit there), leaving room for the answer.
      const room = blockSize - maxNewTokens - 2;
      const encoded = prompts.map((p) => {
        const ids = opts.codec ? opts.codec.encodePrompt(p) : nn.tokenizer.encode(p);
        return ids.length > room ? ids.slice(ids.length - room) : ids;
      });
      const order = encoded.map((_, i) => i).sort((a, b) => (encoded[a] as number[]).length - (encoded[b] as number[]).length || a - b);
      const out: Completion[] = new Array(prompts.length);
      for (let i = 0; i < order.length; i += maxBatch) {
        const idx = order.slice(i, i + maxBatch);
        const chunk = idx.map((j) => encoded[j] as number[]);
        const longest = Math.max(...chunk.map((c) => c.length));
        const generator = await generatorFor(longest + 2 + maxNewTokens);
        const res = await generator.generate(chunk, {
          maxNewTokens,
          temperature: o.temperature,
          topP: o.topP,
          seed: o.seed,
          seeds: idx.map(seedOf),
          ...(o.stop !== undefined ? { stop: o.stop } : {}),
        });
        // Response tokens only: drop any special id (EOS/PAD) a generator might leave in.
        idx.forEach((j, k) => {
          out[j] = { text: res.text[k] ?? '', tokens: (res.tokens[k] ?? []).filter((t) => (opts.codec ? opts.codec.keep(t) : t < 256)) };
        });
      }
      return out;
    },
    async stream<T extends StreamItem>(next: () => T | undefined, done: (item: T, c: Completion) => void, o: Omit<SampleOptions, 'seed' | 'seeds'>): Promise<void> {
      const maxNewTokens = Math.min(o.maxNewTokens, blockSize - 8);
      const room = blockSize - maxNewTokens - 2;
      // One pool whose cache fits the longest prompt seen so far; a longer prompt waits for a pool that fits it.
      type Req = { prompt: number[]; seed: number; item: T };
      const pending: Req[] = [];
      const take = (): Req | undefined => {
        if (pending.length > 0) return pending.shift();
        const item = next();
        if (item === undefined) return undefined;
        const ids = opts.codec ? opts.codec.encodePrompt(item.prompt) : nn.tokenizer.encode(item.prompt);
        return { prompt: ids.length > room ? ids.slice(ids.length - room) : ids, seed: item.seed, item };
      };
      const lenFor = (r: Req): number => Math.min(blockSize, Math.ceil((r.prompt.length + 2 + maxNewTokens) / 32) * 32);
      for (let first = take(); first !== undefined; first = pending.shift() ?? take()) {
        const len = lenFor(first);
        const generator = await generatorFor(first.prompt.length + 2 + maxNewTokens);
        let head: Req | undefined = first;
        await generator.stream<Req>(
          () => {
            if (head !== undefined) {
              const h = head;
              head = undefined;
              return h;
            }
            const r = take();
            if (r !== undefined && lenFor(r) > len) {
              pending.push(r);
              return undefined;
            }
            return r;
          },
          (req, tokens, text) => done(req.item, { text, tokens: tokens.filter((t) => (opts.codec ? opts.codec.keep(t) : t < 256)) }),
          { maxNewTokens, temperature: o.temperature, topP: o.topP, ...(o.stop !== undefined ? { stop: o.stop } : {}) },
        );
      }
    },
    async setWeights(c) {
      weights = c;
      for (const g of generators.values()) await (await g).setWeights(c);
    },
    async logProbs(batch) {
      return (await generatorFor(blockSize)).logProbs(batch);
    },
    async dispose() {
      for (const g of generators.values()) await (await g).dispose();
      generators.clear();
    },
  };
}
