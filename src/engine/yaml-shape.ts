/**
 * Shapes of a parsed pipeline that YAML allows but a pipeline never needs, refused with a location before anything
 * walks the value recursively: keys that are lists or mappings (JSON has no such keys; they would be stringified)
 * and nesting deeper than MAX_DEPTH (schema checks, canonical JSON and structured clones recurse). The walk is
 * iterative, so any depth is safe here. Also names the parser's own stack overflow on absurd nesting plainly.
 */
import { isMap, isScalar, isSeq } from 'yaml';
import type { Node as YamlNode } from 'yaml';
import type { Diagnostic } from './diagnostics.js';
import { at } from './source-map.js';
import type { YamlSource } from './source-map.js';

/** How deep a pipeline may nest mappings and lists (real ones use under ten levels). */
export const MAX_DEPTH = 100;

/** Diagnostics for list/mapping keys and for the first node nested deeper than MAX_DEPTH. */
export function shapeProblems(source: YamlSource): Diagnostic[] {
  const out: Diagnostic[] = [];
  const stack: [unknown, number][] = [[source.doc.contents, 0]];
  const seen = new Set<unknown>();
  const where = (n: YamlNode) => at(source, n.range?.[0] ?? 0, n.range?.[1] ?? 1);
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (seen.has(node)) continue; // an alias repeats a node: walked once
    seen.add(node);
    if (!isMap(node) && !isSeq(node)) continue;
    if (depth > MAX_DEPTH) {
      out.push({ code: 'schema', message: `nesting too deep for a pipeline (more than ${MAX_DEPTH} levels)`, location: where(node) });
      break;
    }
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isScalar(pair.key) && (isMap(pair.key) || isSeq(pair.key))) {
          out.push({ code: 'schema', message: 'a key must be a plain value (a name), not a list or a mapping', location: where(pair.key) });
        }
        stack.push([pair.value, depth + 1]);
      }
    } else {
      for (const item of node.items) stack.push([item, depth + 1]);
    }
  }
  return out;
}

/** The parser's (or its value builder's) stack overflow on absurd nesting, said plainly; other messages as they are. */
export function plainNestingMessage(d: Diagnostic): Diagnostic {
  return /Maximum call stack/i.test(d.message) ? { ...d, code: 'schema', message: `nesting too deep for a pipeline (at most ${MAX_DEPTH} levels)` } : d;
}
