/**
 * Parquet I/O for datasets (in the paper's Hugging Face schemas), through DuckDB's built-in Parquet writer.
 * Rows go through a temporary JSONL file so nested fields (lists of {role, content}, structs) keep their shape.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

type Row = Readonly<Record<string, unknown>>;

function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** Writes rows to a Parquet file (zstd). Column types are inferred from all rows, so keep each field's type fixed. */
export async function writeParquet(path: string, rows: readonly Row[]): Promise<void> {
  if (rows.length === 0) throw new Error(`writeParquet(${path}): no rows`);
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const dir = await mkdtemp(join(tmpdir(), 'pipe-parquet-'));
  try {
    const jsonl = join(dir, 'rows.jsonl');
    await writeFile(jsonl, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    try {
      await conn.run(
        `COPY (SELECT * FROM read_json(${sqlString(jsonl)}, format='newline_delimited', sample_size=-1))` +
          ` TO ${sqlString(path)} (FORMAT parquet, COMPRESSION zstd)`,
      );
    } finally {
      conn.closeSync();
      db.closeSync();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Reads a node's Parquet input, first checking that it is one: a file that is not (e.g. an exec output of text)
 * fails with "<label> (<path>) is not Parquet; expected <format>" rather than DuckDB's "No magic bytes found".
 */
export async function readParquetInput(path: string, label: string, expected: string): Promise<Row[]> {
  const { open, stat } = await import('node:fs/promises');
  const info = await stat(path);
  if (info.isDirectory()) throw new Error(`${label} (${path}) is a directory, not a Parquet file; expected ${expected}`);
  const head = Buffer.alloc(4);
  const tail = Buffer.alloc(4);
  const fh = await open(path, 'r');
  try {
    if (info.size >= 12) {
      await fh.read(head, 0, 4, 0);
      await fh.read(tail, 0, 4, info.size - 4);
    }
  } finally {
    await fh.close();
  }
  if (head.toString('latin1') !== 'PAR1' || tail.toString('latin1') !== 'PAR1') {
    throw new Error(`${label} (${path}) is not Parquet; expected ${expected}`);
  }
  return readParquet(path);
}

/** Reads a Parquet file back as plain JS rows (BIGINT as number where safe). */
export async function readParquet(path: string): Promise<Row[]> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    const reader = await conn.runAndReadAll(`SELECT * FROM read_parquet(${sqlString(path)})`);
    return reader.getRowObjectsJS().map((row) => plain(row) as Row);
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

/** DuckDB values → plain JSON-like JS: BIGINT → number, DuckDB lists/structs → arrays/objects. */
function plain(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}
