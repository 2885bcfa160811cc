/**
 * Picks the ready instance with the fewest requests in flight (least outstanding requests), so a
 * slow instance gets fewer requests than a fast one; ties go round-robin.
 */
import type { InflightRequests } from './inflight';

export type TEndpoint = { instanceId: string; versionId: string; host: string; port: number };

export class LeastOutstanding {
  private readonly cursors = new Map<string, number>();

  constructor(private readonly inflight: InflightRequests) {}

  /** `key`: the service (and version) whose round-robin cursor breaks ties. */
  pick(key: string, endpoints: readonly TEndpoint[]): TEndpoint {
    if (endpoints.length === 1) return endpoints[0];
    const start = (this.cursors.get(key) ?? 0) % endpoints.length;
    this.cursors.set(key, start + 1);
    let best = endpoints[start];
    let fewest = this.inflight.count(best.instanceId);
    for (let i = 1; i < endpoints.length && fewest > 0; i++) {
      const candidate = endpoints[(start + i) % endpoints.length];
      const n = this.inflight.count(candidate.instanceId);
      if (n < fewest) [best, fewest] = [candidate, n];
    }
    return best;
  }
}
