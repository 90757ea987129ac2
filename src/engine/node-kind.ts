/**
 * The node-kind interface: the only thing the engine knows about the work it schedules.
 * Node libraries (src/nodes) implement it; the engine never imports them (the CLI wires them in).
 */

/** A JSON Schema (draft 2020-12 subset that ajv understands). */
export type JsonSchema = Readonly<Record<string, unknown>>;

/** Progress of a long node, shown by the terminal UI and in plain-line mode. */
export interface ProgressUpdate {
  readonly done: number;
  readonly total?: number;
  /** What is counted: 'steps', 'episodes', 'rows', … */
  readonly unit?: string;
  readonly message?: string;
}

/** What a running node sees. Everything it writes goes through here, so the engine can hash, publish and record it. */
export interface NodeContext<P = Record<string, unknown>> {
  /** Node instance id, after matrix expansion (e.g. `train[seed=1]`). */
  readonly id: string;
  /**
   * The run executing this node (the run being audited, under `pipe audit`). Not part of the cache key: a cached
   * output keeps naming the run that produced it.
   */
  readonly runId?: string;
  /** Resolved, schema-validated params. File params hold absolute paths. */
  readonly params: P;
  /** A uint32 derived from (pipeline seed, node id, params). Seed every RNG from it; never use Math.random. */
  readonly seed: number;
  /** Input name → absolute path of the input artifact (a file or a directory). Treat as read-only. */
  readonly inputs: Readonly<Record<string, string>>;
  /** Absolute path where output `name` must be written (a file or a directory); its parent exists. */
  output(name: string): string;
  /** The declared output names (what `output()` accepts). Always set by the engine. */
  readonly outputNames?: readonly string[];
  /**
   * A fresh, empty scratch directory on the store's filesystem, deleted after the attempt (e.g. exec's working
   * directory). Always set by the engine.
   */
  readonly workDir?: string;
  /**
   * A directory that survives a crash or kill of this node and is reused by the next attempt with the same
   * cache key (for resumable checkpoints). The engine deletes it once the node succeeds.
   */
  readonly resumeDir: string;
  /**
   * CPU slots the scheduler reserved for this node (its `resources.cpu`). Multi-threaded nodes size their thread pools
   * to it, so concurrent nodes never oversubscribe the cores. Always set by the engine.
   */
  readonly cpus?: number;
  /** Aborted when the run is cancelled (SIGINT, a superseding watch rerun, a failed sibling without --keep-going). */
  readonly signal: AbortSignal;
  progress(update: ProgressUpdate): void;
  log(message: string): void;
  /** One row of the `metrics` view: (name, value, step). */
  metric(name: string, value: number, step?: number): void;
  /** Rows of a named table (e.g. `episodes`), queryable with `pipe query` as a view of the same name. */
  record(table: string, rows: readonly Readonly<Record<string, unknown>>[]): void;
}

/** A mistake in a node's params found by `NodeKind.checkParams`: where (a path into params) and what. */
export interface ParamProblem {
  /** Path of the offending value inside params, e.g. ['splits', 2, 'promptVocab', 1]. */
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/**
 * What a node needs while it runs: slots the scheduler never oversubscribes (`cpu`, `gpu`), and limits a batch
 * system enforces (`mem`, `time`: SLURM's `--mem` and `--time`; the local executor and the worker pool ignore them).
 */
export interface Resources {
  readonly cpu?: number;
  readonly gpu?: number;
  /** Memory, as SLURM writes it: "4G", "512M" (a bare number is megabytes). */
  readonly mem?: string;
  /** Wall-time limit: minutes, or a duration such as "90m", "2h", "1d12h". */
  readonly time?: number | string;
}

/** A node's resources with the slot defaults applied. */
export type NodeResources = Resources & { readonly cpu: number; readonly gpu: number };

/** A reusable kind of node, e.g. `exec`, `sokoban.levels`, `train.sft`. */
export interface NodeKind<P = any> {
  readonly kind: string;
  /** One line for `pipe ls` and error hints. */
  readonly description: string;
  /** `import.meta.url` of the defining module: its source and transitive local imports form the implementation hash. */
  readonly module: string;
  /** JSON Schema of `params` (additionalProperties: false, so unknown params are reported). */
  readonly params: JsonSchema;
  /** Declared input names; '*' accepts any name (e.g. exec). */
  readonly inputs: readonly string[] | '*';
  /** Inputs that may be left unwired. */
  readonly optionalInputs?: readonly string[];
  /** Inputs of which exactly one must be wired (alternatives, e.g. a Sokoban or a General Points evaluation set). */
  readonly oneOfInputs?: readonly string[];
  /** Declared output names; '*' means the pipeline declares them with `outputs:`. */
  readonly outputs: readonly string[] | '*';
  /**
   * What each input must hold, in a few words (`'Parquet: prompt, response (strings)'`): shown by `pipe ls --kinds`
   * and named by the kind's errors when an input is not in that format. An input wired to an output whose kind
   * declares another format is refused at load (the same words, or these words beginning with the output's).
   */
  readonly inputFormats?: Readonly<Record<string, string>>;
  /** What each output holds, in a few words (`'JSONL, one level per line'`), for `pipe ls --kinds`. */
  readonly outputFormats?: Readonly<Record<string, string>>;
  /** Dotted param paths whose values name files: their contents are hashed into the key and `watch` watches them. */
  readonly fileParams?: readonly string[];
  /** Like `fileParams`, but the value may also name a folder (e.g. a model folder), hashed by its files' contents. */
  readonly folderParams?: readonly string[];
  readonly resources?: Resources;
  /**
   * Run in a child process of its own (CPU-heavy kinds): nodes otherwise share the engine's one JavaScript thread, so
   * concurrent CPU-bound nodes would take turns. The child imports `module`, so it must export this kind; params,
   * inputs and everything the node reports cross a structured-clone channel. TypeScript sources run in-process.
   */
  readonly isolate?: boolean;
  /**
   * Set when reruns may legitimately differ (e.g. GPU float reductions): `pipe audit` then compares by this
   * relative tolerance on numeric metrics instead of bytes.
   */
  readonly nondeterministic?: { readonly tolerance: number };
  /**
   * The kind describes the pipeline around it (e.g. a report): its params gain `$pipeline`, a `PipelineContext`,
   * which is part of its cache key.
   */
  readonly wantsPipeline?: boolean;
  /** Runtime facts that change results (e.g. onnxruntime version, execution provider); part of the cache key. */
  fingerprint?(params: P): Readonly<Record<string, string>>;
  /**
   * Checks a JSON Schema cannot express (e.g. four distinct words, a name that shadows a built-in), run on
   * schema-valid params when the pipeline is loaded, so the mistake is reported at its place in the file before
   * anything runs. Returns one problem per mistake (empty when the params are fine).
   */
  checkParams?(params: P): readonly ParamProblem[];
  /**
   * Checks the files and folders its params name, given params with those paths resolved (absolute): e.g. that a
   * model folder is complete and readable. Runs while the pipeline loads, before anything is hashed or run; each
   * problem is reported at its param (a message that names the file at fault and, where it helps, what to do).
   */
  checkFiles?(params: P): readonly ParamProblem[];
  run(ctx: NodeContext<P>): Promise<void>;
}

/** What a `wantsPipeline` kind is told about its pipeline (in `params.$pipeline`). */
export interface PipelineContext {
  /** The pipeline file, relative to the working directory it was loaded from. */
  readonly file: string;
  readonly name: string;
  /** `--set` overrides as typed (`eval.temperature=0.5`). */
  readonly overrides: readonly string[];
  /** The git commit checked out where the pipeline file lives (null outside git). */
  readonly commit: string | null;
  /** Every instance upstream of this one: id, kind, params as hashed (file params as `{ $file, sha256 }`), axes. */
  readonly instances: readonly {
    readonly id: string;
    readonly kind: string;
    readonly params: Readonly<Record<string, unknown>>;
    readonly binding: Readonly<Record<string, unknown>>;
  }[];
}

/**
 * A library view: SQL text, or SQL built from the comparison columns the store has (matrix axes and `--set` paths,
 * as columns of `instance_axes`), so a view can group by them.
 */
export type LibraryView = string | ((axes: readonly string[]) => string);

/** A set of node kinds plus SQL views over the tables they record (e.g. `eval_summary` over `episodes`). */
export interface NodeLibrary {
  readonly kinds: readonly NodeKind[];
  /** View name → SQL over the engine's views and recorded tables. */
  readonly views?: Readonly<Record<string, LibraryView>>;
}
