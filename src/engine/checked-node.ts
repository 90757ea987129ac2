/** A pipeline node after its own checks (kind, params, outputs, input names), before expansion. */
import type { NodeKind, NodeResources } from './node-kind.js';

/**
 * An input reference as written: `node.output`, `node[*].output` to gather every matrix instance, or
 * `node[axis=value,…].output` to select instances by axis values (see input-ref.ts).
 */
export interface RawRef {
  readonly node: string;
  readonly output: string;
  readonly gather: boolean;
  /** Axis → value as printed in instance ids, for a selecting reference. */
  readonly select?: Readonly<Record<string, string>>;
}

export interface Checked {
  readonly id: string;
  readonly kind: NodeKind;
  readonly params: Record<string, unknown>;
  readonly matrix: readonly (readonly [string, readonly unknown[]])[];
  readonly inputs: Readonly<Record<string, RawRef>>;
  readonly outputs: readonly string[];
  readonly resources: NodeResources;
  readonly priority?: number;
}

/**
 * What the whole-graph checks see of every node with a valid id, whether or not its own checks passed: the input
 * references as written (edges), its outputs when its kind is known (undefined: cannot be checked), and the formats
 * its kind declares for inputs and outputs.
 */
export interface GraphNode {
  readonly id: string;
  readonly refs: Readonly<Record<string, RawRef>>;
  readonly outputs?: readonly string[];
  readonly inputFormats?: Readonly<Record<string, string>>;
  readonly outputFormats?: Readonly<Record<string, string>>;
}
