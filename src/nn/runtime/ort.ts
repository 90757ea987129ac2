/**
 * The only module that imports onnxruntime-node. Reached through `await import()` from Trainer/Generator/doctor,
 * so loading pipe (or a cached `pipe run`) never loads the native runtime. Everything else in src/nn sees
 * onnxruntime tensors only as the opaque `RtTensor` type.
 */
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { Provider } from '../types.js';
import type { DType } from '../onnx/types.js';

/** An onnxruntime tensor, on the host (`location === 'cpu'`) or resident on a device (`'gpu-buffer'`). */
export type RtTensor = ort.Tensor;

/** Host arrays a tensor can be made from. */
export type HostData = Float32Array | Float64Array | BigInt64Array | Int32Array | Uint8Array;

/** Options of a session. `gpuOutputs` names outputs kept on the device (WebGPU), to be fed back without copies. */
export interface RtSessionOptions {
  readonly provider?: Provider;
  readonly threads?: number;
  readonly gpuOutputs?: readonly string[];
  readonly profile?: boolean;
  /**
   * Whether idle intra-op worker threads spin (onnxruntime's default) instead of sleeping. Spinning saves wake-up
   * latency when the cores are free, but steals them when other processes (or sessions) want them: on a shared
   * 2-core machine the train step ran 1.36× faster without it (bench/train/README.md).
   */
  readonly spinning?: boolean;
  /** Graph name used in error messages. */
  readonly label?: string;
}

let profiles = 0;

/** A compiled graph. `run` wraps onnxruntime errors with the graph's label and keeps the original as `cause`. */
export class RtSession {
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly label: string,
    private readonly profilePrefix: string | undefined,
  ) {}

  static async create(model: Uint8Array, opts: RtSessionOptions = {}): Promise<RtSession> {
    const provider = opts.provider ?? 'cpu';
    const label = opts.label ?? 'graph';
    const so: ort.InferenceSession.SessionOptions = {
      executionProviders: provider === 'cpu' ? ['cpu'] : [provider, 'cpu'],
      graphOptimizationLevel: 'all',
      logSeverityLevel: 3,
      ...(opts.threads !== undefined ? { intraOpNumThreads: opts.threads, interOpNumThreads: 1 } : {}),
      ...(opts.spinning === false ? { extra: { session: { intra_op: { allow_spinning: '0' } } } } : {}),
    };
    const profilePrefix = opts.profile ? join(tmpdir(), `pipe-profile-${process.pid}-${++profiles}-${Math.random().toString(36).slice(2, 8)}`) : undefined;
    if (profilePrefix) Object.assign(so, { enableProfiling: true, profileFilePrefix: profilePrefix });
    if (opts.gpuOutputs && opts.gpuOutputs.length > 0 && provider !== 'cpu') {
      const map: Record<string, 'gpu-buffer'> = {};
      for (const name of opts.gpuOutputs) map[name] = 'gpu-buffer';
      (so as { preferredOutputLocation?: unknown }).preferredOutputLocation = map;
    }
    try {
      return new RtSession(await ort.InferenceSession.create(model, so), label, profilePrefix);
    } catch (cause) {
      throw new Error(`onnxruntime could not load the ${label} graph on ${provider}: ${message(cause)}`, { cause });
    }
  }

  get inputNames(): readonly string[] {
    return this.session.inputNames;
  }

  get outputNames(): readonly string[] {
    return this.session.outputNames;
  }

  /**
   * Runs the graph. `outputs`, when given, lists the outputs to return: null to have onnxruntime allocate one, or a
   * tensor to write it into (a KV cache updated in place: the same tensor as an input, see stream.ts).
   */
  async run(feeds: Readonly<Record<string, RtTensor>>, outputs?: Readonly<Record<string, RtTensor | null>>): Promise<Record<string, RtTensor>> {
    try {
      const f = feeds as Record<string, ort.Tensor>;
      return (await (outputs ? this.session.run(f, outputs as Record<string, ort.Tensor | null>) : this.session.run(f))) as Record<string, RtTensor>;
    } catch (cause) {
      throw new Error(`onnxruntime failed running the ${this.label} graph: ${message(cause)}`, { cause });
    }
  }

  /** Ends profiling and returns the path of the JSON trace onnxruntime wrote (see RtSessionOptions.profile). */
  endProfiling(): string {
    if (!this.profilePrefix) throw new Error(`Internal error: the ${this.label} session was not created with profiling`);
    this.session.endProfiling();
    const dir = dirname(this.profilePrefix);
    const base = basename(this.profilePrefix);
    const file = readdirSync(dir).filter((f) => f.startsWith(base)).sort().pop();
    if (!file) throw new Error(`onnxruntime wrote no profile for the ${this.label} graph`);
    return join(dir, file);
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** A host tensor over `data` (no copy on the CPU EP). */
export function tensor(dtype: DType, data: HostData, dims: readonly number[]): RtTensor {
  return new ort.Tensor(dtype, data as never, dims);
}

/**
 * A host tensor's data. Throws for device-resident tensors: calling getData() on a WebGPU gpu-buffer tensor aborts
 * the whole process in onnxruntime-node 1.30, so those are read back through a CPU-output session instead.
 */
export function hostData<T extends HostData = Float32Array>(t: RtTensor): T {
  if (t.location !== 'cpu') throw new Error(`Internal error: reading a ${t.location} tensor on the host`);
  return t.data as unknown as T;
}

/** A scalar float read from a host tensor. */
export function hostScalar(t: RtTensor): number {
  const v = hostData<Float32Array | Float64Array>(t)[0];
  if (v === undefined) throw new Error('Internal error: empty scalar tensor');
  return v;
}

/** Backends bundled with this onnxruntime-node build (what it was compiled with, not what works here). */
export function bundledBackends(): { name: string; bundled: boolean }[] {
  return ort.listSupportedBackends().map((b) => ({ name: b.name, bundled: b.bundled }));
}

/** The onnxruntime-node version actually loaded. */
export function loadedVersion(): string {
  return ort.env.versions.common ?? 'unknown';
}
