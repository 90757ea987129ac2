/**
 * `audit`: re-executes cached nodes with the cache off (in a temp directory, recording nothing) and compares the
 * output digests with the stored ones — or, for kinds marked nondeterministic, their metrics within the declared
 * relative tolerance — and verifies that every stored object still hashes to its name.
 */
import { rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAttempt } from './attempt.js';
import { cacheKey, classify, componentsOf } from './classify.js';
import { refSources } from './gather.js';
import { hashFile } from './hash.js';
import { objects } from './inventory.js';
import type { ProgressUpdate } from './node-kind.js';
import type { Pipeline } from './pipeline.js';
import { openStore } from './store.js';
import { describeArtifact } from './store/describe.js';
import type { FsStore } from './store/fs-store.js';
import { listStoreFolder } from './store/safe-fs.js';
import type { Artifact } from './store.js';

export type AuditStatus = 'ok' | 'mismatch' | 'failed' | 'not-cached';

export interface AuditNode {
  readonly id: string;
  readonly status: AuditStatus;
  readonly details: readonly string[];
}

export interface AuditResult {
  readonly nodes: readonly AuditNode[];
  readonly objectsChecked: number;
  readonly corruptObjects: readonly string[];
  /** Materialized trees (trees/<digest>) whose files no longer match their manifest. */
  readonly corruptTrees: readonly string[];
  readonly ok: boolean;
}

export interface AuditOptions {
  /** Instance ids to re-execute (default: all). Objects are always verified. */
  readonly only?: ReadonlySet<string>;
  readonly signal?: AbortSignal;
  readonly onNode?: (n: AuditNode) => void;
  /** A node's re-execution begins (a training node may take as long as it did in the run). */
  readonly onStart?: (id: string) => void;
  /** Progress of the node being re-executed, as a run reports it. */
  readonly onProgress?: (id: string, update: ProgressUpdate) => void;
}

/** Audits a pipeline against its store. */
export async function auditPipeline(pipeline: Pipeline, opts: AuditOptions = {}): Promise<AuditResult> {
  const store = openStore(pipeline.store);
  const signal = opts.signal ?? new AbortController().signal;
  const corruptObjects: string[] = [];
  const all = objects(store);
  for (const o of all) {
    const { digest } = await hashFile(o.path);
    if (digest !== o.digest) corruptObjects.push(o.digest);
  }
  const corruptTrees = await verifyTrees(store);
  const stored = new Map<string, Readonly<Record<string, Artifact>>>();
  const nodes: AuditNode[] = [];
  const scratch = await mkdtemp(join(tmpdir(), 'pipe-audit-'));
  try {
    for (const inst of pipeline.instances) {
      const digests: Record<string, string> = {};
      const artifacts: Record<string, Artifact> = {};
      let ready = true;
      for (const [name, ref] of Object.entries(inst.inputs)) {
        const parts: { label: string; artifact: Artifact }[] = [];
        for (const [i, source] of refSources(ref).entries()) {
          const art = stored.get(source)?.[ref.output];
          if (art !== undefined) parts.push({ label: ref.gather?.[i]?.label ?? source, artifact: art });
        }
        if (parts.length !== refSources(ref).length) {
          ready = false;
          continue;
        }
        const art = ref.gather !== undefined ? await store.putGather(parts) : (parts[0] as { artifact: Artifact }).artifact;
        digests[name] = art.digest;
        artifacts[name] = art;
      }
      const components = ready ? componentsOf(inst, digests) : undefined;
      const key = components ? cacheKey(components) : undefined;
      const verdict = components && key ? classify(store, pipeline.name, inst, key, components, false) : undefined;
      if (verdict?.status === 'cached' && verdict.entry !== undefined) stored.set(inst.id, verdict.entry.outputs);
      if (opts.only !== undefined && !opts.only.has(inst.id)) continue;
      let result: AuditNode;
      if (verdict?.entry === undefined || verdict.status !== 'cached') {
        result = { id: inst.id, status: 'not-cached', details: ['not in the store for the current inputs; run the pipeline first'] };
      } else {
        const entry = verdict.entry;
        const staging = join(scratch, String(nodes.length));
        const metrics: [string, number, number | null][] = [];
        try {
          // Private verified copies, as for a run: the audited node cannot alter the store it is checked against.
          const inputs: Record<string, string> = {};
          for (const [name, art] of Object.entries(artifacts)) {
            inputs[name] = join(staging, 'in', name);
            await store.checkout(art, inputs[name]);
          }
          opts.onStart?.(inst.id);
          const outDir = await runAttempt({
            id: inst.id,
            runId: entry.runId,
            kind: inst.kind,
            params: inst.params,
            seed: inst.seed,
            inputs,
            outputs: inst.outputs,
            staging,
            resumeDir: join(staging, 'resume'),
            cpus: inst.resources.cpu,
            signal,
            hooks: { metric: (n, v, s) => metrics.push([n, v, s]), progress: (u) => opts.onProgress?.(inst.id, u) },
          });
          const details: string[] = [];
          const tolerance = inst.kind.nondeterministic?.tolerance;
          if (tolerance !== undefined) {
            details.push(...compareMetrics(entry.metrics, metrics, tolerance));
          } else {
            for (const name of inst.outputs) {
              const now = await describeArtifact(join(outDir, name), name);
              const was = entry.outputs[name];
              if (was?.digest !== now.digest) details.push(`output ${name}: stored ${was?.digest.slice(0, 12)}, recomputed ${now.digest.slice(0, 12)}`);
            }
          }
          result = { id: inst.id, status: details.length === 0 ? 'ok' : 'mismatch', details };
        } catch (e) {
          result = { id: inst.id, status: 'failed', details: [`re-execution failed: ${e instanceof Error ? e.message : String(e)}`] };
        } finally {
          rmSync(staging, { recursive: true, force: true });
        }
      }
      nodes.push(result);
      opts.onNode?.(result);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  const ok = corruptObjects.length === 0 && corruptTrees.length === 0 && nodes.every((n) => n.status === 'ok' || n.status === 'not-cached');
  return { nodes, objectsChecked: all.length, corruptObjects, corruptTrees, ok };
}

/** Metric differences beyond a relative tolerance, matched by (name, step). */
function compareMetrics(
  stored: readonly (readonly [string, number, number | null])[],
  now: readonly (readonly [string, number, number | null])[],
  tolerance: number,
): string[] {
  const keyOf = (m: readonly [string, number, number | null]): string => `${m[0]}@${m[2] ?? ''}`;
  const was = new Map(stored.map((m) => [keyOf(m), m[1]]));
  const out: string[] = [];
  for (const m of now) {
    const a = was.get(keyOf(m));
    if (a === undefined) continue;
    const rel = Math.abs(m[1] - a) / Math.max(Math.abs(a), Math.abs(m[1]), 1e-12);
    if (rel > tolerance) out.push(`metric ${m[0]}${m[2] !== null ? ` step ${m[2]}` : ''}: stored ${a}, recomputed ${m[1]} (relative difference ${rel.toExponential(2)} > ${tolerance})`);
  }
  if (now.length === 0 && stored.length > 0) out.push('no metrics recomputed to compare');
  return out;
}

/** Materialized trees whose contents (files, modes, names) no longer describe to their digest. */
export async function verifyTrees(store: FsStore): Promise<string[]> {
  const dir = join(store.root, 'trees');
  const bad: string[] = [];
  for (const name of listStoreFolder(dir, 'trees')) {
    try {
      if ((await describeArtifact(join(dir, name), name)).digest !== name) bad.push(name);
    } catch {
      bad.push(name);
    }
  }
  return bad;
}
