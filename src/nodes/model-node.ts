/**
 * What every node that runs a model (training, evaluation, CoT sampling) shares: two CPU slots by default, a process
 * of its own (so side-by-side nodes really run in parallel), the runtime in its cache key, and an ONNX Runtime thread
 * pool sized to the slots it holds.
 */
import type { NodeKind } from '../engine/node-kind.js';
import { runtimeFingerprint } from '../nn/runtime/fingerprint.js';
import type { Provider } from '../nn/types.js';
import { Default, StringEnum } from './params.js';

/** Where a model node runs: ONNX Runtime's execution provider. */
export const providerSchema = Default(StringEnum(['cpu', 'webgpu', 'cuda'], { description: 'ONNX Runtime execution provider' }), 'cpu', { inKey: true });

/** Spread into a model node's kind. */
export const modelNodeTraits = {
  resources: { cpu: 2 },
  isolate: true,
  fingerprint(params: { readonly provider?: Provider }) {
    return runtimeFingerprint(params.provider ?? providerSchema.default);
  },
} as const satisfies Partial<NodeKind<{ readonly provider?: Provider }>>;

/**
 * How many intra-op threads a model node gives ONNX Runtime: its `threads` param if set, else the CPU slots the
 * scheduler reserved for it (`resources.cpu`), so nodes running side by side never oversubscribe the cores.
 */
export function threadsFor(params: { readonly threads?: number }, ctx: { readonly cpus?: number }): { threads?: number } {
  const threads = params.threads ?? ctx.cpus;
  return threads !== undefined ? { threads } : {};
}
