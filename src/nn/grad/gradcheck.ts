import { Rng } from '../../util/rng.js';
import { encodeModel } from '../onnx/encode.js';
import { Graph } from '../onnx/graph.js';
import type { DType, Value } from '../onnx/types.js';
import type { Provider } from '../types.js';
import { targetLogProbs } from '../losses.js';
import { attentionCpu, causalAttentionCpu, causalBias, erfGate, gelu } from '../models/gpt.js';
import { applyRope, rmsNorm, swiglu } from '../models/llama.js';
import { gradients } from './autodiff.js';
import { gradRules } from './rules.js';

/** How a test input is drawn: any real, positive (for Log/Sqrt/Pow bases), or away from 0 (for Relu's kink). */
type Draw = 'real' | 'positive' | 'nonzero' | 'distinct';

interface CaseInput {
  readonly shape: readonly number[];
  readonly draw: Draw;
  /** false: the input is a constant (no gradient is checked for it). */
  readonly grad?: boolean;
}

/** One finite-difference case: an op applied to small random inputs. */
export interface GradCase {
  readonly op: string;
  readonly label: string;
  readonly inputs: readonly CaseInput[];
  readonly build: (g: Graph, xs: readonly Value[]) => Value;
  /** Check in float32 only (ops whose float64 form is not smooth, e.g. a round trip through float32). */
  readonly float32Only?: boolean;
  /** Build the case in a graph that may use contrib ops (Graph.cpuOnly). */
  readonly cpuOnly?: boolean;
}

const f = (shape: readonly number[], draw: Draw = 'real'): CaseInput => ({ shape, draw });

/** Every gradient rule's finite-difference case (the test checks each rule in `gradRules` has at least one). */
export const gradCases: readonly GradCase[] = [
  { op: 'Add', label: 'Add broadcast', inputs: [f([2, 3]), f([3])], build: (g, [a, b]) => g.add(a!, b!) },
  { op: 'Sub', label: 'Sub broadcast', inputs: [f([2, 3]), f([2, 1])], build: (g, [a, b]) => g.sub(a!, b!) },
  { op: 'Mul', label: 'Mul broadcast', inputs: [f([2, 3]), f([1, 3])], build: (g, [a, b]) => g.mul(a!, b!) },
  { op: 'Div', label: 'Div', inputs: [f([2, 3]), f([2, 3], 'positive')], build: (g, [a, b]) => g.div(a!, b!) },
  { op: 'Neg', label: 'Neg', inputs: [f([2, 3])], build: (g, [a]) => g.neg(a!) },
  { op: 'Pow', label: 'Pow', inputs: [f([2, 3], 'positive'), f([2, 3])], build: (g, [a, b]) => g.pow(a!, b!) },
  { op: 'Sqrt', label: 'Sqrt', inputs: [f([2, 3], 'positive')], build: (g, [a]) => g.sqrt(a!) },
  { op: 'Exp', label: 'Exp', inputs: [f([2, 3])], build: (g, [a]) => g.exp(a!) },
  { op: 'Log', label: 'Log', inputs: [f([2, 3], 'positive')], build: (g, [a]) => g.log(a!) },
  { op: 'Tanh', label: 'Tanh', inputs: [f([2, 3])], build: (g, [a]) => g.tanh(a!) },
  { op: 'Erf', label: 'Erf', inputs: [f([2, 3])], build: (g, [a]) => g.erf(a!) },
  { op: 'Relu', label: 'Relu', inputs: [f([2, 3], 'nonzero')], build: (g, [a]) => g.relu(a!) },
  { op: 'Sigmoid', label: 'Sigmoid', inputs: [f([2, 3])], build: (g, [a]) => g.sigmoid(a!) },
  { op: 'Identity', label: 'Identity', inputs: [f([2, 3])], build: (g, [a]) => g.identity(a!) },
  { op: 'Softmax', label: 'Softmax', inputs: [f([2, 4])], build: (g, [a]) => g.softmax(a!, -1) },
  { op: 'LogSoftmax', label: 'LogSoftmax', inputs: [f([2, 4])], build: (g, [a]) => g.logSoftmax(a!, 1) },
  { op: 'ReduceSum', label: 'ReduceSum axis 1', inputs: [f([2, 3, 2])], build: (g, [a]) => g.reduceSum(a!, [1], false) },
  { op: 'ReduceMean', label: 'ReduceMean axes 0,2', inputs: [f([2, 3, 2])], build: (g, [a]) => g.reduceMean(a!, [0, 2], true) },
  { op: 'ReduceMax', label: 'ReduceMax', inputs: [f([3, 4], 'distinct')], build: (g, [a]) => g.reduceMax(a!, [1], false) },
  { op: 'ReduceLogSumExp', label: 'ReduceLogSumExp', inputs: [f([3, 4])], build: (g, [a]) => g.reduceLogSumExp(a!, [-1], true) },
  { op: 'ReduceSumSquare', label: 'ReduceSumSquare', inputs: [f([3, 4])], build: (g, [a]) => g.reduceSumSquare(a!, [0], false) },
  { op: 'MatMul', label: 'MatMul 2-D', inputs: [f([3, 4]), f([4, 2])], build: (g, [a, b]) => g.matmul(a!, b!) },
  { op: 'MatMul', label: 'MatMul batched', inputs: [f([2, 3, 4]), f([4, 2])], build: (g, [a, b]) => g.matmul(a!, b!) },
  { op: 'MatMul', label: 'MatMul batched, square left (transposed-result path)', inputs: [f([2, 5, 5]), f([2, 5, 2])], build: (g, [a, b]) => g.matmul(a!, b!) },
  ...[false, true].flatMap((tA) =>
    [false, true].map(
      (tB): GradCase => ({
        op: 'Gemm',
        label: `Gemm transA=${+tA} transB=${+tB}`,
        inputs: [f(tA ? [4, 3] : [3, 4]), f(tB ? [2, 4] : [4, 2]), f([2])],
        build: (g, [a, b, c]) => g.gemm(a!, b!, c!, { transA: tA, transB: tB, alpha: 0.5, beta: 2 }),
      }),
    ),
  ),
  ...[false, true].flatMap((tA) =>
    [false, true].map(
      (tB): GradCase => ({
        op: 'FusedMatMul',
        label: `FusedMatMul transA=${+tA} transB=${+tB} (batch-broadcast B)`,
        inputs: [f(tA ? [2, 4, 3] : [2, 3, 4]), f(tB ? [2, 4] : [4, 2])],
        build: (g, [a, b]) => g.fusedMatMul(a!, b!, { transA: tA, transB: tB, alpha: 0.5 }),
      }),
    ),
  ),
  {
    op: 'MatMul',
    label: 'MatMul batched, contrib graph (FusedMatMul gradients)',
    inputs: [f([2, 3, 4]), f([2, 4, 2])],
    cpuOnly: true,
    build: (g, [a, b]) => g.matmul(a!, b!),
  },
  {
    op: 'LayerNormalization',
    label: 'LayerNormalization',
    inputs: [f([3, 5]), f([5]), f([5])],
    build: (g, [a, s, b]) => g.layerNorm(a!, s!, b!, 1e-5),
  },
  { op: 'Reshape', label: 'Reshape', inputs: [f([2, 6])], build: (g, [a]) => g.reshape(a!, [3, 4]) },
  { op: 'Transpose', label: 'Transpose', inputs: [f([2, 3, 4])], build: (g, [a]) => g.transpose(a!, [2, 0, 1]) },
  { op: 'Unsqueeze', label: 'Unsqueeze', inputs: [f([2, 3])], build: (g, [a]) => g.unsqueeze(a!, [1]) },
  { op: 'Squeeze', label: 'Squeeze', inputs: [f([2, 1, 3])], build: (g, [a]) => g.squeeze(a!, [1]) },
  { op: 'Concat', label: 'Concat', inputs: [f([2, 3]), f([2, 2])], build: (g, [a, b]) => g.concat([a!, b!], 1) },
  { op: 'Split', label: 'Split (one output unused)', inputs: [f([2, 7])], build: (g, [a]) => { const [p, , r] = g.split(a!, [2, 3, 2], 1); return g.concat([g.mul(p!, p!), r!], 1); } },
  { op: 'Add', label: 'Add bias (column-sum gradient)', inputs: [f([5, 3]), f([3])], build: (g, [a, b]) => g.add(a!, b!) },
  { op: 'Add', label: 'Add bias (column-sum gradient, CPU-EP graph)', inputs: [f([5, 3]), f([3])], cpuOnly: true, build: (g, [a, b]) => g.add(a!, b!) },
  { op: 'Slice', label: 'Slice', inputs: [f([4, 5])], build: (g, [a]) => g.slice(a!, [1, 2], [3, 5], [0, 1]) },
  {
    op: 'Gather',
    label: 'Gather (embedding, repeated ids)',
    inputs: [f([5, 3])],
    build: (g, [a]) => g.gather(a!, g.constant(BigInt64Array.from([1n, 3n, 1n, 4n]), 'int64', [2, 2]), 0),
  },
  {
    op: 'Gather',
    label: 'Gather 3-D table, int32 ids',
    inputs: [f([4, 2, 3])],
    build: (g, [a]) => g.gather(a!, g.constant(Int32Array.from([3, 0, 3]), 'int32', [3]), 0),
  },
  {
    op: 'Where',
    label: 'Where',
    inputs: [f([2, 3]), f([3])],
    build: (g, [a, b]) => g.where(g.constant(Uint8Array.from([1, 0, 1, 0, 0, 1]), 'bool', [2, 3]), a!, b!),
  },
  {
    op: 'Cast',
    label: 'Cast float32→float64→float32',
    inputs: [f([2, 3])],
    float32Only: true,
    build: (g, [a]) => g.cast(g.exp(g.cast(a!, 'float64')), 'float32'),
  },
  { op: 'Expand', label: 'Expand', inputs: [f([3, 1])], build: (g, [a]) => g.expand(a!, [2, 3, 4]) },
  { op: 'Max', label: 'Max', inputs: [f([2, 3], 'distinct'), f([2, 3], 'distinct')], build: (g, [a, b]) => g.max(a!, b!) },
  { op: 'GELU', label: 'GELU (composite, closed-form gradient)', inputs: [f([3, 4])], build: (g, [a]) => gelu(g, a!) },
  { op: 'GELU', label: 'erfGate u·(1 + erf u) (composite, closed-form gradient)', inputs: [f([3, 4])], build: (g, [a]) => erfGate(g, a!) },
  {
    op: 'TargetLogProbs',
    label: 'target log-probs, CPU-EP composite (GatherElements + closed-form gradient)',
    inputs: [f([4, 5])],
    cpuOnly: true,
    build: (g, [a]) => targetLogProbs(g, a!, g.constant(Int32Array.from([3, 0, 3, 4]), 'int32', [4])),
  },
  {
    op: 'TargetLogProbs',
    label: 'target log-probs, portable form',
    inputs: [f([4, 5])],
    float32Only: true,
    build: (g, [a]) => targetLogProbs(g, a!, g.constant(Int32Array.from([3, 0, 3, 4]), 'int32', [4])),
  },
  {
    op: 'Attention',
    label: 'causal attention, CPU-EP composite (FusedMatMul, rowsum(dO·O) softmax gradient)',
    inputs: [f([1, 2, 4, 3]), f([1, 2, 4, 3]), f([1, 2, 4, 3])],
    cpuOnly: true,
    float32Only: true,
    build: (g, [q, k, v]) => attentionCpu(g, q!, k!, v!, causalBias(g, 4), 0.7),
  },
  {
    op: 'Attention',
    label: 'causal attention, CPU-EP composite over ONNX Attention (2 heads of 3)',
    inputs: [f([2, 4, 6]), f([2, 4, 6]), f([2, 4, 6])],
    cpuOnly: true,
    float32Only: true,
    build: (g, [q, k, v]) => causalAttentionCpu(g, q!, k!, v!, { qHeads: 2, kvHeads: 2, headDim: 3 }),
  },
  {
    op: 'Attention',
    label: 'grouped causal attention, CPU-EP composite over ONNX Attention (4 query heads, 2 key/value heads)',
    inputs: [f([1, 3, 8]), f([1, 3, 4]), f([1, 3, 4])],
    cpuOnly: true,
    float32Only: true,
    build: (g, [q, k, v]) => causalAttentionCpu(g, q!, k!, v!, { qHeads: 4, kvHeads: 2, headDim: 2 }),
  },
  { op: 'RMSNorm', label: 'RMSNorm (composite, closed-form gradient)', inputs: [f([3, 5]), f([5])], build: (g, [a, w]) => rmsNorm(g, a!, w!, 1e-6) },
  {
    op: 'RMSNorm',
    label: 'RMSNorm per head, weight broadcast over (B, T, heads, hd)',
    inputs: [f([1, 2, 3, 4]), f([4])],
    build: (g, [a, w]) => rmsNorm(g, a!, w!, 1e-5),
  },
  {
    op: 'RoPE',
    label: 'rotary embedding (composite, gradient = inverse rotation)',
    inputs: [f([2, 3, 2, 4])],
    build: (g, [a]) => {
      const angle = (t: number, i: number) => (t + 1) * (0.7 + i);
      const table = (fn: (x: number) => number) => {
        const vals = Array.from({ length: 3 * 2 }, (_, k) => fn(angle(Math.floor(k / 2), k % 2)));
        return g.constant(a!.dtype === 'float64' ? Float64Array.from(vals) : Float32Array.from(vals), a!.dtype, [1, 3, 1, 2]);
      };
      return applyRope(g, a!, { cos: table(Math.cos), sin: table(Math.sin) });
    },
  },
  { op: 'SwiGLU', label: 'SwiGLU silu(a)·b (composite, closed-form gradient)', inputs: [f([3, 4]), f([3, 4])], build: (g, [a, b]) => swiglu(g, a!, b!) },
  { op: 'Min', label: 'Min', inputs: [f([2, 3], 'distinct'), f([2, 3], 'distinct')], build: (g, [a, b]) => g.min(a!, b!) },
];

/** The result of checking one case. */
export interface GradCheckResult {
  readonly op: string;
  readonly label: string;
  readonly dtype: DType;
  readonly relError: number;
  readonly ok: boolean;
  readonly error?: string;
}

/** Summary: `rules` = distinct ops checked, `failed` = how many of them failed. */
export interface GradCheckSummary {
  readonly rules: number;
  readonly failed: number;
  readonly failures: readonly string[];
  readonly maxRelError: number;
  readonly results: readonly GradCheckResult[];
}

function draw(rng: Rng, kind: Draw, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const u = rng.next();
    if (kind === 'positive') out.push(0.5 + 1.5 * u);
    else if (kind === 'nonzero') out.push((u < 0.5 ? -1 : 1) * (0.2 + rng.next()));
    else if (kind === 'distinct') out.push(-2 + 4 * ((i + 0.25 + 0.5 * u) / n));
    else out.push(rng.normal());
  }
  if (kind === 'distinct') new Rng(n).shuffle(out);
  return out;
}

/**
 * Checks one case against central finite differences of L = Σ w·op(x) (w random, so every output element
 * matters). float64 with h = 1e-6 where onnxruntime's CPU EP has a float64 kernel, otherwise float32 with h = 1e-2.
 * The error is max|analytic − numeric| / max|numeric| per input, maximised over inputs.
 */
export async function checkCase(c: GradCase, opts: { provider?: Provider; seed?: number } = {}): Promise<GradCheckResult> {
  if (c.float32Only) return checkCaseAs(c, 'float32', opts);
  try {
    return await checkCaseAs(c, 'float64', opts);
  } catch (e) {
    if (!/implementation|NOT_IMPLEMENTED|not implemented|Could not find/i.test(String(e instanceof Error ? e.message : e))) throw e;
    return checkCaseAs(c, 'float32', opts);
  }
}

async function checkCaseAs(c: GradCase, dtype: 'float32' | 'float64', opts: { provider?: Provider; seed?: number }): Promise<GradCheckResult> {
  const rt = await import('../runtime/ort.js');
  const rng = new Rng(opts.seed ?? 1234);
  const g = new Graph({ cpuOnly: c.cpuOnly ?? false });
  const xs = c.inputs.map((inp, i) => g.input(`x${i}`, dtype, inp.shape));
  const out = c.build(g, xs);
  const w = draw(rng, 'real', out.shape.reduce((a, b) => a * b, 1));
  const wv = g.constant(out.dtype === 'float64' ? Float64Array.from(w) : Float32Array.from(w), out.dtype, out.shape);
  const loss = g.reduceSum(g.mul(out, wv), out.shape.map((_, i) => i), false);
  g.output(loss, 'loss');
  const wrt = xs.filter((_, i) => c.inputs[i]?.grad !== false);
  const grads = gradients(g, loss, wrt);
  grads.forEach((d, i) => g.output(d, `grad${i}`));
  const session = await rt.RtSession.create(encodeModel(g), { provider: opts.provider ?? 'cpu', label: `gradcheck ${c.label}` });
  try {
    const Arr = dtype === 'float64' ? Float64Array : Float32Array;
    const data = c.inputs.map((inp) => Arr.from(draw(rng, inp.draw, inp.shape.reduce((a, b) => a * b, 1))));
    const feeds = () => Object.fromEntries(xs.map((x, i) => [x.name, rt.tensor(dtype, data[i]!, x.shape)]));
    const base = await session.run(feeds());
    const h = dtype === 'float64' ? 1e-6 : 1e-2;
    let worst = 0;
    for (let k = 0; k < wrt.length; k++) {
      const idx = xs.indexOf(wrt[k]!);
      const analytic = rt.hostData<Float32Array | Float64Array>(base[`grad${k}`]!);
      const arr = data[idx]!;
      let maxDiff = 0;
      let maxNum = 0;
      for (let e = 0; e < arr.length; e++) {
        const orig = arr[e]!;
        arr[e] = orig + h;
        const up = rt.hostScalar((await session.run(feeds()))['loss']!);
        arr[e] = orig - h;
        const down = rt.hostScalar((await session.run(feeds()))['loss']!);
        arr[e] = orig;
        const numeric = (up - down) / (2 * h);
        maxDiff = Math.max(maxDiff, Math.abs(numeric - analytic[e]!));
        maxNum = Math.max(maxNum, Math.abs(numeric));
      }
      worst = Math.max(worst, maxDiff / Math.max(maxNum, 1e-12));
    }
    const tol = dtype === 'float64' ? 1e-6 : 2e-2;
    return { op: c.op, label: c.label, dtype, relError: worst, ok: worst <= tol };
  } finally {
    await session.release();
  }
}

/** Runs every case; a case that throws counts as failed with its message kept. */
export async function gradcheckAll(opts: { provider?: Provider } = {}): Promise<GradCheckSummary> {
  const results: GradCheckResult[] = [];
  for (const c of gradCases) {
    try {
      results.push(await checkCase(c, opts));
    } catch (e) {
      results.push({ op: c.op, label: c.label, dtype: 'float64', relError: Number.POSITIVE_INFINITY, ok: false, error: e instanceof Error ? e.message : String(e) });
    }
  }
  const ops = [...new Set(results.map((r) => r.op))];
  const failures = ops.filter((op) => results.some((r) => r.op === op && !r.ok));
  const maxRelError = results.reduce((m, r) => Math.max(m, r.relError), 0);
  return { rules: ops.length, failed: failures.length, failures, maxRelError, results };
}

/** Ops that have a rule but no finite-difference case (must be empty; checked by the tests). */
export function uncheckedRules(): string[] {
  const covered = new Set(gradCases.map((c) => c.op));
  return Object.keys(gradRules).filter((op) => !covered.has(op));
}
