/**
 * `watch`: re-plans and reruns on every save of the pipeline file or a file its params name. Changes are debounced.
 * A valid save during a run supersedes it: running nodes whose cache key the new plan still needs keep running (the
 * new run waits for them and takes their result from the cache); the others are cancelled, and nothing more of the
 * old run starts. A save that leaves the pipeline invalid is reported, the current run goes on, and the watcher
 * waits for the next save. chokidar is loaded lazily.
 */
import type { RunControl, RunSummary } from './execute.js';
import { planPipeline } from './plan.js';
import type { LoadResult } from './load.js';
import type { Pipeline } from './pipeline.js';

export interface WatchOptions {
  readonly load: () => LoadResult;
  readonly run: (pipeline: Pipeline, signal: AbortSignal, onControl: (c: RunControl) => void) => Promise<RunSummary>;
  readonly onInvalid: (result: LoadResult) => void | Promise<void>;
  readonly onChange?: (paths: readonly string[]) => void;
  readonly onIdle?: (watching: readonly string[]) => void;
  readonly debounceMs?: number;
  /** Stops watching (and cancels a run in progress). */
  readonly signal: AbortSignal;
}

/** Watches until `signal` aborts. */
export async function watchPipeline(opts: WatchOptions): Promise<void> {
  const { watch } = await import('chokidar');
  // chokidar only reports 'ready' for a non-empty watch list, so the first load picks the initial files.
  let first: LoadResult | undefined = opts.load();
  const watched = new Set<string>(first.files);
  const watcher = watch([...watched], { ignoreInitial: true, atomic: true });
  let current: { controller: AbortController; done: Promise<unknown>; control?: RunControl } | undefined;
  const retired: { controller: AbortController; done: Promise<unknown> }[] = [];
  let queue: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let changed = new Set<string>();

  const sync = (files: readonly string[]): void => {
    const add = files.filter((f) => !watched.has(f));
    for (const f of add) watched.add(f);
    if (add.length > 0) watcher.add(add);
  };

  const cycle = async (paths: readonly string[]): Promise<void> => {
    if (opts.signal.aborted) return;
    if (paths.length > 0) opts.onChange?.(paths);
    const result = first ?? opts.load();
    first = undefined;
    sync(result.files);
    if (result.pipeline === undefined) {
      await opts.onInvalid(result);
      if (current === undefined) opts.onIdle?.([...watched]);
      return;
    }
    if (current !== undefined) {
      // Keep what the new plan still needs (known keys of nodes that will run); cancel the rest.
      const keep = new Set(planPipeline(result.pipeline).flatMap((i) => (i.status === 'run' && i.key !== undefined ? [i.key] : [])));
      current.control?.supersede(keep);
      retired.push(current);
      current = undefined;
    }
    const controller = new AbortController();
    const entry: { controller: AbortController; done: Promise<unknown>; control?: RunControl } = { controller, done: Promise.resolve() };
    entry.done = opts
      .run(result.pipeline, controller.signal, (c) => (entry.control = c))
      .catch(() => undefined)
      .finally(() => {
        if (current === entry) {
          current = undefined;
          opts.onIdle?.([...watched]);
        }
      });
    current = entry;
  };

  const schedule = (path: string): void => {
    changed.add(path);
    clearTimeout(timer);
    timer = setTimeout(() => {
      const paths = [...changed];
      changed = new Set();
      queue = queue.then(() => cycle(paths));
    }, opts.debounceMs ?? 200);
  };
  watcher.on('all', (_event, path) => schedule(path));

  await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  queue = queue.then(() => cycle([]));
  await new Promise<void>((resolve) => {
    if (opts.signal.aborted) resolve();
    else opts.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  clearTimeout(timer);
  await queue;
  for (const r of [...retired, ...(current ? [current] : [])]) r.controller.abort(opts.signal.reason);
  await Promise.all([...retired, ...(current ? [current] : [])].map((r) => r.done));
  await watcher.close();
}
