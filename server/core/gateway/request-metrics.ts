/**
 * Per-request numbers the gateway keeps in memory for monitoring: per service, version, instance
 * and caller kind, counts by status class, bytes both ways and a latency histogram. Recording is a
 * map lookup and a few additions; the monitoring collector takes (and resets) the accumulated
 * window with `drain()` on its own schedule, so the request path never waits for storage.
 */
import { LatencyHistogram } from '../monitoring/latency-histogram';

export type TStatusClass = '2xx' | '3xx' | '4xx' | '5xx';
export type TRequestSample = {
  serviceId: string;
  /** The service version (model load) the request went to; '' when none was picked. */
  versionId: string;
  instanceId: string;
  callerKind: string;
  status: number;
  latencyMs: number;
  bytesIn: number;
  bytesOut: number;
};

export type TSeries = {
  serviceId: string;
  versionId: string;
  instanceId: string;
  callerKind: string;
  counts: Record<TStatusClass, number>;
  bytesIn: number;
  bytesOut: number;
  latencySumMs: number;
  latency: LatencyHistogram;
};

export const statusClass = (status: number): TStatusClass => (status >= 500 ? '5xx' : status >= 400 ? '4xx' : status >= 300 ? '3xx' : '2xx');

export class RequestMetrics {
  private window = new Map<string, TSeries>();

  record(s: TRequestSample): void {
    const key = `${s.instanceId}\0${s.callerKind}\0${s.serviceId}`;
    let series = this.window.get(key);
    if (!series) {
      series = {
        serviceId: s.serviceId, versionId: s.versionId, instanceId: s.instanceId, callerKind: s.callerKind,
        counts: { '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 }, bytesIn: 0, bytesOut: 0, latencySumMs: 0, latency: new LatencyHistogram(),
      };
      this.window.set(key, series);
    }
    series.counts[statusClass(s.status)]++;
    series.bytesIn += s.bytesIn;
    series.bytesOut += s.bytesOut;
    series.latencySumMs += s.latencyMs;
    series.latency.add(s.latencyMs);
  }

  /** The series accumulated since the last drain; the next window starts empty. */
  drain(): TSeries[] {
    const out = [...this.window.values()];
    this.window = new Map();
    return out;
  }
}
