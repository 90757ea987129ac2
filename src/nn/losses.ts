import type { Graph } from './onnx/graph.js';
import type { Value } from './onnx/types.js';

/**
 * log p(target) per row of (N, V) logits, written with ops that run on every EP: log-softmax as
 * z − log Σ eᶻ with z = logits − max (the max is detached: its gradient cancels exactly), and the target pick as a
 * one-hot built by Equal against a constant 0…V−1 (LogSoftmax and OneHot fall back to the CPU on WebGPU).
 */
export function targetLogProbs(g: Graph, logits: Value, targets: Value): Value {
  if (g.cpuOnly) return targetLogProbsCpu(g, logits, targets);
  const [N, V] = logits.shape as [number, number];
  const z = g.sub(logits, g.detach(g.reduceMax(logits, [1], true))); // (N, V)
  const lse = g.log(g.reduceSum(g.exp(z), [1], true)); // (N, 1)
  const ids = g.constant(Int32Array.from({ length: V }, (_, i) => i), 'int32', [V]);
  const t = g.reshape(targets.dtype === 'int32' ? targets : g.cast(targets, 'int32'), [N, 1]);
  const onehot = g.cast(g.equal(t, ids), 'float32'); // (N, V)
  const picked = g.reduceSum(g.mul(z, onehot), [1], true); // (N, 1)
  return g.reshape(g.sub(picked, lse), [N]); // (N)
}

/**
 * targetLogProbs for CPU-EP graphs, as a composite with its closed-form gradient: forward logp = LogSoftmax(z)[t]
 * (one fused, max-shifted pass, then GatherElements: no (N, V) one-hot); backward dz = −dY·softmax(z) + dY at the
 * target (e^logsoftmax, then ScatterElements-add; one target per row, so no colliding updates). Four passes over
 * the (N, V) logits instead of about thirteen (onnxruntime's ReduceLogSumExp measured slower than all of them).
 */
function targetLogProbsCpu(g: Graph, logits: Value, targets: Value): Value {
  const [N] = logits.shape as [number, number];
  const t = g.reshape(targets.dtype === 'int32' || targets.dtype === 'int64' ? targets : g.cast(targets, 'int32'), [N, 1]);
  let logSoft: Value | undefined;
  return g.composite(
    [logits],
    ([z]) => {
      logSoft = g.logSoftmax(z as Value, 1); // (N, V)
      return g.reshape(g.gatherElements(logSoft, t, 1), [N]);
    },
    (dY) => {
      const d = g.reshape(dY, [N, 1]);
      return [g.scatterElementsAdd(g.mul(g.exp(logSoft as Value), g.neg(d)), t, d, 1)];
    },
  );
}

/** Σ(x·mask) / max(Σ mask, 1): the token-mean over masked positions. */
export function maskedMean(g: Graph, x: Value, mask: Value): Value {
  const den = g.max(g.reduceSum(mask, [0], false), g.scalar(1, 'float32'));
  return g.div(g.reduceSum(g.mul(x, mask), [0], false), den);
}

/** SFT: mean negative log-likelihood over masked (response + EOS) targets. */
export function sftLoss(g: Graph, logp: Value, mask: Value): Value {
  return g.neg(maskedMean(g, logp, mask));
}

/**
 * GRPO's clipped policy gradient with token-mean reduction:
 * r = exp(logp − old); L = −min(r·A, clip(r, 1−ε, 1+ε)·A) + β·KL, KL by the k3 estimator
 * exp(ref − logp) − (ref − logp) − 1 (unbiased, always ≥ 0). All tensors are (N).
 */
export function grpoLoss(
  g: Graph,
  logp: Value,
  io: { mask: Value; advantages: Value; oldLogProbs: Value; refLogProbs?: Value },
  clipEps: number,
  klCoef: number,
): Value {
  const s = (v: number) => g.scalar(v, 'float32');
  const ratio = g.exp(g.sub(logp, io.oldLogProbs));
  const clipped = g.min(g.max(ratio, s(1 - clipEps)), s(1 + clipEps));
  let perToken = g.neg(g.min(g.mul(ratio, io.advantages), g.mul(clipped, io.advantages)));
  if (klCoef > 0) {
    if (!io.refLogProbs) throw new Error('Internal error: GRPO with klCoef > 0 needs reference log-probs');
    const d = g.sub(io.refLogProbs, logp);
    const kl = g.sub(g.sub(g.exp(d), d), s(1));
    perToken = g.add(perToken, g.mul(kl, s(klCoef)));
  }
  return maskedMean(g, perToken, io.mask);
}
