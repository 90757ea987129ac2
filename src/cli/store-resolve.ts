/**
 * Which store a store-only command (`query`, `ls`, `show`, `gc`) reads when no pipeline file is given, so that
 * `pipe run pipelines/x.yaml` followed by `pipe query "…"` from the same directory just works. The rule (shown in
 * each command's help as STORE_HELP):
 *   1. `--store DIR`;
 *   2. `--pipeline FILE`: that pipeline's store (its `store:` field, relative to the file; default artifacts/ beside it);
 *   3. ./artifacts, if it is a store;
 *   4. the stores of the pipeline files in ./ and ./pipelines/ that exist (the most recently run one if several);
 *   otherwise an error asking for --store or --pipeline. A store found by 4 is named on stderr (`using store …`), so
 *   the choice is never silent. There is deliberately no global "last used store": it would leak between projects
 *   (and from test runs) and make the same command mean different things.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** The rule, for the commands' --help. */
export const STORE_HELP = `Store: --store DIR, or --pipeline FILE (that pipeline's store: its 'store:' field, relative to the file,
default artifacts/ beside it). Without either: ./artifacts if it is a store; else the store of the pipelines in ./
and ./pipelines/ (the most recently run one if there are several), named on stderr as "using store …".
`;

/** Where the store came from. */
export type StoreSource = 'flag' | 'pipeline' | 'cwd' | 'found';

export type StoreChoice = { readonly dir: string; readonly source: StoreSource } | { readonly error: string };

/** A directory written by the engine's `Store` (records or objects present). */
export function isStore(dir: string): boolean {
  return existsSync(join(dir, 'meta')) || existsSync(join(dir, 'objects'));
}

/**
 * The store a pipeline file names, resolved exactly as the loader does (relative to the file), without validating
 * the pipeline. Throws with a readable message if the file cannot be read or parsed.
 */
export async function pipelineStore(file: string): Promise<string> {
  return (await pipelineHeader(file)).store;
}

/**
 * A pipeline file's store (resolved as the loader does) and name, read without validating the pipeline (so bounded
 * like the loader: a regular file, no alias bomb). Throws with a readable one-line message.
 */
export async function pipelineHeader(file: string): Promise<{ readonly store: string; readonly name?: string }> {
  const abs = resolve(file);
  const { readPipelineFile } = await import('../engine/pipeline-file.js');
  const read = readPipelineFile(abs);
  if ('error' in read) throw new Error(`cannot read pipeline ${file}: ${read.error}`);
  const { parse } = await import('yaml');
  let top: unknown;
  try {
    top = parse(read.text, { maxAliasCount: 1000 });
  } catch (e) {
    throw new Error(`cannot parse pipeline ${file}: ${String((e as Error).message).split('\n')[0]}`);
  }
  const { store, name } = typeof top === 'object' && top !== null ? (top as { store?: unknown; name?: unknown }) : {};
  return { store: resolve(dirname(abs), typeof store === 'string' ? store : 'artifacts'), ...(typeof name === 'string' ? { name } : {}) };
}

/** Pipeline files directly in `dir` (YAML files with a top-level `nodes:` line). */
function pipelineFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => /\.ya?ml$/.test(n))
    .map((n) => join(dir, n))
    .filter((f) => {
      try {
        return statSync(f).isFile() && statSync(f).size < 1 << 24 && /^nodes\s*:/m.test(readFileSync(f, 'utf8'));
      } catch {
        return false;
      }
    });
}

function lastRunTime(store: string): number {
  try {
    return statSync(join(store, 'meta', 'runs.jsonl')).mtimeMs;
  } catch {
    return 0;
  }
}

/** Applies the rule above from `cwd`. */
export async function resolveStore(opts: { readonly store?: string; readonly pipeline?: string; readonly cwd?: string }): Promise<StoreChoice> {
  const cwd = opts.cwd ?? process.cwd();
  if (opts.store !== undefined) return { dir: resolve(cwd, opts.store), source: 'flag' };
  if (opts.pipeline !== undefined) {
    try {
      return { dir: await pipelineStore(resolve(cwd, opts.pipeline)), source: 'pipeline' };
    } catch (e) {
      return { error: (e as Error).message };
    }
  }
  const here = resolve(cwd, 'artifacts');
  if (isStore(here)) return { dir: here, source: 'cwd' };
  const found = new Set<string>();
  for (const file of [...pipelineFiles(cwd), ...pipelineFiles(join(cwd, 'pipelines'))]) {
    try {
      const dir = await pipelineStore(file);
      if (isStore(dir)) found.add(dir);
    } catch {
      /* not a pipeline we can read: ignore */
    }
  }
  if (found.size > 0) {
    const [best] = [...found].sort((a, b) => lastRunTime(b) - lastRunTime(a));
    return { dir: best as string, source: 'found' };
  }
  return { error: `no pipe store found from ${cwd} (run a pipeline first, or pass --store DIR or --pipeline FILE)` };
}

/** A store path as shown to people: relative to `cwd` when inside it. */
export function showStore(dir: string, cwd: string = process.cwd()): string {
  const rel = relative(cwd, dir);
  return rel === '' ? '.' : rel.startsWith('..') ? dir : rel;
}

/**
 * For a command: the chosen store directory, with `using store …` on stderr when it was found rather than given;
 * undefined after printing `pipe <command>: …` when there is none (the command exits 2).
 */
export async function storeFor(
  command: string,
  opts: { readonly store?: string | undefined; readonly pipeline?: string | undefined; readonly cwd?: string | undefined },
  err: (text: string) => void,
): Promise<string | undefined> {
  const cwd = opts.cwd ?? process.cwd();
  const choice = await resolveStore({ ...(opts.store !== undefined ? { store: opts.store } : {}), ...(opts.pipeline !== undefined ? { pipeline: opts.pipeline } : {}), cwd });
  if ('error' in choice) {
    err(`pipe ${command}: ${choice.error}\n`);
    return undefined;
  }
  if (choice.source === 'found') err(`using store ${showStore(choice.dir, cwd)}\n`);
  return choice.dir;
}

/** `--pipeline` of `show` and `keep` when it names an existing pipeline file (.yaml/.yml), else undefined (a name). */
export function pipelineFileOf(value: string | undefined, cwd: string): string | undefined {
  return value !== undefined && /\.ya?ml$/.test(value) && existsSync(resolve(cwd, value)) ? value : undefined;
}

/**
 * The pipeline name `--pipeline` selects (`name` undefined: any pipeline): the stored name given, or the name in the
 * header of the pipeline file (`file`, from pipelineFileOf). Undefined when that header cannot be read (printed).
 */
export async function selectedPipelineName(
  command: string,
  value: string | undefined,
  file: string | undefined,
  cwd: string,
  err: (text: string) => void,
): Promise<{ readonly name?: string | undefined } | undefined> {
  if (file === undefined) return { name: value };
  try {
    return { name: (await pipelineHeader(resolve(cwd, file))).name };
  } catch (e) {
    err(`pipe ${command}: ${(e as Error).message}\n`);
    return undefined;
  }
}
