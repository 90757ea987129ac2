/**
 * The implementation hash of a node kind: its module plus every module it reaches through relative imports
 * (static `import … from './x.js'`, `export … from`, bare `import './x.js'` and dynamic `import('./x.js')`).
 * Editing a node's code (or a local helper it uses) changes its cache key; editing unrelated code does not.
 * Package imports are covered by the runtime fingerprint instead. Results are cached per process.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sha256 } from './hash.js';

/** The hash and the per-file hashes (project-relative paths), kept so `plan` can say which file changed. */
export interface ImplHash {
  readonly hash: string;
  readonly files: Readonly<Record<string, string>>;
}

const IMPORT_RE =
  /\b(import|export)(\s+type\b)?\s*(?:[\w*{}\s,$]*?\s*from\s*|\(\s*)?(['"])(\.{1,2}\/[^'"]+)\3/g;

/**
 * Relative specifiers a module imports at run time. Type-only imports (`import type`, `export type … from`) are
 * skipped: they are erased at compile time, so editing a shared type file must not invalidate every cache entry.
 */
export function localImports(source: string): string[] {
  const specs: string[] = [];
  for (const m of source.matchAll(IMPORT_RE)) if (m[2] === undefined) specs.push(m[4] as string);
  return specs;
}

/** Resolves a `.js` specifier to the file that exists: the `.ts` source when running from source, else `.js`. */
function resolveSpecifier(fromFile: string, spec: string): string | undefined {
  const target = resolve(dirname(fromFile), spec);
  const candidates = fromFile.endsWith('.ts')
    ? [target.replace(/\.js$/, '.ts'), target, `${target}.ts`, resolve(target, 'index.ts')]
    : [target, target.replace(/\.ts$/, '.js'), `${target}.js`, resolve(target, 'index.js')];
  return candidates.find((c) => existsSync(c) && !c.endsWith('/'));
}

/** The project root (the nearest ancestor with a package.json), used to print stable relative paths. */
function projectRoot(file: string): string {
  let dir = dirname(file);
  for (;;) {
    if (existsSync(resolve(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return dirname(file);
    dir = parent;
  }
}

const cache = new Map<string, ImplHash>();

/** Hashes a module URL (a node kind's `module`) and its transitive local imports; cached per process. */
export function implementationHash(moduleUrl: string): ImplHash {
  const hit = cache.get(moduleUrl);
  if (hit !== undefined) return hit;
  const result = hashModuleTree(moduleUrl);
  cache.set(moduleUrl, result);
  return result;
}

/** The uncached computation behind `implementationHash` (files are read now). */
export function hashModuleTree(moduleUrl: string): ImplHash {
  const entry = moduleUrl.startsWith('file:') ? fileURLToPath(moduleUrl) : moduleUrl;
  if (!existsSync(entry)) throw new Error(`Internal error: node module ${moduleUrl} not found`);
  const root = projectRoot(entry);
  const files: Record<string, string> = {};
  const seen = new Set<string>();
  const stack = [entry];
  while (stack.length > 0) {
    const file = stack.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    files[relative(root, file)] = sha256(source);
    for (const spec of localImports(source)) {
      const dep = resolveSpecifier(file, spec);
      if (dep !== undefined && !seen.has(dep)) stack.push(dep);
    }
  }
  const sorted = Object.fromEntries(Object.entries(files).sort(([a], [b]) => (a < b ? -1 : 1)));
  return { hash: sha256(JSON.stringify(sorted)), files: sorted };
}

/**
 * A cheap identity for a registry module (e.g. a node library's index): its own source plus that of the modules it
 * imports directly, where kinds are registered or removed. Not transitive (kinds' own code is checked separately).
 */
export function registryHash(moduleUrl: string): string {
  const entry = fileURLToPath(moduleUrl);
  const source = readFileSync(entry, 'utf8');
  const parts = [sha256(source)];
  for (const spec of localImports(source)) {
    const dep = resolveSpecifier(entry, spec);
    if (dep !== undefined) parts.push(`${spec}:${sha256(readFileSync(dep))}`);
  }
  return sha256(parts.join('\n'));
}
