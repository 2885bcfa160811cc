/**
 * Requests the gateway has handed to each instance and not yet finished. A stopping instance is
 * first taken out of routing, then drained: its process ends once this count reaches zero or the
 * grace period is over, so a request accepted before a stop is answered, not cut.
 */
export class InflightRequests {
  private readonly counts = new Map<string, number>();
  private readonly idleWaiters = new Map<string, Set<() => void>>();

  /** Called synchronously when the gateway picks `instanceId`; the returned function ends the request (idempotent). */
  begin(instanceId: string): () => void {
    this.counts.set(instanceId, (this.counts.get(instanceId) ?? 0) + 1);
    let isDone = false;
    return () => {
      if (isDone) return;
      isDone = true;
      const left = (this.counts.get(instanceId) ?? 1) - 1;
      if (left > 0) return void this.counts.set(instanceId, left);
      this.counts.delete(instanceId);
      for (const wake of this.idleWaiters.get(instanceId) ?? []) wake();
      this.idleWaiters.delete(instanceId);
    };
  }

  count(instanceId: string): number {
    return this.counts.get(instanceId) ?? 0;
  }

  /** Resolves `true` once the instance has no request in flight, `false` if `graceMs` passes first. */
  waitIdle(instanceId: string, graceMs: number): Promise<boolean> {
    if (this.count(instanceId) === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiters = this.idleWaiters.get(instanceId) ?? new Set<() => void>();
      this.idleWaiters.set(instanceId, waiters);
      const wake = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        waiters.delete(wake);
        resolve(false);
      }, graceMs);
      waiters.add(wake);
    });
  }
}
