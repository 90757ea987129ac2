import { create, toBinary } from '@bufbuild/protobuf';
import {
  AttributeProto_AttributeType,
  ModelProtoSchema,
  type AttributeProto,
  type NodeProto,
  type TensorProto,
  type ValueInfoProto,
} from 'onnx-buf';
import type { Graph } from './graph.js';
import type { Attr, ConstData, Node, Value } from './types.js';
import { dtypeCode } from './types.js';

/** The opset every pipe graph targets (reductions take axes as inputs; LayerNormalization is standard). */
export const OPSET = 18;

/**
 * The opset of graphs that use ONNX's Attention (opset 23; only graphs built with `cpuOnly`: onnxruntime's CPU EP runs
 * it in one kernel). Every other op the builder emits means the same at 18 and 23 (later versions only add types).
 */
export const ATTENTION_OPSET = 23;

/** Optional outputs that are left unnamed (not computed) when nothing reads them, by op. */
const OMITTABLE_OUTPUTS: Readonly<Record<string, readonly number[]>> = {
  Attention: [1, 2, 3],
  SimplifiedLayerNormalization: [1],
  SkipLayerNormalization: [1, 2, 3],
  SkipSimplifiedLayerNormalization: [1, 2, 3],
};

/**
 * Ops of onnxruntime's com.microsoft contrib domain: FusedMatMul (only in graphs built with `cpuOnly`) and the fused
 * decode graph's (models/fused-decode.ts), which have CPU and WebGPU kernels.
 */
export const CONTRIB_OPS: ReadonlySet<string> = new Set([
  'FusedMatMul',
  'GroupQueryAttention',
  'SkipLayerNormalization',
  'SkipSimplifiedLayerNormalization',
  'Gelu',
  'QuickGelu',
  'RotaryEmbedding',
  'MultiHeadAttention',
]);

/** Extra initializers: values that become constants in this particular model (e.g. weights of an inference model). */
export type Bindings = ReadonlyMap<number, ConstData>;

/**
 * Encodes a graph as a serialized ONNX ModelProto. Only nodes that some output depends on are emitted; graph inputs
 * listed in `bind` become initializers instead (that is how a checkpoint bakes its weights into a plain model).
 */
export function encodeModel(g: Graph, opts: { name?: string; bind?: Bindings } = {}): Uint8Array {
  const bind = opts.bind ?? new Map<number, ConstData>();
  const live = liveNodes(g);
  // Output values take their output's name everywhere they appear.
  const rename = new Map<number, string>(g.outputs.map((o) => [o.value.id, o.name]));
  const nameOf = (v: Value): string => rename.get(v.id) ?? v.name;
  const used = new Set<number>();
  for (const n of live) for (const v of n.inputs) if (v) used.add(v.id);
  for (const o of g.outputs) used.add(o.value.id);
  const initializers: TensorProto[] = [];
  for (const [id, data] of g.constants) {
    if (!used.has(id)) continue;
    const v = findValue(g, id, live);
    initializers.push(tensorProto(v, data));
  }
  const inputs: ValueInfoProto[] = [];
  for (const v of g.inputs) {
    const data = bind.get(v.id);
    if (data !== undefined) initializers.push(tensorProto(v, data));
    else inputs.push(valueInfo(v));
  }
  const attention = live.some((n) => n.op === 'Attention');
  if (attention && live.some((n) => n.op === 'RandomUniform')) {
    throw new Error('Internal error: a graph with Attention (opset 23) cannot use RandomUniform (no opset-23 kernel in onnxruntime 1.30)');
  }
  const model = create(ModelProtoSchema, {
    irVersion: 8n,
    producerName: 'pipe',
    opsetImport: [
      { domain: '', version: BigInt(attention ? ATTENTION_OPSET : OPSET) },
      ...(live.some((n) => CONTRIB_OPS.has(n.op)) ? [{ domain: 'com.microsoft', version: 1n }] : []),
    ],
    graph: {
      name: opts.name ?? 'pipe',
      node: live.map((n) => nodeProto(n, nameOf, used)),
      initializer: initializers,
      input: inputs,
      output: g.outputs.map((o) => valueInfo(o.value, o.name)),
    },
  });
  return toBinary(ModelProtoSchema, model);
}

/** The nodes that outputs depend on, in creation (topological) order. */
function liveNodes(g: Graph): Node[] {
  const needed = new Set<number>(g.outputs.map((o) => o.value.id));
  const keep: boolean[] = new Array(g.nodes.length).fill(false);
  for (let i = g.nodes.length - 1; i >= 0; i--) {
    const n = g.nodes[i] as Node;
    if (n.outputs.some((o) => needed.has(o.id))) {
      keep[i] = true;
      for (const v of n.inputs) if (v) needed.add(v.id);
    }
  }
  return g.nodes.filter((_, i) => keep[i]);
}

function findValue(g: Graph, id: number, live: readonly Node[]): Value {
  for (const n of live) for (const v of n.inputs) if (v && v.id === id) return v;
  for (const o of g.outputs) if (o.value.id === id) return o.value;
  throw new Error(`Internal error: constant ${id} not found`);
}

function valueInfo(v: Value, name = v.name): ValueInfoProto {
  return {
    name,
    type: {
      value: {
        case: 'tensorType',
        value: { elemType: dtypeCode[v.dtype], shape: { dim: v.shape.map((d) => ({ value: { case: 'dimValue', value: BigInt(d) } })) } },
      },
    },
  } as unknown as ValueInfoProto;
}

function tensorProto(v: Value, data: ConstData): TensorProto {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return {
    name: v.name,
    dims: v.shape.map((d) => BigInt(d)),
    dataType: dtypeCode[v.dtype],
    rawData: bytes,
  } as unknown as TensorProto;
}

function nodeProto(n: Node, nameOf: (v: Value) => string, used: ReadonlySet<number>): NodeProto {
  const omittable = OMITTABLE_OUTPUTS[n.op] ?? [];
  return {
    name: n.name,
    opType: n.op,
    domain: CONTRIB_OPS.has(n.op) ? 'com.microsoft' : '',
    input: n.inputs.map((v) => (v ? nameOf(v) : '')),
    output: n.outputs.map((v, i) => (omittable.includes(i) && !used.has(v.id) ? '' : nameOf(v))),
    attribute: Object.entries(n.attrs).map(([name, a]) => attributeProto(name, a)),
  } as unknown as NodeProto;
}

function attributeProto(name: string, a: Attr): AttributeProto {
  switch (a.kind) {
    case 'int': return { name, type: AttributeProto_AttributeType.INT, i: BigInt(a.value) } as unknown as AttributeProto;
    case 'float': return { name, type: AttributeProto_AttributeType.FLOAT, f: a.value } as unknown as AttributeProto;
    case 'ints': return { name, type: AttributeProto_AttributeType.INTS, ints: a.value.map((x) => BigInt(x)) } as unknown as AttributeProto;
    case 'floats': return { name, type: AttributeProto_AttributeType.FLOATS, floats: [...a.value] } as unknown as AttributeProto;
    case 'string': return { name, type: AttributeProto_AttributeType.STRING, s: new TextEncoder().encode(a.value) } as unknown as AttributeProto;
  }
}
