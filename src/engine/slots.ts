/**
 * Resource slots (cpu, gpu) for the scheduler: a node waits until its request fits, so `--jobs N` caps concurrent
 * CPU work and a GPU node never shares a GPU slot. Requests larger than the capacity are clamped (else they would
 * wait forever). Waiters are served by priority (higher first), then in arrival order, skipping those that do not
 * fit yet. A node of priority above 0 that will run but has not started (its inputs are still being made) holds its
 * request back from lower-priority waiters: otherwise the slots fill with whatever is ready first and the long,
 * high-priority work waits for them to empty (bench/engine/README.md).
 */
import type { NodeResources } from './node-kind.js';

/** Slots of each kind. */
export type Capacity = { readonly cpu: number; readonly gpu: number };

interface Waiter {
  readonly req: Capacity;
  readonly priority: number;
  readonly id: string | undefined;
  readonly grant: () => void;
}

export class Slots {
  private free: { cpu: number; gpu: number };
  /** Sorted by priority, highest first; arrival order within a priority. */
  private readonly waiting: Waiter[] = [];
  /** Nodes of priority > 0 expected to run and not started yet, by id. */
  private readonly reserved = new Map<string, { req: Capacity; priority: number }>();

  constructor(private readonly capacity: Capacity) {
    this.free = { ...capacity };
  }

  /** Clamps a request to what can ever be granted. */
  fit(req: NodeResources): Capacity {
    return { cpu: Math.min(req.cpu, this.capacity.cpu), gpu: Math.min(req.gpu, this.capacity.gpu) };
  }

  /** Holds `req` back from waiters below `priority` until node `id` acquires its slots or is settled. */
  reserve(id: string, req: Capacity, priority: number): void {
    if (priority > 0) this.reserved.set(id, { req, priority });
  }

  /** Node `id` will not ask for slots after all (served from the cache, skipped, finished): drops its reservation. */
  settle(id: string): void {
    if (this.reserved.delete(id)) this.pump();
  }

  /** Resolves once `req` is reserved; rejects if `signal` aborts first. `id` names the node, for its reservation. */
  acquire(req: Capacity, signal?: AbortSignal, priority = 0, id?: string): Promise<void> {
    signal?.throwIfAborted();
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        req,
        priority,
        id,
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = (): void => {
        const i = this.waiting.indexOf(waiter);
        if (i !== -1) this.waiting.splice(i, 1);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const after = this.waiting.findIndex((w) => w.priority < priority);
      this.waiting.splice(after === -1 ? this.waiting.length : after, 0, waiter);
      this.pump();
    });
  }

  release(req: Capacity): void {
    this.free.cpu += req.cpu;
    this.free.gpu += req.gpu;
    this.pump();
  }

  /** What the reservations of nodes above `w`'s priority (other than `w` itself) keep from it. */
  private heldFrom(w: Waiter): Capacity {
    let cpu = 0;
    let gpu = 0;
    for (const [id, r] of this.reserved) {
      if (id === w.id || r.priority <= w.priority) continue;
      cpu += r.req.cpu;
      gpu += r.req.gpu;
    }
    return { cpu, gpu };
  }

  private pump(): void {
    for (let i = 0; i < this.waiting.length; ) {
      const w = this.waiting[i] as Waiter;
      const held = this.heldFrom(w);
      if (w.req.cpu <= this.free.cpu - held.cpu && w.req.gpu <= this.free.gpu - held.gpu) {
        this.free.cpu -= w.req.cpu;
        this.free.gpu -= w.req.gpu;
        this.waiting.splice(i, 1);
        if (w.id !== undefined) this.reserved.delete(w.id);
        w.grant();
      } else {
        i++;
      }
    }
  }
}
