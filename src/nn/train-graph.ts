import { gradients } from './grad/autodiff.js';
import { grpoLoss, sftLoss, targetLogProbs } from './losses.js';
import type { ParamSpec } from './models/gpt-params.js';
import { flatParams, inputParams, lookup, specsLayout, type FlatLayout, type Params } from './models/gpt.js';
import { decoderModel, type DecoderModel } from './models/model.js';
import type { LoraConfig } from './models/lora.js';
import { adamwUpdate } from './optim/adamw.js';
import { encodeModel } from './onnx/encode.js';
import { Graph } from './onnx/graph.js';
import type { Value } from './onnx/types.js';
import type { AdamWConfig, LossConfig, ModelConfig } from './types.js';

/** Input/output names of the training graph. */
export const TRAIN_IO = {
  params: 'params',
  m: 'adam_m',
  v: 'adam_v',
  decayMask: 'decay_mask',
  lr: 'lr',
  t: 'step',
  tokens: 'tokens',
  targets: 'targets',
  mask: 'mask',
  advantages: 'advantages',
  oldLogProbs: 'old_logprobs',
  refLogProbs: 'ref_logprobs',
  outParams: 'new_params',
  outM: 'new_adam_m',
  outV: 'new_adam_v',
  loss: 'loss',
  gradNorm: 'grad_norm',
  logp: 'logp',
} as const;

/**
 * How a graph may be built: `cpuOnly` (see Graph.cpuOnly) lets it use ops only onnxruntime's CPU EP is known to
 * run well (com.microsoft FusedMatMul, GatherElements/ScatterElements) — for graphs only that EP will run.
 */
export interface GraphOptions {
  readonly cpuOnly?: boolean;
  /** LoRA adapters (Llama family): only they are in the flat buffer; the base weights become frozen inputs. */
  readonly lora?: LoraConfig | null;
}

/** A built graph plus what the runtime needs to feed it. */
export interface BuiltGraph {
  readonly graph: Graph;
  /** The flat buffer of trainable tensors. */
  readonly layout: FlatLayout;
  /** Tensors fed as separate inputs named like them, without gradient (the base weights under LoRA). */
  readonly frozen: readonly ParamSpec[];
}

/** The flat input of the trainable tensors. */
function flatInput(g: Graph, model: DecoderModel): { flat: Value; layout: FlatLayout } {
  const layout = specsLayout(model.trainable);
  return { flat: g.input(TRAIN_IO.params, 'float32', [layout.size]), layout };
}

/** The trainable tensors as views of the flat input, the frozen ones as separate inputs. */
function paramViews(g: Graph, model: DecoderModel, layout: FlatLayout, flat: Value): { P: Params; views: Map<string, Value> } {
  const { views } = flatParams(g, layout, flat);
  const { inputs } = inputParams(g, model.frozen);
  return { P: lookup(views, inputs), views };
}

/** flatInput, then paramViews. */
function modelParams(g: Graph, model: DecoderModel): { layout: FlatLayout; P: Params; views: Map<string, Value> } {
  const { flat, layout } = flatInput(g, model);
  return { layout, ...paramViews(g, model, layout, flat) };
}

function batchInputs(g: Graph, B: number, T: number) {
  return {
    tokens: g.input(TRAIN_IO.tokens, 'int32', [B, T]),
    targets: g.input(TRAIN_IO.targets, 'int32', [B * T]),
    mask: g.input(TRAIN_IO.mask, 'float32', [B * T]),
  };
}

/** The loss (and per-token log-probs) of a batch, shared by the training and evaluation graphs. */
function lossOf(g: Graph, model: DecoderModel, P: Params, loss: LossConfig, B: number, T: number) {
  const io = batchInputs(g, B, T);
  const { logits } = model.forward(g, P, io.tokens);
  const logp = g.scoped('loss', () => targetLogProbs(g, logits, io.targets));
  let value: Value;
  if (loss.kind === 'sft') {
    value = g.scoped('loss', () => sftLoss(g, logp, io.mask));
  } else {
    const advantages = g.input(TRAIN_IO.advantages, 'float32', [B * T]);
    const oldLogProbs = g.input(TRAIN_IO.oldLogProbs, 'float32', [B * T]);
    const refLogProbs = loss.klCoef > 0 ? g.input(TRAIN_IO.refLogProbs, 'float32', [B * T]) : undefined;
    value = g.scoped('loss', () =>
      grpoLoss(g, logp, { mask: io.mask, advantages, oldLogProbs, ...(refLogProbs ? { refLogProbs } : {}) }, loss.clipEps, loss.klCoef),
    );
  }
  return { logp, loss: value };
}

/**
 * The whole optimizer step as one inference graph: inputs (flat params, AdamW moments, decay mask, lr, step,
 * batch) → outputs (new params, new moments, loss, grad norm). Gradients come from `gradients()` w.r.t. each
 * parameter's view of the flat buffer and are concatenated back into one flat gradient.
 */
export function buildTrainGraph(cfg: ModelConfig, optim: AdamWConfig, loss: LossConfig, B: number, T: number, opts: GraphOptions = {}): BuiltGraph {
  const g = new Graph(opts);
  const model = decoderModel(cfg, opts.lora);
  const { flat, layout } = flatInput(g, model);
  const m = g.input(TRAIN_IO.m, 'float32', [layout.size]);
  const v = g.input(TRAIN_IO.v, 'float32', [layout.size]);
  const decayMask = g.input(TRAIN_IO.decayMask, 'float32', [layout.size]);
  const lr = g.input(TRAIN_IO.lr, 'float32', []);
  const t = g.input(TRAIN_IO.t, 'float32', []);
  const { P, views } = paramViews(g, model, layout, flat);
  const out = lossOf(g, model, P, loss, B, T);
  const wrt = layout.specs.map((s) => views.get(s.name) as Value);
  const grads = gradients(g, out.loss, wrt);
  const grad = g.scoped('grad/flatten', () => g.concat(grads.map((d) => g.reshape(d, [d.shape.reduce((a, b) => a * b, 1)])), 0));
  const upd = adamwUpdate(g, optim, { params: flat, grad, m, v, lr, t, decayMask });
  g.output(upd.params, TRAIN_IO.outParams);
  g.output(upd.m, TRAIN_IO.outM);
  g.output(upd.v, TRAIN_IO.outV);
  g.output(out.loss, TRAIN_IO.loss);
  g.output(upd.gradNorm, TRAIN_IO.gradNorm);
  return { graph: g, layout, frozen: model.frozen };
}

/** Forward only over flat params: loss (SFT) and per-token log p(target). For evalLoss. */
export function buildEvalGraph(cfg: ModelConfig, B: number, T: number, opts: GraphOptions = {}): BuiltGraph {
  const g = new Graph(opts);
  // Evaluation is deterministic: no LoRA dropout.
  const model = decoderModel(cfg, opts.lora ? { ...opts.lora, dropout: 0 } : null);
  const { layout, P } = modelParams(g, model);
  const out = lossOf(g, model, P, { kind: 'sft' }, B, T);
  g.output(out.loss, TRAIN_IO.loss);
  g.output(out.logp, TRAIN_IO.logp);
  return { graph: g, layout, frozen: model.frozen };
}

/** Per-token log-probs with one input per parameter (the Generator's weights); `cpuOnly` as for the training graphs. */
export function buildScoreGraph(cfg: ModelConfig, B: number, T: number, opts: GraphOptions = {}): Graph {
  const g = new Graph(opts);
  const model = decoderModel(cfg);
  const { params } = inputParams(g, model.specs);
  const out = lossOf(g, model, params, { kind: 'sft' }, B, T);
  g.output(out.logp, TRAIN_IO.logp);
  return g;
}

/** Serialized model of a built graph. */
export function modelBytes(b: BuiltGraph | Graph): Uint8Array {
  return encodeModel(b instanceof Graph ? b : b.graph);
}

/**
 * Loss and its flat gradient (no update), plus the logits: for the finite-difference test of a whole train step
 * and for the cross-check against PyTorch.
 */
export function buildGradGraph(cfg: ModelConfig, loss: LossConfig, B: number, T: number, opts: GraphOptions = {}): BuiltGraph {
  const g = new Graph(opts);
  const model = decoderModel(cfg, opts.lora);
  const { layout, P, views } = modelParams(g, model);
  const io = batchInputs(g, B, T);
  const { logits } = model.forward(g, P, io.tokens);
  const logp = targetLogProbs(g, logits, io.targets);
  let value: Value;
  if (loss.kind === 'sft') value = sftLoss(g, logp, io.mask);
  else {
    const advantages = g.input(TRAIN_IO.advantages, 'float32', [B * T]);
    const oldLogProbs = g.input(TRAIN_IO.oldLogProbs, 'float32', [B * T]);
    const refLogProbs = loss.klCoef > 0 ? g.input(TRAIN_IO.refLogProbs, 'float32', [B * T]) : undefined;
    value = grpoLoss(g, logp, { mask: io.mask, advantages, oldLogProbs, ...(refLogProbs ? { refLogProbs } : {}) }, loss.clipEps, loss.klCoef);
  }
  const grads = gradients(g, value, layout.specs.map((s) => views.get(s.name) as Value));
  g.output(value, TRAIN_IO.loss);
  g.output(g.concat(grads.map((d) => g.reshape(d, [d.shape.reduce((a, b) => a * b, 1)])), 0), 'grad');
  g.output(logits, 'logits');
  g.output(logp, TRAIN_IO.logp);
  return { graph: g, layout, frozen: model.frozen };
}
