/** Reads a JSONL input file, failing with the file's input name and line number on a bad line. */
import { readFile } from 'node:fs/promises';

export async function readJsonl(path: string, what: string): Promise<Record<string, unknown>[]> {
  const text = await readFile(path, 'utf8');
  const out: Record<string, unknown>[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch (cause) {
      throw new Error(`${what}:${i + 1}: not a JSON line`, { cause });
    }
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error(`${what}:${i + 1}: expected a JSON object`);
    out.push(v as Record<string, unknown>);
  });
  return out;
}
