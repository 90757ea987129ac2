/** Reads an SFT dataset input as text pairs; every error names the input (`label`) and its file. */
import { SFT_PARQUET } from '../formats.js';
import { readParquetInput } from './parquet.js';
import { toTextPairs, type TextPair } from './text-pairs.js';

export async function readTextPairs(path: string, label: string): Promise<TextPair[]> {
  try {
    return toTextPairs(await readParquetInput(path, label, SFT_PARQUET));
  } catch (e) {
    const message = (e as Error).message;
    throw new Error(message.startsWith(label) ? message : `${label} (${path}): ${message}`);
  }
}
