/**
 * JSONL records of levels (the `levels` output of `sokoban.levels` and `envs` of `sokoban.evalset`), and their
 * reader: every line names its line number when it is malformed.
 */
import { levelToXsb, parseLevel } from './level.js';
import { renderGrid } from './render.js';
import { BASE_VOCAB, resolveSplit, type Vocab } from './splits.js';
import type { Direction, Level } from './types.js';

/** One generated level. */
export interface LevelRecord {
  readonly seed: number;
  readonly split: string;
  readonly xsb: string;
  readonly grid: string;
  readonly optimal: number;
  readonly actions: readonly Direction[];
  readonly promptVocab: readonly string[];
  readonly envVocab: readonly string[];
}

/** The JSONL record of a generated level and its BFS solution. */
export function levelRecord(level: Level, seed: number, split: { name: string; promptVocab: Vocab; envVocab: Vocab }, actions: readonly Direction[]): LevelRecord {
  return {
    seed,
    split: split.name,
    xsb: levelToXsb(level),
    grid: renderGrid(level),
    optimal: actions.length,
    actions: [...actions],
    promptVocab: [...split.promptVocab],
    envVocab: [...split.envVocab],
  };
}

/** A level read back from JSONL with the vocabulary its prompts state. */
export interface ReadLevel {
  readonly level: Level;
  readonly seed: number;
  readonly vocab: Vocab;
}

/** Parses `levels` JSONL (fields: xsb or grid; optional seed, promptVocab or split). Errors name the line. */
export function readLevelRecords(text: string, source = 'levels'): ReadLevel[] {
  const out: ReadLevel[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const where = `${source}:${i + 1}`;
    let obj: Record<string, unknown>;
    try {
      obj = JSON.parse(line) as Record<string, unknown>;
    } catch (error) {
      throw new Error(`${where}: malformed JSON (${(error as Error).message})`);
    }
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) throw new Error(`${where}: expected a JSON object`);
    const text = typeof obj.xsb === 'string' ? obj.xsb : typeof obj.grid === 'string' ? obj.grid : undefined;
    if (text === undefined) throw new Error(`${where}: needs an "xsb" or "grid" string`);
    let level: Level;
    try {
      level = parseLevel(text);
    } catch (error) {
      throw new Error(`${where}: ${(error as Error).message}`);
    }
    let vocab: Vocab = BASE_VOCAB;
    const pv = obj.promptVocab;
    if (Array.isArray(pv) && pv.length === 4 && pv.every((w) => typeof w === 'string')) vocab = pv as unknown as Vocab;
    else if (typeof obj.split === 'string') {
      try {
        vocab = resolveSplit(obj.split).promptVocab;
      } catch {
        // an unknown split name in a user file: keep the base vocabulary
      }
    }
    out.push({ level, seed: typeof obj.seed === 'number' ? obj.seed : i, vocab });
  });
  return out;
}
