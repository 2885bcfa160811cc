/**
 * Per-request numbers the gateway keeps in memory for monitoring: per service, instance and
 * caller kind, counts by status class, bytes both ways and a latency histogram. Recording is a few
 * map lookups and additions; the monitoring side takes (and resets) the accumulated window with
 * `drain()` on its own schedule, so the request path never waits for storage.
 */
export const LATENCY_BUCKETS_MS = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 40_000] as const;

export type TStatusClass = '2xx' | '3xx' | '4xx' | '5xx';
export type TRequestSample = { serviceId: string; instanceId: string; callerKind: string; status: number; latencyMs: number; bytesIn: number; bytesOut: number };

export type TSeries = {
  serviceId: string;
  instanceId: string;
  callerKind: string;
  counts: Record<TStatusClass, number>;
  bytesIn: number;
  bytesOut: number;
  latencySumMs: number;
  /** Counts per LATENCY_BUCKETS_MS upper bound, plus one past the last. */
  latencyBuckets: number[];
};

const statusClass = (status: number): TStatusClass => (status >= 500 ? '5xx' : status >= 400 ? '4xx' : status >= 300 ? '3xx' : '2xx');

export class RequestMetrics {
  private window = new Map<string, TSeries>();

  record(s: TRequestSample): void {
    const key = `${s.serviceId}\0${s.instanceId}\0${s.callerKind}`;
    let series = this.window.get(key);
    if (!series) {
      series = {
        serviceId: s.serviceId, instanceId: s.instanceId, callerKind: s.callerKind, counts: { '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 },
        bytesIn: 0, bytesOut: 0, latencySumMs: 0, latencyBuckets: new Array(LATENCY_BUCKETS_MS.length + 1).fill(0),
      };
      this.window.set(key, series);
    }
    series.counts[statusClass(s.status)]++;
    series.bytesIn += s.bytesIn;
    series.bytesOut += s.bytesOut;
    series.latencySumMs += s.latencyMs;
    let b = 0;
    while (b < LATENCY_BUCKETS_MS.length && s.latencyMs > LATENCY_BUCKETS_MS[b]) b++;
    series.latencyBuckets[b]++;
  }

  /** The series accumulated since the last drain; the next window starts empty. */
  drain(): TSeries[] {
    const out = [...this.window.values()];
    this.window = new Map();
    return out;
  }
}
