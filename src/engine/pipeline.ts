/** The resolved pipeline: what the loader produces and the planner, scheduler and commands consume. */
import type { NodeKind, NodeResources } from './node-kind.js';

/**
 * A reference from one instance's input to another instance's output. With `gather` (written `node[*].output`),
 * the input is a directory with one entry per instance of `node`, named by its matrix values (`seed=1`), and
 * `node` is the YAML id.
 */
export interface InputRef {
  readonly node: string;
  readonly output: string;
  readonly gather?: readonly { readonly label: string; readonly node: string }[];
}

/** One schedulable node instance (after matrix expansion). */
export interface NodeInstance {
  /** Instance id: the YAML id, plus `[axis=value,…]` when expanded by a matrix. */
  readonly id: string;
  /** The id in the YAML file. */
  readonly baseId: string;
  readonly kind: NodeKind;
  /** Params handed to the node: schema defaults applied, file params as absolute paths. */
  readonly params: Readonly<Record<string, unknown>>;
  /** Params as hashed into the key: file params replaced by `{ $file, sha256 }` (location-independent). */
  readonly keyParams: Readonly<Record<string, unknown>>;
  readonly inputs: Readonly<Record<string, InputRef>>;
  readonly outputs: readonly string[];
  readonly resources: NodeResources;
  /**
   * The file's `priority`, raised to the highest of any node downstream (priority.ts); absent: 0. Higher gets a free
   * slot first, and above 0 holds its slots back from lower nodes until it starts. Not in the key.
   */
  readonly priority?: number;
  readonly seed: number;
  /** Matrix axis values that produced this instance (inherited and own). */
  readonly binding: Readonly<Record<string, unknown>>;
  /** `--set` values applied to this instance or any instance upstream, by `node.param.path`. */
  readonly overrides: Readonly<Record<string, unknown>>;
  /** Absolute paths of the files its params name (watched by `pipe watch`). */
  readonly files: readonly string[];
}

/** A validated pipeline, instances in a topological order (declaration order where the DAG allows). */
export interface Pipeline {
  readonly name: string;
  /** Absolute path of the YAML file. */
  readonly file: string;
  readonly seed: number;
  /** Absolute store directory (from `store:` or the default `artifacts/` beside the file). */
  readonly store: string;
  readonly instances: readonly NodeInstance[];
}
