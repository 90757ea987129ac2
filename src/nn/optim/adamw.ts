import type { Graph } from '../onnx/graph.js';
import type { Value } from '../onnx/types.js';
import type { AdamWConfig } from '../types.js';

/**
 * The learning rate of update number `step` (0-based): linear warmup over `warmupSteps`, then cosine decay from
 * lr to lr·minLrRatio at `totalSteps` (constant after). Computed on the host and fed to the graph each step.
 */
export function lrAt(step: number, o: AdamWConfig): number {
  if (o.warmupSteps > 0 && step < o.warmupSteps) return (o.lr * (step + 1)) / o.warmupSteps;
  const span = Math.max(1, o.totalSteps - o.warmupSteps);
  const progress = Math.min(1, Math.max(0, (step - o.warmupSteps) / span));
  const min = o.lr * o.minLrRatio;
  return min + 0.5 * (1 + Math.cos(Math.PI * progress)) * (o.lr - min);
}

/** Validates an AdamW config with messages naming the field. */
export function validateAdamW(o: AdamWConfig): void {
  const bad = (field: string, why: string) => {
    throw new Error(`AdamWConfig.${field} ${why}`);
  };
  if (!(o.lr > 0)) bad('lr', `must be > 0, got ${o.lr}`);
  if (!(o.beta1 >= 0 && o.beta1 < 1)) bad('beta1', `must be in [0, 1), got ${o.beta1}`);
  if (!(o.beta2 >= 0 && o.beta2 < 1)) bad('beta2', `must be in [0, 1), got ${o.beta2}`);
  if (!(o.eps > 0)) bad('eps', `must be > 0, got ${o.eps}`);
  if (!(o.weightDecay >= 0)) bad('weightDecay', `must be ≥ 0, got ${o.weightDecay}`);
  if (!(Number.isInteger(o.warmupSteps) && o.warmupSteps >= 0)) bad('warmupSteps', `must be an integer ≥ 0, got ${o.warmupSteps}`);
  if (!(Number.isInteger(o.totalSteps) && o.totalSteps >= 1)) bad('totalSteps', `must be an integer ≥ 1, got ${o.totalSteps}`);
  if (!(o.minLrRatio >= 0 && o.minLrRatio <= 1)) bad('minLrRatio', `must be in [0, 1], got ${o.minLrRatio}`);
  if (!(o.gradClip >= 0)) bad('gradClip', `must be ≥ 0 (0 disables clipping), got ${o.gradClip}`);
}

/** Graph values of one AdamW update over flat tensors. */
export interface AdamWUpdate {
  readonly params: Value;
  readonly m: Value;
  readonly v: Value;
  /** Global L2 norm of the gradient before clipping. */
  readonly gradNorm: Value;
}

/**
 * One AdamW step as graph ops over flat (P) tensors: global-norm clipping (scale = min(1, clip/(‖g‖+1e-6))),
 * moments m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², bias correction with the step counter t (an input, t ≥ 1),
 * and p ← p − lr·(m̂/(√v̂ + ε) + λ·decay·p) — decoupled weight decay where `decayMask` is 1 (≥ 2-D tensors).
 */
export function adamwUpdate(
  g: Graph,
  o: AdamWConfig,
  io: { params: Value; grad: Value; m: Value; v: Value; lr: Value; t: Value; decayMask: Value },
): AdamWUpdate {
  const s = (x: number) => g.scalar(x, 'float32');
  return g.scoped('adamw', () => {
    const gradNorm = g.sqrt(g.reduceSumSquare(io.grad, [0], false));
    const grad = o.gradClip > 0 ? g.mul(io.grad, g.min(s(1), g.div(s(o.gradClip), g.add(gradNorm, s(1e-6))))) : io.grad;
    const m = g.add(g.mul(io.m, s(o.beta1)), g.mul(grad, s(1 - o.beta1)));
    const v = g.add(g.mul(io.v, s(o.beta2)), g.mul(g.mul(grad, grad), s(1 - o.beta2)));
    const bc1 = g.sub(s(1), g.pow(s(o.beta1), io.t));
    const bc2 = g.sub(s(1), g.pow(s(o.beta2), io.t));
    const update = g.div(g.div(m, bc1), g.add(g.sqrt(g.div(v, bc2)), s(o.eps)));
    const decay = g.mul(g.mul(io.decayMask, s(o.weightDecay)), io.params);
    const params = g.sub(io.params, g.mul(io.lr, o.weightDecay > 0 ? g.add(update, decay) : update));
    return { params, m, v, gradNorm };
  });
}
