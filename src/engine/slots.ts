/**
 * Resource slots (cpu, gpu) for the scheduler: a node waits until its request fits, so `--jobs N` caps concurrent
 * CPU work and a GPU node never shares a GPU slot. Requests larger than the capacity are clamped (else they would
 * wait forever). Waiters are served by priority (higher first), then in arrival order, skipping those that do not
 * fit yet.
 */
import type { NodeResources } from './node-kind.js';

/** Slots of each kind. */
export type Capacity = { readonly cpu: number; readonly gpu: number };

export class Slots {
  private free: { cpu: number; gpu: number };
  /** Sorted by priority, highest first; arrival order within a priority. */
  private readonly waiting: { req: Capacity; priority: number; grant: () => void }[] = [];

  constructor(private readonly capacity: Capacity) {
    this.free = { ...capacity };
  }

  /** Clamps a request to what can ever be granted. */
  fit(req: NodeResources): Capacity {
    return { cpu: Math.min(req.cpu, this.capacity.cpu), gpu: Math.min(req.gpu, this.capacity.gpu) };
  }

  /** Resolves once `req` is reserved; rejects if `signal` aborts first. */
  acquire(req: Capacity, signal?: AbortSignal, priority = 0): Promise<void> {
    signal?.throwIfAborted();
    return new Promise((resolve, reject) => {
      const waiter = {
        req,
        priority,
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

  private pump(): void {
    for (let i = 0; i < this.waiting.length; ) {
      const w = this.waiting[i] as (typeof this.waiting)[number];
      if (w.req.cpu <= this.free.cpu && w.req.gpu <= this.free.gpu) {
        this.free.cpu -= w.req.cpu;
        this.free.gpu -= w.req.gpu;
        this.waiting.splice(i, 1);
        w.grant();
      } else {
        i++;
      }
    }
  }
}
