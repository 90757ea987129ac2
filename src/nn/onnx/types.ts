/** Element types the builder knows, named like onnxruntime-node's tensor types. */
export type DType = 'float32' | 'float64' | 'int64' | 'int32' | 'bool';

/** A tensor in a graph: produced by exactly one node, or a graph input or constant. Shapes are fully static. */
export interface Value {
  readonly id: number;
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
}

/** A typed ONNX attribute. */
export type Attr =
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'ints'; readonly value: readonly number[] }
  | { readonly kind: 'floats'; readonly value: readonly number[] }
  | { readonly kind: 'string'; readonly value: string };

/** One operator application. */
export interface Node {
  readonly name: string;
  readonly op: string;
  readonly inputs: readonly (Value | null)[];
  readonly outputs: readonly Value[];
  readonly attrs: Readonly<Record<string, Attr>>;
}

/** Typed array backing a constant of each dtype. */
export type ConstData = Float32Array | Float64Array | BigInt64Array | Int32Array | Uint8Array;

export const attr = {
  int: (value: number): Attr => ({ kind: 'int', value }),
  float: (value: number): Attr => ({ kind: 'float', value }),
  ints: (value: readonly number[]): Attr => ({ kind: 'ints', value }),
  floats: (value: readonly number[]): Attr => ({ kind: 'floats', value }),
  string: (value: string): Attr => ({ kind: 'string', value }),
} as const;

/** True for the floating dtypes (the only ones gradients flow through). */
export function isFloat(dtype: DType): boolean {
  return dtype === 'float32' || dtype === 'float64';
}

/** `[2,3]` — how shapes are printed in errors. */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}

/** ONNX TensorProto.DataType codes. */
export const dtypeCode: Readonly<Record<DType, number>> = { float32: 1, int32: 6, int64: 7, bool: 9, float64: 11 };

/** The dtype of an ONNX type code, or undefined for codes the builder does not use. */
export function dtypeOfCode(code: number): DType | undefined {
  return (Object.keys(dtypeCode) as DType[]).find((d) => dtypeCode[d] === code);
}
