/**
 * The scheduling loop: every selected instance becomes one promise of its result, started at once; each waits for
 * its inputs' producers (readiness follows the DAG), computes its key, and is then served from the store or an
 * in-flight twin (serve.ts) or dispatched to the executor (dispatch.ts). An input that fails verification has its
 * object quarantined and its producer recomputed, and the node tries again.
 */
import { cacheKey, classify, componentsOf, reasonText } from './classify.js';
import { dispatch } from './dispatch.js';
import type { NodeTask } from './executor.js';
import { refLabel, refSources } from './gather.js';
import { type Clock, recordResult, type Where } from './node-outcome.js';
import type { NodeInstance } from './pipeline.js';
import { cancelText, failRun, type RunContext } from './run-context.js';
import type { NodeResult } from './run-types.js';
import { rememberKey, serveCached, serveShared } from './serve.js';
import type { Artifact, CorruptObject } from './store.js';

export class Scheduler {
  /** Each instance's result, by id (replaced when a producer is recomputed). */
  readonly results = new Map<string, Promise<NodeResult>>();
  /** Keys being computed in this run, and by which instance: instances with the same key share one execution. */
  private readonly inflight = new Map<string, { id: string; done: Promise<NodeResult> }>();
  /** Producers being recomputed because an object they published failed verification (one recomputation each). */
  private readonly recomputed = new Set<string>();
  private readonly keyOf = new Map<string, string>();
  private readonly byId: Map<string, NodeInstance>;

  constructor(private readonly ctx: RunContext) {
    this.byId = new Map(ctx.pipeline.instances.map((i) => [i.id, i]));
  }

  /** Starts every instance of `selected`; resolves with their results (the final ones, after any recomputation). */
  async runAll(selected: readonly NodeInstance[]): Promise<NodeResult[]> {
    this.ctx.executor.expect?.(selected);
    for (const inst of selected) this.results.set(inst.id, this.settled(inst, this.processNode(inst)));
    await Promise.all(selected.map((i) => this.results.get(i.id) as Promise<NodeResult>));
    // A producer recomputed after a corrupt object replaced its result: report the final one.
    return Promise.all(selected.map((i) => this.results.get(i.id) as Promise<NodeResult>));
  }

  /** `result`, once it is in telling the executor that `inst` will not ask for slots again (its reservation goes). */
  private settled(inst: NodeInstance, result: Promise<NodeResult>): Promise<NodeResult> {
    return result.finally(() => this.ctx.executor.settle?.(inst.id));
  }

  private async processNode(inst: NodeInstance, attempt = 0): Promise<NodeResult> {
    const { ctx } = this;
    const { store, pipeline, opts, abort } = ctx;
    // When the node itself started (inputs ready; reset when it starts executing), not when it began waiting.
    const clock: Clock = { startedAt: new Date().toISOString() };
    const done = (r: Omit<NodeResult, 'seconds' | 'id'>, seconds?: number, where?: Where): NodeResult => recordResult(ctx, inst, clock, r, seconds, where);
    // Inputs: wait for upstream results (here, not in a helper: a node without inputs reaches its executor in the
    // same turn as the loop that starts it, so nodes are handed over in pipeline order).
    const digests: Record<string, string> = {};
    const inputArtifacts: Record<string, Artifact> = {};
    for (const [name, ref] of Object.entries(inst.inputs)) {
      const parts: { label: string; artifact: Artifact }[] = [];
      for (const [i, source] of refSources(ref).entries()) {
        const up = await (this.results.get(source) as Promise<NodeResult>);
        const art = up.outputs?.[ref.output];
        if (art === undefined) {
          return done({
            status: 'skipped',
            reasonType: 'upstream',
            reason: `upstream '${source}' ${up.status === 'failed' ? 'failed' : 'did not run'}`,
            failure: { type: 'input-missing', input: name, from: refLabel(ref) },
          });
        }
        parts.push({ label: ref.gather?.[i]?.label ?? source, artifact: art });
      }
      const art = ref.gather !== undefined ? await store.putGather(parts) : (parts[0] as { artifact: Artifact }).artifact;
      digests[name] = art.digest;
      inputArtifacts[name] = art;
    }
    clock.startedAt = new Date().toISOString();
    if (abort.signal.aborted || ctx.stop.superseded) {
      return done({ status: 'skipped', reasonType: 'cancelled', reason: cancelText(ctx), failure: { type: 'aborted', message: cancelText(ctx) } });
    }
    const components = componentsOf(inst, digests);
    const key = cacheKey(components);
    this.keyOf.set(inst.id, key);
    const verdict = classify(store, pipeline.name, inst, key, components, opts.force?.has(inst.id) ?? false);
    const remember = rememberKey(ctx, inst, key, components);
    const cached = serveCached(verdict, key, remember, done);
    if (cached !== undefined) return cached;
    const shared = this.inflight.get(key);
    if (shared !== undefined) return serveShared(await shared.done, shared.id, key, remember, done);
    const reason = reasonText(verdict.reason, verdict.changes);
    const task: NodeTask = { runId: ctx.runId, pipeline: pipeline.name, inst, key, components, inputs: inputArtifacts, reasonType: verdict.reason, reason };
    const fail = (message: string): NodeResult => {
      failRun(ctx, inst.id);
      return done({ status: 'failed', reasonType: 'failed', reason: message, key, failure: { type: 'node-failed', message, logTail: [] } });
    };
    const execution = dispatch(ctx, task, clock, remember).then((r) => ('corrupt' in r ? this.recover(r.corrupt.input, r.corrupt.problem, inst, key, attempt, fail) : r));
    this.inflight.set(key, { id: inst.id, done: execution });
    return execution;
  }

  /**
   * An input failed verification: quarantine the object (which invalidates the entries that used it), recompute its
   * producer(s) and try this node again with the fresh result. Gives up after two tries (the producer keeps making
   * an object that does not verify: the store's disk is failing).
   */
  private async recover(input: string, problem: CorruptObject, inst: NodeInstance, key: string, attempt: number, fail: (message: string) => NodeResult): Promise<NodeResult> {
    const invalidated = this.ctx.store.quarantine(problem);
    this.inflight.delete(key);
    const message = `input ${input}: ${problem.message}`;
    if (attempt >= 2) return fail(`${message}, again after recomputing it; check the store's disk (pipe fsck)`);
    const entries = invalidated.length === 1 ? 'entry' : 'entries';
    this.ctx.emit({ type: 'node-log', id: inst.id, line: `${message}: quarantined; ${invalidated.length} dependent cache ${entries} invalidated; recomputing its producer` });
    const ref = inst.inputs[input];
    for (const source of ref !== undefined ? refSources(ref) : []) {
      const producer = this.byId.get(source);
      if (producer === undefined || this.recomputed.has(source)) continue;
      this.recomputed.add(source);
      const producerKey = this.keyOf.get(source);
      if (producerKey !== undefined) this.inflight.delete(producerKey); // its execution in this run made the bad object
      this.results.set(source, this.settled(producer, this.processNode(producer)));
    }
    return this.processNode(inst, attempt + 1);
  }
}
