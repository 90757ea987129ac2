/**
 * `watch`: re-plans and reruns on every save of the pipeline file or a file its params name. Changes are debounced;
 * a change during a run cancels that run (its finished nodes are already cached, and nodes with a resume directory
 * pick up where they stopped) and starts the next one. A save that leaves the pipeline invalid is reported and the
 * watcher waits for the next save. chokidar is loaded lazily.
 */
import type { RunSummary } from './execute.js';
import type { LoadResult } from './load.js';
import type { Pipeline } from './pipeline.js';

export interface WatchOptions {
  readonly load: () => LoadResult;
  readonly run: (pipeline: Pipeline, signal: AbortSignal) => Promise<RunSummary>;
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
  let current: { controller: AbortController; done: Promise<unknown> } | undefined;
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
    if (current !== undefined) {
      current.controller.abort(new Error('superseded by a newer save'));
      await current.done;
      current = undefined;
    }
    if (paths.length > 0) opts.onChange?.(paths);
    const result = first ?? opts.load();
    first = undefined;
    sync(result.files);
    if (result.pipeline === undefined) {
      await opts.onInvalid(result);
      opts.onIdle?.([...watched]);
      return;
    }
    const controller = new AbortController();
    const done = opts
      .run(result.pipeline, controller.signal)
      .catch(() => undefined)
      .finally(() => {
        if (!controller.signal.aborted) opts.onIdle?.([...watched]);
      });
    current = { controller, done };
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
  if (current !== undefined) {
    current.controller.abort(opts.signal.reason);
    await current.done;
  }
  await watcher.close();
}
