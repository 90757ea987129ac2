/**
 * A parsed YAML document that remembers where every value came from, so a JSON path (from ajv or from the engine's
 * own checks) can be turned back into `file:line:col`.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Document, Node as YamlNode } from 'yaml';
import type { Diagnostic, SourceLocation } from './diagnostics.js';

/** A YAML file parsed with source ranges. */
export interface YamlSource {
  readonly file: string;
  readonly text: string;
  readonly doc: Document.Parsed;
  readonly lines: LineCounter;
}

/** A path into the document: map keys and sequence indexes. */
export type DocPath = readonly (string | number)[];

/** Aliases expanded before we refuse (a billion-laughs document expands exponentially). */
const MAX_ALIAS_COUNT = 1000;

/**
 * Parses YAML keeping ranges; returns the plain value and every syntax problem (duplicate keys included) as
 * diagnostics. An alias bomb is rejected by yaml's alias-expansion budget before it can allocate much.
 */
export function parseYaml(file: string, text: string): { source: YamlSource; value: unknown; diagnostics: Diagnostic[] } {
  const lines = new LineCounter();
  // yaml's own uniqueKeys check is quadratic in the size of a map (a 20,000-node pipeline took seconds); duplicate
  // keys are found below with one set per map instead.
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
  const source: YamlSource = { file, text, doc, lines };
  const diagnostics: Diagnostic[] = [];
  const duplicates = duplicateKeys(doc.contents);
  // Every duplicate key is its own mistake; after the first syntax error the parser's recovery mostly reports
  // consequences of it (often one per token to the end of the file), so only that one is shown, with a count.
  const syntax = doc.errors;
  const events = [
    ...syntax.map((e) => ({ pos: e.pos, error: e })),
    ...duplicates.map((k) => ({ pos: k.range ?? [0, 1], error: undefined })),
  ].sort((a, b) => a.pos[0] - b.pos[0]);
  for (const { pos, error: e } of events) {
    const location = at(source, pos[0], pos[1]);
    if (e === undefined) {
      const key = keyTextAt(text, pos[0]);
      diagnostics.push({ code: 'duplicate-key', message: `duplicate key '${key}'`, location });
    } else if (e === syntax[0]) {
      const more = syntax.length - 1;
      const line = text.split(/\r?\n/)[location.line - 1] ?? '';
      const hints = [
        ...(/[{,]\s*[\w-]+\s*:\s*[\w-]+\[\*\]/.test(line) ? ['inside { … } quote a gathered reference: "node[*].output"'] : []),
        ...(more > 0 ? [`${more} more YAML error${more > 1 ? 's' : ''} after this one, probably caused by it`] : []),
      ];
      diagnostics.push({ code: 'yaml-syntax', message: `YAML syntax: ${firstLine(e.message)}`, location, ...(hints.length > 0 ? { hint: hints.join('; ') } : {}) });
    }
  }
  if (diagnostics.length > 0) return { source, value: undefined, diagnostics };
  try {
    return { source, value: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }), diagnostics };
  } catch (e) {
    const alias = firstAlias(doc.contents);
    const location = alias?.range ? at(source, alias.range[0], alias.range[1]) : at(source, 0, 1);
    const message = /alias|resource exhaustion/i.test(String(e))
      ? `too many alias expansions (more than ${MAX_ALIAS_COUNT}); refusing a possible billion-laughs document`
      : `YAML: ${firstLine(String(e))}`;
    diagnostics.push({ code: 'alias-bomb', message, location });
    return { source, value: undefined, diagnostics };
  }
}

/** Second and later occurrences of a scalar key in each map (compared by value, as yaml's uniqueKeys does). */
function duplicateKeys(root: unknown): YamlNode[] {
  const found: YamlNode[] = [];
  const stack: unknown[] = [root];
  const seenNodes = new Set<unknown>();
  while (stack.length > 0) {
    const node = stack.pop();
    if (seenNodes.has(node)) continue;
    seenNodes.add(node);
    if (isMap(node)) {
      const keys = new Set<string>();
      for (const pair of node.items) {
        if (isScalar(pair.key)) {
          const k = `${typeof pair.key.value}:${String(pair.key.value)}`;
          if (keys.has(k)) found.push(pair.key);
          keys.add(k);
        }
        stack.push(pair.key, pair.value);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) stack.push(item);
    }
  }
  return found;
}

function firstLine(s: string): string {
  return s.split('\n')[0]?.replace(/\s+at line \d+, column \d+:?$/, '') ?? s;
}

function keyTextAt(text: string, offset: number): string {
  const m = /^[^:\n]*/.exec(text.slice(offset));
  return (m?.[0] ?? '').trim().replace(/^["']|["']$/g, '');
}

function firstAlias(node: unknown): YamlNode | undefined {
  if (isAlias(node)) return node;
  if (isMap(node) || isSeq(node)) {
    for (const item of node.items) {
      const found = isPair(item) ? (firstAlias(item.key) ?? firstAlias(item.value)) : firstAlias(item);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** The location of a character range, underlining at most to the end of its first line. */
export function at(source: YamlSource, start: number, end: number): SourceLocation {
  const pos = source.lines.linePos(start);
  const lineEnd = source.text.indexOf('\n', start);
  const stop = Math.min(end, lineEnd === -1 ? source.text.length : lineEnd);
  return { file: source.file, line: pos.line, col: pos.col, length: Math.max(1, stop - start) };
}

/**
 * Locates `path` in the document: `part: 'key'` points at the map key of the last segment, `'value'` at its value.
 * Falls back to the deepest existing ancestor, so even a reference to something missing points somewhere useful.
 */
export function locate(source: YamlSource, path: DocPath, part: 'key' | 'value' = 'value'): SourceLocation {
  let node: unknown = source.doc.contents;
  let best: YamlNode | undefined = isNode(node) ? node : undefined;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    if (isAlias(node)) node = node.resolve(source.doc);
    let next: unknown;
    let keyNode: unknown;
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (pair !== undefined) {
        keyNode = pair.key;
        next = pair.value;
      }
    } else if (isSeq(node) && typeof seg === 'number') {
      next = node.items[seg];
    }
    const last = i === path.length - 1;
    if (last && part === 'key' && isNode(keyNode)) {
      best = keyNode;
      break;
    }
    if (!isNode(next)) {
      if (isNode(keyNode)) best = keyNode;
      break;
    }
    best = next;
    node = next;
  }
  const range = best?.range;
  return range ? at(source, range[0], range[1]) : { file: source.file, line: 1, col: 1, length: 1 };
}

function isNode(x: unknown): x is YamlNode {
  return typeof x === 'object' && x !== null && 'range' in x;
}
