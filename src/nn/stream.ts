/**
 * The continuous-batching loop behind `Generator.stream`: a pool of maxBatch rows, each with its own place in the
 * host KV cache (its prompt at slots 0..len−1, its response after), its own position counter and its own sampler.
 * A finished row hands its response back and its slot is refilled by the next prompt; new rows are prefilled in one
 * run (row count rounded up to a power of two, prompt length to PREFILL_BUCKET), then every live row advances one
 * token per decode run. Live rows are kept in the lowest slots (a finished row's slot takes the highest live row), so
 * a decode run covers only as many rows as are live, rounded up to a power of two — the tail of an evaluation, when
 * few episodes are left, costs what those few rows cost. With a ResidentCache (WebGPU) the cache stays on the device
 * instead: the decode graph writes each token into it, admissions go through one Where run, and rows are not moved;
 * the fused decode graph (models/fused-decode.ts) runs only that way. With the 'graph' sampler (GeneratorOptions.sampler)
 * sampled runs output softmax(logits / temperature) instead of logits and rows draw from it (sampling.ts drawFromProbs).
 * What it deliberately does not do: reorder requests (they enter in the order `next` offers them) or share prompt
 * prefixes between rows.
 */
import { Rng, deriveSeed } from '../util/rng.js';
import { GRAPH_IO, PREFILL_BUCKET, RESIDENT_IO, type DecodeGraphKind, type GenVocab, type SamplerKind, type StreamOptions, type StreamRequest } from './generator.js';
import { MASKED } from './models/gpt.js';
import type { RtTensor } from './runtime/ort.js';
import { drawFromProbs, sampleToken } from './sampling.js';

type Rt = typeof import('./runtime/ort.js');
type Outputs = Readonly<Record<string, RtTensor>>;

/** What the loop needs of a Generator: its shapes, its vocabulary, its weights and two session runs. */
export interface StreamHost {
  readonly layers: number;
  /** Key/value heads and their width (the cache's shape). */
  readonly kvHeads: number;
  readonly headDim: number;
  readonly vocabSize: number;
  readonly vocab: GenVocab;
  readonly maxBatch: number;
  readonly maxLen: number;
  readonly rt: Rt;
  /** The weight inputs of the prefill graph, added to its runs' feeds. */
  readonly weights: Readonly<Record<string, RtTensor>>;
  /** The weight inputs of the decode graph (the fused graph's include packed projections). */
  readonly decodeWeights: Readonly<Record<string, RtTensor>>;
  /**
   * Which decode graph runs. The fused ones (models/fused-decode.ts; need `resident`) keep keys (B, kvHeads, S,
   * headDim) like values. 'fused' takes `total_len` (the longest row's length after this token) instead of the slot
   * mask and marker, and its cache outputs are written into the cache it is fed (preallocated outputs):
   * GroupQueryAttention then writes only the new token's slot instead of copying the whole cache, and the cache
   * tensors stay the same between admissions.
   */
  readonly decodeGraph: DecodeGraphKind;
  /** 'graph': sampled (topP = 1) prompt passes and decode runs take `temperature` and output probabilities (GeneratorOptions.sampler). */
  readonly sampler: SamplerKind;
  /** One prompt pass over B rows of P tokens; `probs`: the graph sampler's (takes `temperature`, outputs `last_probs`). */
  prefill(B: number, P: number, feeds: Record<string, RtTensor>, probs: boolean): Promise<Outputs>;
  /** One decode run over the first B rows of the cache; `outputs` as RtSession.run's; `probs`: the graph sampler's. */
  decode(B: number, feeds: Record<string, RtTensor>, outputs: Record<string, RtTensor | null> | undefined, probs: boolean): Promise<Outputs>;
  /** Present when the cache stays on the device (see ResidentCache); the decode graph then takes `slot_hot`. */
  readonly resident?: ResidentCache;
}

/**
 * A KV cache that lives where the decode graph runs (WebGPU): the decode graph writes each token's key and value
 * into it (its outputs are the updated cache, fed back as the next step's past), and new rows are written by one
 * `admit` run from host staging buffers holding only the new rows (Gather to their cache rows, Where over the mask). Rows are never moved (no compaction): every
 * decode run covers all maxBatch rows.
 */
export interface ResidentCache {
  /** Zero caches per layer, keys (B, kvHeads, headDim, S) and values (B, kvHeads, S, headDim), on the device. */
  zeros(): Promise<{ keys: RtTensor[]; values: RtTensor[] }>;
  /**
   * Runs the admit graph for n staged rows (a power of two): inputs cache_*, rows_* (n rows), row_index and row_mask
   * (per cache row); outputs key_l/value_l, the updated caches.
   */
  admit(n: number, feeds: Record<string, RtTensor>): Promise<Outputs>;
  /** Frees a cache tensor that was replaced. */
  release(t: RtTensor): void;
}


interface Row<R> {
  readonly req: R;
  readonly rng: Rng;
  readonly out: number[];
  /** Next cache slot to write (= tokens in the cache so far). */
  slot: number;
  /** The token to feed next. */
  current: number;
}

/** Runs requests through a pool of host.maxBatch rows until `next` offers none and none is left (see file doc). */
export async function runStream<R extends StreamRequest>(
  host: StreamHost,
  next: () => R | undefined,
  done: (req: R, tokens: number[], text: string) => void,
  opts: StreamOptions,
): Promise<void> {
  const { rt, vocab } = host;
  const B = host.maxBatch;
  const S = host.maxLen;
  const V = host.vocabSize;
  const nh = host.kvHeads;
  const hs = host.headDim;
  const cfg = { nLayer: host.layers };
  const keysBySlot = host.decodeGraph !== 'standard';
  const lengths = host.decodeGraph === 'fused'; // total_len and the cache updated in place
  if (keysBySlot && !host.resident) throw new Error('Internal error: the fused decode graphs need a resident cache');
  if (!Number.isInteger(opts.maxNewTokens) || opts.maxNewTokens < 1 || opts.maxNewTokens > S - 2) {
    throw new Error(`Generator: maxNewTokens must be an integer in [1, maxLen−2=${S - 2}], got ${opts.maxNewTokens}`);
  }
  const room = S - opts.maxNewTokens;
  const stopSeqs = (opts.stop ?? []).filter((s) => s.length > 0).map((s) => vocab.encode(s));
  const allowed = (id: number) => vocab.allowed(id);
  // The graph sampler: prompt passes and decode runs output softmax(logits / temperature) and rows draw from it.
  const inGraph = host.sampler === 'graph' && opts.temperature > 0 && !(opts.topP > 0 && opts.topP < 1);
  const headOut = inGraph ? GRAPH_IO.decode.probs : GRAPH_IO.decode.logits;
  const prefillOut = inGraph ? GRAPH_IO.prefill.probs : GRAPH_IO.prefill.logits;
  const temperature = rt.tensor('float32', Float32Array.of(opts.temperature), [1]);
  const head: Record<string, RtTensor> = inGraph ? { [GRAPH_IO.decode.temperature]: temperature } : {};
  const prefillHead: Record<string, RtTensor> = inGraph ? { [GRAPH_IO.prefill.temperature]: temperature } : {};
  // Keys are transposed (B, nh, hs, S) for the standard graph, laid out like values for the fused ones.
  const keys = Array.from({ length: cfg.nLayer }, () => new Float32Array(B * nh * hs * S));
  const values = Array.from({ length: cfg.nLayer }, () => new Float32Array(B * nh * S * hs));
  const bias = new Float32Array(B * S).fill(MASKED);
  const rows: (Row<R> | undefined)[] = new Array(B).fill(undefined);
  const token = new Int32Array(B).fill(vocab.pad);
  const position = new Int32Array(B);
  let live = 0;
  // Resident mode: the device caches (keys/values above are then host staging for admitted rows) and the slot marker.
  const resident = host.resident;
  const dev = resident ? await resident.zeros() : { keys: [] as RtTensor[], values: [] as RtTensor[] };
  const hot = new Uint8Array(resident ? B * S : 0);
  const totalLen = new Int32Array(1);
  const swapIn = (out: Outputs): void => {
    for (let l = 0; l < cfg.nLayer; l++) {
      resident?.release(dev.keys[l] as RtTensor);
      resident?.release(dev.values[l] as RtTensor);
      dev.keys[l] = out[GRAPH_IO.newK(l)] as RtTensor;
      dev.values[l] = out[GRAPH_IO.newV(l)] as RtTensor;
    }
  };
  // The feeds of a decode run over the first Bd rows: views of the buffers above (updated in place), built once per Bd.
  const decodeFeeds = new Map<number, Record<string, RtTensor>>();
  const feedsFor = (Bd: number): Record<string, RtTensor> => {
    let feeds = decodeFeeds.get(Bd);
    if (feeds === undefined) {
      feeds = {
        ...host.decodeWeights,
        ...head,
        [GRAPH_IO.decode.token]: rt.tensor('int32', token.subarray(0, Bd), [Bd]),
        [GRAPH_IO.decode.position]: rt.tensor('int32', position.subarray(0, Bd), [Bd]),
        [GRAPH_IO.decode.slotBias]: rt.tensor('float32', bias.subarray(0, Bd * S), [Bd, S]),
      };
      for (let l = 0; l < cfg.nLayer; l++) {
        feeds[GRAPH_IO.pastK(l)] = rt.tensor('float32', (keys[l] as Float32Array).subarray(0, Bd * nh * hs * S), [Bd, nh, hs, S]);
        feeds[GRAPH_IO.pastV(l)] = rt.tensor('float32', (values[l] as Float32Array).subarray(0, Bd * nh * S * hs), [Bd, nh, S, hs]);
      }
      decodeFeeds.set(Bd, feeds);
    }
    return feeds;
  };
  const residentFeeds = (): Record<string, RtTensor> => {
    const feeds: Record<string, RtTensor> = {
      ...host.decodeWeights,
      ...head,
      [GRAPH_IO.decode.token]: rt.tensor('int32', token, [B]),
      [GRAPH_IO.decode.position]: rt.tensor('int32', position, [B]),
      ...(lengths
        ? { [GRAPH_IO.decode.totalLen]: rt.tensor('int32', totalLen, [1]) }
        : { [GRAPH_IO.decode.slotBias]: rt.tensor('float32', bias, [B, S]), [RESIDENT_IO.slotHot]: rt.tensor('bool', hot, [B, S]) }),
    };
    for (let l = 0; l < cfg.nLayer; l++) {
      feeds[GRAPH_IO.pastK(l)] = dev.keys[l] as RtTensor;
      feeds[GRAPH_IO.pastV(l)] = dev.values[l] as RtTensor;
    }
    return feeds;
  };

  /** The 'fused' graph's outputs: logits (allocated by onnxruntime) and each cache output written into its input. */
  const inPlace = (): Record<string, RtTensor | null> => {
    const out: Record<string, RtTensor | null> = { [headOut]: null };
    for (let l = 0; l < cfg.nLayer; l++) {
      out[GRAPH_IO.newK(l)] = dev.keys[l] as RtTensor;
      out[GRAPH_IO.newV(l)] = dev.values[l] as RtTensor;
    }
    return out;
  };

  /** Appends a token sampled from a row's logits (or `probs`, the graph sampler's) to a row; true when it is finished. */
  const accept = (b: number, logits: Float32Array, probs: boolean): boolean => {
    const row = rows[b] as Row<R>;
    const id = probs ? drawFromProbs(logits, row.rng) : sampleToken(logits, opts, row.rng, allowed);
    if (!vocab.eos.includes(id)) {
      row.out.push(id);
      if (row.out.length < opts.maxNewTokens && row.slot < S && !stopSeqs.some((s) => endsWith(row.out, s))) {
        row.current = id;
        return false;
      }
    }
    rows[b] = undefined;
    live--;
    bias.fill(MASKED, b * S, (b + 1) * S);
    done(row.req, row.out, vocab.decode(row.out));
    return true;
  };

  /** Prefills `reqs` into the free slots `free` (same length) and samples their first tokens. */
  const admit = async (reqs: readonly R[], free: readonly number[]): Promise<void> => {
    const prefixes = reqs.map((r) => {
      for (const id of r.prompt) {
        const bad = vocab.badPromptId(id);
        if (bad !== null) throw new Error(`Generator: a prompt holds token id ${id}, ${bad}`);
      }
      return vocab.prefix(r.prompt, room);
    });
    const n = reqs.length;
    const Bp = Math.min(B, 2 ** Math.ceil(Math.log2(n)));
    const longest = Math.max(...prefixes.map((p) => p.length));
    const P = Math.min(room, Math.ceil(longest / PREFILL_BUCKET) * PREFILL_BUCKET);
    const tokens = new Int32Array(Bp * P).fill(vocab.pad);
    const positions = new Int32Array(Bp * P);
    const attn = new Float32Array(Bp * P * P).fill(MASKED);
    const pads = prefixes.map((p) => P - p.length);
    for (let r = 0; r < Bp; r++) {
      const pad = r < n ? (pads[r] as number) : P;
      const prefix = r < n ? (prefixes[r] as number[]) : [];
      for (let t = pad; t < P; t++) {
        tokens[r * P + t] = prefix[t - pad] as number;
        positions[r * P + t] = t - pad;
      }
      for (let i = 0; i < P; i++) for (let j = Math.min(pad, i); j <= i; j++) attn[(r * P + i) * P + j] = j >= pad || j === i ? 0 : MASKED;
    }
    const out = await host.prefill(Bp, P, {
      ...host.weights,
      ...prefillHead,
      [GRAPH_IO.prefill.tokens]: rt.tensor('int32', tokens, [Bp, P]),
      [GRAPH_IO.prefill.positions]: rt.tensor('int32', positions, [Bp, P]),
      [GRAPH_IO.prefill.bias]: rt.tensor('float32', attn, [Bp, 1, P, P]),
    }, inGraph);
    // Copy each new row's keys and values (B', nh, P, hs) into its slot, prompt at cache slots 0..len−1 (resident:
    // into staging row r of the host arrays, uploaded by the admit run).
    for (let l = 0; l < cfg.nLayer; l++) {
      const k = rt.hostData<Float32Array>(out[GRAPH_IO.prefillK(l)] as RtTensor);
      const v = rt.hostData<Float32Array>(out[GRAPH_IO.prefillV(l)] as RtTensor);
      const K = keys[l] as Float32Array;
      const Vc = values[l] as Float32Array;
      for (let r = 0; r < n; r++) {
        const b = resident ? r : (free[r] as number);
        const pad = pads[r] as number;
        const len = P - pad;
        for (let h = 0; h < nh; h++) {
          const src = (r * nh + h) * P;
          const bh = b * nh + h;
          if (keysBySlot) K.set(k.subarray((src + pad) * hs, (src + P) * hs), bh * S * hs);
          else {
            for (let t = 0; t < len; t++) {
              const from = (src + pad + t) * hs;
              for (let d = 0; d < hs; d++) K[(bh * hs + d) * S + t] = k[from + d] as number;
            }
          }
          Vc.set(v.subarray((src + pad) * hs, (src + P) * hs), bh * S * hs);
        }
      }
    }
    if (resident) {
      const mask = new Uint8Array(B);
      const index = new Int32Array(B);
      free.forEach((b, r) => {
        mask[b] = 1;
        index[b] = r;
      });
      const feeds: Record<string, RtTensor> = { [RESIDENT_IO.rowMask]: rt.tensor('bool', mask, [B]), [RESIDENT_IO.rowIndex]: rt.tensor('int32', index, [B]) };
      for (let l = 0; l < cfg.nLayer; l++) {
        feeds[RESIDENT_IO.cacheK(l)] = dev.keys[l] as RtTensor;
        feeds[RESIDENT_IO.cacheV(l)] = dev.values[l] as RtTensor;
        feeds[RESIDENT_IO.rowsK(l)] = rt.tensor('float32', (keys[l] as Float32Array).subarray(0, Bp * nh * hs * S), keysBySlot ? [Bp, nh, S, hs] : [Bp, nh, hs, S]);
        feeds[RESIDENT_IO.rowsV(l)] = rt.tensor('float32', (values[l] as Float32Array).subarray(0, Bp * nh * S * hs), [Bp, nh, S, hs]);
      }
      swapIn(await resident.admit(Bp, feeds));
    }
    const logits = rt.hostData<Float32Array>(out[prefillOut] as RtTensor);
    for (let r = 0; r < n; r++) {
      const b = free[r] as number;
      const len = P - (pads[r] as number);
      bias.fill(MASKED, b * S, (b + 1) * S);
      bias.fill(0, b * S, b * S + len);
      const req = reqs[r] as R;
      rows[b] = { req, rng: new Rng(req.rngSeed ?? deriveSeed('generate', req.seed)), out: [], slot: len, current: vocab.pad };
      live++;
      accept(b, logits.subarray(r * V, (r + 1) * V), inGraph);
    }
  };

  /** Moves the highest live rows into free lower slots, so the live rows are 0..n−1. */
  const compact = (): void => {
    if (resident) return; // rows stay where they were admitted
    let lo = 0;
    let hi = B - 1;
    for (;;) {
      while (lo < B && rows[lo] !== undefined) lo++;
      while (hi >= 0 && rows[hi] === undefined) hi--;
      if (lo >= hi) return;
      for (let l = 0; l < cfg.nLayer; l++) {
        const n = nh * hs * S;
        (keys[l] as Float32Array).copyWithin(lo * n, hi * n, (hi + 1) * n);
        (values[l] as Float32Array).copyWithin(lo * n, hi * n, (hi + 1) * n);
      }
      bias.copyWithin(lo * S, hi * S, (hi + 1) * S);
      bias.fill(MASKED, hi * S, (hi + 1) * S);
      rows[lo] = rows[hi];
      rows[hi] = undefined;
    }
  };

  // Admit when at least an eighth of the pool is free (or nothing runs), so prefills stay batched.
  const admitAt = Math.max(1, Math.floor(B / 8));
  const free = (): number[] => rows.flatMap((r, b) => (r === undefined ? [b] : []));
  for (;;) {
    if (B - live >= admitAt || live === 0) {
      let slots = free();
      while (slots.length >= admitAt || slots.length === B) {
        const reqs: R[] = [];
        while (reqs.length < slots.length) {
          const r = next();
          if (r === undefined) break;
          reqs.push(r);
        }
        if (reqs.length === 0) break;
        await admit(reqs, slots.slice(0, reqs.length));
        slots = free();
      }
    }
    if (live === 0) {
      for (const t of [...dev.keys, ...dev.values]) resident?.release(t);
      return;
    }
    // One decode run over the live rows (compacted to the lowest slots): each feeds its token at its own position.
    compact();
    const Bd = resident ? B : Math.min(B, 2 ** Math.ceil(Math.log2(live)));
    totalLen[0] = 1;
    for (let b = 0; b < Bd; b++) {
      const row = rows[b];
      token[b] = row?.current ?? vocab.pad;
      position[b] = row === undefined ? 0 : row.slot; // the prompt starts at slot 0 with position 0
      totalLen[0] = Math.max(totalLen[0], (position[b] as number) + 1);
      if (resident && !lengths && row !== undefined) {
        bias[b * S + row.slot] = 0; // the graph writes the token at its slot, then attends to it there
        hot[b * S + row.slot] = 1;
      }
    }
    const feeds = resident ? residentFeeds() : feedsFor(Bd);
    const res = await host.decode(Bd, feeds, lengths ? inPlace() : undefined, inGraph);
    if (resident && !lengths) {
      hot.fill(0);
      swapIn(res);
    }
    for (let l = 0; l < (resident ? 0 : cfg.nLayer); l++) {
      const k = rt.hostData<Float32Array>(res[GRAPH_IO.newK(l)] as RtTensor);
      const v = rt.hostData<Float32Array>(res[GRAPH_IO.newV(l)] as RtTensor);
      const K = keys[l] as Float32Array;
      const Vc = values[l] as Float32Array;
      for (let b = 0; b < Bd; b++) {
        const row = rows[b];
        if (row === undefined) continue;
        for (let h = 0; h < nh; h++) {
          const bh = b * nh + h;
          for (let d = 0; d < hs; d++) K[(bh * hs + d) * S + row.slot] = k[bh * hs + d] as number;
          Vc.set(v.subarray(bh * hs, (bh + 1) * hs), (bh * S + row.slot) * hs);
        }
      }
    }
    const logits = rt.hostData<Float32Array>(res[headOut] as RtTensor);
    for (let b = 0; b < Bd; b++) {
      const row = rows[b];
      if (row === undefined) continue;
      bias[b * S + row.slot] = 0;
      row.slot++;
      accept(b, logits.subarray(b * V, (b + 1) * V), inGraph);
    }
  }
}

function endsWith(seq: readonly number[], tail: readonly number[]): boolean {
  if (tail.length > seq.length) return false;
  for (let i = 0; i < tail.length; i++) if (seq[seq.length - tail.length + i] !== tail[i]) return false;
  return true;
}
