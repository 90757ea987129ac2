import { encodeModel } from '../onnx/encode.js';
import { Graph } from '../onnx/graph.js';
import type { DType } from '../onnx/types.js';
import type { Provider } from '../types.js';
import type { RtSession, RtTensor } from './ort.js';

type Rt = typeof import('./ort.js');

/**
 * Moves tensors between host and device with Identity sessions: on WebGPU an output kept on the GPU
 * (`gpu-buffer`) can be fed to later runs, and is read back by passing it to a session whose outputs are on the
 * CPU — never with getData(), which aborts the process in onnxruntime-node 1.30. On the CPU EP both are no-ops.
 */
export class DeviceMover {
  private readonly sessions = new Map<string, RtSession>();

  constructor(
    private readonly rt: Rt,
    readonly provider: Provider,
  ) {}

  /** True when tensors can stay resident on a device between runs. */
  get resident(): boolean {
    return this.provider === 'webgpu';
  }

  private async session(dtype: DType, dims: readonly number[], toDevice: boolean): Promise<RtSession> {
    const key = `${toDevice ? 'up' : 'down'}|${dtype}|${dims.join('x')}`;
    const hit = this.sessions.get(key);
    if (hit) return hit;
    const g = new Graph();
    g.output(g.input('x', dtype, dims), 'y');
    const s = await this.rt.RtSession.create(encodeModel(g), {
      provider: this.provider,
      gpuOutputs: toDevice ? ['y'] : [],
      label: toDevice ? 'upload' : 'readback',
    });
    this.sessions.set(key, s);
    return s;
  }

  /** A device-resident copy of a host tensor (the host tensor itself on the CPU EP). */
  async upload(t: RtTensor, dtype: DType): Promise<RtTensor> {
    if (!this.resident || t.location !== 'cpu') return t;
    const s = await this.session(dtype, t.dims, true);
    return (await s.run({ x: t }))['y'] as RtTensor;
  }

  /** Host data of a tensor wherever it lives. */
  async download(t: RtTensor, dtype: DType): Promise<Float32Array> {
    if (t.location === 'cpu') return this.rt.hostData<Float32Array>(t);
    const s = await this.session(dtype, t.dims, false);
    return this.rt.hostData<Float32Array>((await s.run({ x: t }))['y'] as RtTensor);
  }

  async release(): Promise<void> {
    for (const s of this.sessions.values()) await s.release();
    this.sessions.clear();
  }
}
