import { batchDims, checkBatch } from './batch-check.js';
import { decayMask, flatten, unflatten } from './flat.js';
import { numel, type ParamSpec } from './models/gpt-params.js';
import type { FlatLayout } from './models/gpt.js';
import { contextLength, decoderModel } from './models/model.js';
import { lrAt, validateAdamW } from './optim/adamw.js';
import type { DeviceMover } from './runtime/device.js';
import type { RtSession, RtTensor } from './runtime/ort.js';
import { TRAIN_IO, buildEvalGraph, buildTrainGraph, modelBytes } from './train-graph.js';
import type { AdamWConfig, Checkpoint, GrpoBatch, LossConfig, ModelConfig, Provider, SessionOptions, StepStats, TokenBatch } from './types.js';

type Rt = typeof import('./runtime/ort.js');

/** Options of `Trainer.create`: the graphs are built for a fixed batch size and sequence length. */
export type TrainerOptions = SessionOptions & {
  readonly init: Checkpoint;
  readonly optim: AdamWConfig;
  readonly loss: LossConfig;
  readonly batchSize: number;
  readonly seqLen: number;
  /** Record an onnxruntime profile of the train-step session (benchmarks; see `endProfiling`). */
  readonly profile?: boolean;
};

interface State {
  params: RtTensor;
  m: RtTensor;
  v: RtTensor;
}

/**
 * Trains a decoder (the GPT or a Llama-family model; with `init.lora`, only its adapters): one `session.run` per optimizer step — forward, backward, global-norm clipping and AdamW in one
 * graph. Parameters and both AdamW moments are three flat tensors that the step's outputs replace; on WebGPU they
 * stay on the GPU between steps (outputs kept as gpu-buffers and fed back), and only loss and grad norm come back.
 * It does not shuffle or batch data: callers pass packed batches of the size given at creation.
 */
export class Trainer {
  private evalSessions = new Map<string, RtSession>();
  private disposed = false;

  private constructor(
    private readonly rt: Rt,
    private readonly mover: DeviceMover,
    private readonly session: RtSession,
    private readonly layout: FlatLayout,
    private readonly decay: RtTensor,
    /** Frozen tensors (base weights under LoRA), uploaded once and fed to every run by name. */
    private readonly frozen: Map<string, RtTensor>,
    private state: State,
    private stepCount: number,
    private readonly cfg: ModelConfig,
    private readonly opts: TrainerOptions,
    private readonly provider: Provider,
  ) {}

  /** Optimizer steps done so far (restored from a checkpoint). */
  get step(): number {
    return this.stepCount;
  }

  static async create(opts: TrainerOptions): Promise<Trainer> {
    const cfg = opts.init.config;
    decoderModel(cfg, opts.init.lora); // validates the config and the LoRA settings
    validateAdamW(opts.optim);
    if (!Number.isInteger(opts.batchSize) || opts.batchSize < 1) throw new Error(`Trainer: batchSize must be a positive integer, got ${opts.batchSize}`);
    const ctx = contextLength(cfg);
    if (!Number.isInteger(opts.seqLen) || opts.seqLen < 2 || opts.seqLen > ctx) {
      throw new Error(`Trainer: seqLen must be an integer in [2, context=${ctx}], got ${opts.seqLen}`);
    }
    if (opts.loss.kind === 'grpo' && !(opts.loss.clipEps > 0 && opts.loss.klCoef >= 0)) {
      throw new Error(`Trainer: GRPO needs clipEps > 0 and klCoef ≥ 0, got ${opts.loss.clipEps} and ${opts.loss.klCoef}`);
    }
    const provider = opts.provider ?? 'cpu';
    // Contrib ops (FusedMatMul) only where onnxruntime's CPU EP runs the whole graph.
    const built = buildTrainGraph(cfg, opts.optim, opts.loss, opts.batchSize, opts.seqLen, { cpuOnly: provider === 'cpu', lora: opts.init.lora ?? null });
    const rt = await import('./runtime/ort.js');
    const { DeviceMover } = await import('./runtime/device.js');
    const mover = new DeviceMover(rt, provider);
    const session = await rt.RtSession.create(modelBytes(built), {
      provider,
      ...(opts.threads !== undefined ? { threads: opts.threads } : {}),
      gpuOutputs: [TRAIN_IO.outParams, TRAIN_IO.outM, TRAIN_IO.outV],
      label: 'train step',
      spinning: opts.spinning ?? false,
      ...(opts.profile ? { profile: true } : {}),
    });
    const layout = built.layout;
    const P = layout.size;
    const host = (data: Float32Array) => mover.upload(rt.tensor('float32', data, [P]), 'float32');
    const params = flatten(opts.init.weights, layout, 'Trainer init');
    const m = opts.init.optimizer ? flatten(opts.init.optimizer.m, layout, 'Trainer init optimizer.m') : new Float32Array(P);
    const v = opts.init.optimizer ? flatten(opts.init.optimizer.v, layout, 'Trainer init optimizer.v') : new Float32Array(P);
    const state: State = { params: await host(params), m: await host(m), v: await host(v) };
    const decay = await host(decayMask(layout));
    const frozen = await uploadFrozen(rt, mover, built.frozen, opts.init.weights);
    return new Trainer(rt, mover, session, layout, decay, frozen, state, opts.init.step, cfg, opts, provider);
  }

  /** One optimizer step on a batch of exactly (batchSize, seqLen). */
  async train(batch: TokenBatch | GrpoBatch): Promise<StepStats> {
    this.alive();
    checkBatch(batch, this.opts.batchSize, this.opts.seqLen, this.opts.loss, this.cfg.vocabSize);
    const rt = this.rt;
    const N = batch.batchSize * batch.seqLen;
    const lr = lrAt(this.stepCount, this.opts.optim);
    const feeds: Record<string, RtTensor> = {
      [TRAIN_IO.params]: this.state.params,
      [TRAIN_IO.m]: this.state.m,
      [TRAIN_IO.v]: this.state.v,
      [TRAIN_IO.decayMask]: this.decay,
      [TRAIN_IO.lr]: rt.tensor('float32', Float32Array.of(lr), []),
      [TRAIN_IO.t]: rt.tensor('float32', Float32Array.of(this.stepCount + 1), []),
      ...this.batchFeeds(batch),
      ...Object.fromEntries(this.frozen),
    };
    if (this.opts.loss.kind === 'grpo') {
      const gb = batch as GrpoBatch;
      feeds[TRAIN_IO.advantages] = rt.tensor('float32', gb.advantages, [N]);
      feeds[TRAIN_IO.oldLogProbs] = rt.tensor('float32', gb.oldLogProbs, [N]);
      if (this.opts.loss.klCoef > 0) feeds[TRAIN_IO.refLogProbs] = rt.tensor('float32', gb.refLogProbs as Float32Array, [N]);
    }
    const out = await this.session.run(feeds);
    const loss = rt.hostScalar(out[TRAIN_IO.loss] as RtTensor);
    const gradNorm = rt.hostScalar(out[TRAIN_IO.gradNorm] as RtTensor);
    const next = { params: out[TRAIN_IO.outParams] as RtTensor, m: out[TRAIN_IO.outM] as RtTensor, v: out[TRAIN_IO.outV] as RtTensor };
    if (!Number.isFinite(loss) || !Number.isFinite(gradNorm)) {
      // Keep the last good weights: a NaN/Inf update would poison every later step and checkpoint.
      if (this.mover.resident) for (const t of [next.params, next.m, next.v]) t.dispose();
      throw new Error(`Trainer: non-finite loss (${loss}) or gradient norm (${gradNorm}) at step ${this.stepCount + 1} (lr ${lr}); the update was discarded`);
    }
    const old = this.state;
    this.state = next;
    // Free the previous step's device buffers at once (host arrays are left to the GC).
    if (this.mover.resident) for (const t of [old.params, old.m, old.v]) t.dispose();
    this.stepCount++;
    return { loss, gradNorm, lr, step: this.stepCount };
  }

  private batchFeeds(batch: TokenBatch): Record<string, RtTensor> {
    const rt = this.rt;
    const N = batch.batchSize * batch.seqLen;
    return {
      [TRAIN_IO.tokens]: rt.tensor('int32', batch.tokens, [batch.batchSize, batch.seqLen]),
      [TRAIN_IO.targets]: rt.tensor('int32', batch.targets, [N]),
      [TRAIN_IO.mask]: rt.tensor('float32', batch.mask, [N]),
    };
  }

  private async evalSession(B: number, T: number): Promise<RtSession> {
    const key = `${B}x${T}`;
    const hit = this.evalSessions.get(key);
    if (hit) return hit;
    const graph = buildEvalGraph(this.cfg, B, T, { cpuOnly: this.provider === 'cpu', lora: this.opts.init.lora ?? null });
    const s = await this.rt.RtSession.create(modelBytes(graph), {
      provider: this.provider,
      ...(this.opts.threads !== undefined ? { threads: this.opts.threads } : {}),
      label: 'eval loss',
      spinning: this.opts.spinning ?? false,
    });
    this.evalSessions.set(key, s);
    return s;
  }

  /** Mean masked cross-entropy of a batch (any batch size, seqLen ≤ the context) under the current weights. */
  async evalLoss(batch: TokenBatch): Promise<number> {
    this.alive();
    const { B, T } = batchDims(batch, contextLength(this.cfg), this.cfg.vocabSize);
    const s = await this.evalSession(B, T);
    const out = await s.run({ [TRAIN_IO.params]: this.state.params, ...this.batchFeeds(batch), ...Object.fromEntries(this.frozen) });
    return this.rt.hostScalar(out[TRAIN_IO.loss] as RtTensor);
  }

  /**
   * The current weights and AdamW moments (copies), at the current step. Under LoRA: the frozen base weights and
   * the trained adapters, with the adapters' moments (`mergeLora` / `hfWeights` fold them in).
   */
  async checkpoint(): Promise<Checkpoint> {
    this.alive();
    const params = await this.mover.download(this.state.params, 'float32');
    const m = await this.mover.download(this.state.m, 'float32');
    const v = await this.mover.download(this.state.v, 'float32');
    const weights = new Map(this.opts.init.lora ? this.opts.init.weights : []);
    for (const [name, w] of unflatten(params, this.layout)) weights.set(name, w);
    return {
      config: this.cfg,
      step: this.stepCount,
      weights,
      ...(this.opts.init.lora ? { lora: this.opts.init.lora } : {}),
      optimizer: { m: unflatten(m, this.layout), v: unflatten(v, this.layout) },
    };
  }

  /** Floats held per trainable tensor set: parameters and the two AdamW moments live in three flat buffers of this size. */
  get trainableSize(): number {
    return this.layout.size;
  }

  /** Stops the profile started with `profile: true`; returns the trace file's path (the caller owns the file). */
  async endProfiling(): Promise<string> {
    this.alive();
    return this.session.endProfiling();
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.session.release();
    for (const s of this.evalSessions.values()) await s.release();
    if (this.mover.resident) for (const t of this.frozen.values()) t.dispose();
    await this.mover.release();
  }

  private alive(): void {
    if (this.disposed) throw new Error('Trainer: used after dispose()');
  }
}

/** Uploads each frozen tensor once (names and sizes checked). */
async function uploadFrozen(rt: Rt, mover: DeviceMover, specs: readonly ParamSpec[], weights: ReadonlyMap<string, Float32Array>): Promise<Map<string, RtTensor>> {
  const out = new Map<string, RtTensor>();
  for (const s of specs) {
    const data = weights.get(s.name);
    if (data === undefined || data.length !== numel(s.shape)) throw new Error(`Trainer init: frozen tensor '${s.name}' is missing or mis-sized`);
    out.set(s.name, await mover.upload(rt.tensor('float32', data, s.shape), 'float32'));
  }
  return out;
}
