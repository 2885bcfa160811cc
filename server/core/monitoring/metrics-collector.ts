/**
 * Turns what the gateway counted and what instances used into the metrics of table 5-1. Every
 * tick (10 s) it drains the gateway's counters, reads each live instance's usage, and hands the
 * tick's values to the live view; every minute it writes one point per metric for each instance,
 * each version (model load) and each service. Nothing here is on the prediction path.
 */
import type { TLiveTick } from '../../contracts/monitoring';
import type { RequestMetrics, TSeries, TStatusClass } from '../gateway/request-metrics';
import { LatencyHistogram } from './latency-histogram';
import { LIVE_PERIOD_MS, METRIC_PERIOD_MS } from './metric-catalog';
import type { MetricStore, TMetricPoint } from './metric-store';
import { usageRates, type TUsageRates, type TUsageReading } from './instance-usage';

/** A live instance as monitoring sees it: where it runs and what its flavor gives it. */
export type TMonitoredInstance = {
  id: string;
  serviceId: string;
  versionId: string;
  cpus: number;
  memoryBytes: number;
  nodeId: string;
  gpuIndices: readonly number[];
};

export type TGpuReading = { index: number; utilizationPct: number | null; memoryUsedMiB: number | null; memoryTotalMiB: number };

export type TCollectorSources = {
  requests: Pick<RequestMetrics, 'drain'>;
  inflight: { count(instanceId: string): number };
  instances(): TMonitoredInstance[];
  /** The instance's latest usage reading (cumulative counters); undefined when the runtime has none yet. */
  usage(instanceId: string): TUsageReading | undefined;
  /** The GPUs of a node as nvidia-smi last read them. */
  gpus(nodeId: string): readonly TGpuReading[];
  /** Whether a service still exists (calls of a deleted one are dropped); absent: all do. */
  exists?(serviceId: string): boolean;
};


type TCalls = { counts: Record<TStatusClass, number>; latencySumMs: number; latency: LatencyHistogram; bytesIn: number; bytesOut: number };
/** What one instance (or, with instanceId '', the gateway's refusals of a service) accumulated over a window. */
type TAccumulator = {
  serviceId: string;
  versionId: string;
  instanceId: string;
  calls: TCalls;
  /** Sums and counts of the resource values of each tick, averaged when the minute closes. */
  resources: Map<string, { sum: number; n: number }>;
  inflightMax: number;
};

const RESOURCE_METRICS = ['cpu_usage', 'mem_usage', 'gpu_util', 'gpu_mem_usage', 'disk_read_rate', 'disk_write_rate', 'send_bytes_rate', 'recv_bytes_rate'] as const;
/** Resource metrics that add up across instances (rates); the rest are percentages and average. */
const SUMMED = new Set(['disk_read_rate', 'disk_write_rate', 'send_bytes_rate', 'recv_bytes_rate']);

/**
 * One minute being accumulated: per instance (and per service for the gateway's refusals), and the
 * highest in-flight total of each version and service over its ticks. `openedAt` is on the
 * monotonic clock: a minute also closes once a minute has really passed, whatever the wall clock says.
 */
type TMinute = { ts: number; openedAt: number; accs: Map<string, TAccumulator>; inflight: Map<string, number> };

/** Closed minutes kept for a store that cannot take them yet (a locked database); past this the oldest go. */
const MAX_PENDING_MINUTES = 60;

export class MetricsCollector {
  private minute: TMinute;
  /** The minute closed last: closing it again (a test cutting it short, then the tick) writes it whole, not its second half over its first. */
  private lastClosed: TMinute | undefined;
  /** Closed minutes not yet in the store; alarm rules evaluate a minute only once it is there. */
  private readonly pending: TMinute[] = [];
  private readonly lastReading = new Map<string, TUsageReading>();
  private timer: NodeJS.Timeout | undefined;
  private readonly tickMs: number;
  private readonly minuteMs: number;
  private readonly clock: () => number;
  private readonly monotonic: () => number;
  private readonly onMinute: (minuteTs: number) => void;
  /** The newest minute handed to `onMinute`: a minute closed twice is evaluated once. */
  private lastEvaluated = -Infinity;

  constructor(
    private readonly sources: TCollectorSources,
    private readonly store: Pick<MetricStore, 'write' | 'flush'>,
    private readonly onTick: (tick: TLiveTick) => void = () => undefined,
    opts: { tickMs?: number; minuteMs?: number; clock?: () => number; monotonic?: () => number; onMinute?: (minuteTs: number) => void } = {},
  ) {
    this.tickMs = opts.tickMs ?? LIVE_PERIOD_MS;
    this.minuteMs = opts.minuteMs ?? METRIC_PERIOD_MS;
    this.clock = opts.clock ?? Date.now;
    this.monotonic = opts.monotonic ?? (() => performance.now());
    this.onMinute = opts.onMinute ?? (() => undefined);
    this.minute = this.openMinute(this.floorMinute(this.clock()));
  }

  start(): void {
    // A failing tick (the database, an alarm rule) is logged; it must never end Anvil, and the next tick tries again.
    this.timer ??= setInterval(() => {
      try {
        this.tick();
      } catch (e) {
        console.error('[monitoring] collection failed:', e);
      }
    }, this.tickMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /**
   * One collection: drains the gateway's counters, reads the instances, and adds both to the minute
   * (closing the previous one first when the clock has moved past it). The drained counts reach the
   * minute even when reading the instances or publishing the live view fails.
   */
  tick(): void {
    const now = this.clock();
    const window = new Map<string, TAccumulator>();
    for (const s of this.sources.requests.drain()) {
      // Calls that ended after their service was deleted (a closing WebSocket, a refusal while it stopped) would bring its series back.
      if (this.sources.exists?.(s.serviceId) === false) continue;
      addCalls(accumulator(window, s.serviceId, s.versionId, s.instanceId), s);
    }
    try {
      const live = this.sources.instances();
      for (const inst of live) {
        const acc = accumulator(window, inst.serviceId, inst.versionId, inst.id);
        acc.inflightMax = this.sources.inflight.count(inst.id);
        for (const [metric, value] of Object.entries(this.resourceValues(inst))) if (value !== null) acc.resources.set(metric, { sum: value, n: 1 });
      }
      const liveIds = new Set(live.map((i) => i.id));
      for (const id of this.lastReading.keys()) if (!liveIds.has(id)) this.lastReading.delete(id);
    } finally {
      // A wall clock stepped back must not pile many minutes into one point: a minute also ends when one has really passed.
      if (this.floorMinute(now) > this.minute.ts || this.monotonic() - this.minute.openedAt >= this.minuteMs) this.closeMinute(now);
      else if (this.pending.length > 0) this.writePending();
      absorb(this.minute, window);
    }
    this.publishLive(window, now);
  }

  /**
   * Hands the minute being accumulated to the store as one point per series and starts the next
   * (tests call it to cut a minute short). Never throws: a store that fails keeps the minute pending
   * for the next tick. Minutes the clock skipped (a stalled process) are evaluated as minutes without
   * data, the newest hour of them at most. Timestamps only move forward: after the wall clock steps
   * back, minutes follow one another until it catches up.
   */
  closeMinute(now = this.clock()): void {
    const closing = this.minute;
    const isCutShort = this.floorMinute(now) === closing.ts && this.monotonic() - closing.openedAt < this.minuteMs;
    this.minute = this.openMinute(isCutShort ? closing.ts : Math.max(this.floorMinute(now), closing.ts + this.minuteMs));
    if (this.lastClosed?.ts === closing.ts) {
      absorb(closing, this.lastClosed.accs, this.lastClosed.inflight);
      const queued = this.pending.findIndex((m) => m.ts === closing.ts);
      if (queued >= 0) this.pending.splice(queued, 1);
    }
    this.lastClosed = closing;
    this.pending.push(closing);
    const skipped = Math.max(0, (this.minute.ts - closing.ts) / this.minuteMs - 1);
    for (let i = Math.max(0, skipped - MAX_PENDING_MINUTES); i < skipped; i++) this.pending.push(this.openMinute(closing.ts + (i + 1) * this.minuteMs));
    this.writePending();
  }

  /** The oldest minute not yet in the store (the hourly rollup waits for it); undefined when none is pending. */
  oldestPending(): number | undefined {
    return this.pending[0]?.ts;
  }

  /** Forgets what a deleted service accumulated, so that its series are not written again after it is gone. */
  forgetService(serviceId: string): void {
    for (const m of [this.minute, this.lastClosed, ...this.pending]) {
      if (!m) continue;
      for (const [key, acc] of m.accs) if (acc.serviceId === serviceId) m.accs.delete(key);
      for (const key of m.inflight.keys()) if (key.startsWith(`${serviceId}\0`)) m.inflight.delete(key);
    }
  }

  private writePending(): void {
    // Past the cap, minutes without data go first (they only trigger an evaluation), then the oldest.
    while (this.pending.length > MAX_PENDING_MINUTES) {
      const empty = this.pending.findIndex((m) => m.accs.size === 0);
      const [dropped] = this.pending.splice(empty >= 0 ? empty : 0, 1);
      if (dropped.accs.size > 0) console.error(`[monitoring] the metrics of the minute at ${new Date(dropped.ts).toISOString()} are dropped: the store has refused them for an hour`);
    }
    while (this.pending.length > 0) {
      const minute = this.pending[0];
      try {
        // Written means in the database, not in the store's buffer: the rules read the database.
        // A retry writes the same points again, which replace themselves.
        if (minute.accs.size > 0) {
          this.store.write(minutePoints(minute));
          this.store.flush();
        }
      } catch (e) {
        console.error('[monitoring] could not store the minute\'s metrics (kept for the next tick):', e);
        return;
      }
      this.pending.shift();
      if (minute.ts <= this.lastEvaluated) continue;
      this.lastEvaluated = minute.ts;
      // Alarm rules evaluate the minute now written (or its absence); a failing rule must not hold back the next minutes.
      try {
        this.onMinute(minute.ts);
      } catch (e) {
        console.error('[monitoring] evaluating the minute failed:', e);
      }
    }
  }

  private openMinute(ts: number): TMinute {
    return { ts, openedAt: this.monotonic(), accs: new Map(), inflight: new Map() };
  }

  private floorMinute(t: number): number {
    return Math.floor(t / this.minuteMs) * this.minuteMs;
  }

  /** The instance's resource metrics now: percentages of what its flavor gives it, rates in bit/min. */
  private resourceValues(inst: TMonitoredInstance): Record<(typeof RESOURCE_METRICS)[number], number | null> {
    const reading = this.sources.usage(inst.id);
    let rates: TUsageRates | undefined;
    if (reading) {
      const prev = this.lastReading.get(inst.id);
      // The engine's samples arrive on their own schedule: a repeated sample gives no new rate.
      if (!prev || reading.ts > prev.ts) {
        rates = usageRates(prev, reading);
        this.lastReading.set(inst.id, reading);
      }
    }
    const gpus = inst.gpuIndices.length > 0 ? this.sources.gpus(inst.nodeId).filter((g) => inst.gpuIndices.includes(g.index)) : [];
    const avg = (xs: (number | null)[]) => (xs.length > 0 && xs.every((x) => x !== null) ? (xs as number[]).reduce((a, b) => a + b, 0) / xs.length : null);
    const bitsPerMinute = (bps: number | null | undefined) => (bps === null || bps === undefined ? null : bps * 8 * 60);
    return {
      cpu_usage: rates?.cpuCores !== null && rates?.cpuCores !== undefined && inst.cpus > 0 ? (rates.cpuCores / inst.cpus) * 100 : null,
      mem_usage: rates?.memBytes !== null && rates?.memBytes !== undefined && inst.memoryBytes > 0 ? (rates.memBytes / inst.memoryBytes) * 100 : null,
      gpu_util: avg(gpus.map((g) => g.utilizationPct)),
      gpu_mem_usage: avg(gpus.map((g) => (g.memoryUsedMiB === null || !g.memoryTotalMiB ? null : (g.memoryUsedMiB / g.memoryTotalMiB) * 100))),
      disk_read_rate: bitsPerMinute(rates?.diskReadBps), disk_write_rate: bitsPerMinute(rates?.diskWriteBps),
      send_bytes_rate: bitsPerMinute(rates?.netTxBps), recv_bytes_rate: bitsPerMinute(rates?.netRxBps),
    };
  }

  /** The live view: this tick's values per service and version, counts scaled to per-minute rates. */
  private publishLive(window: Map<string, TAccumulator>, now: number): void {
    const byService = new Map<string, TAccumulator[]>();
    for (const acc of window.values()) byService.set(acc.serviceId, [...(byService.get(acc.serviceId) ?? []), acc]);
    const perMinute = this.minuteMs / this.tickMs;
    for (const [serviceId, accs] of byService) {
      const versions: TLiveTick['versions'] = {};
      for (const versionId of new Set(accs.map((a) => a.versionId).filter(Boolean))) {
        versions[versionId] = liveValues(accs.filter((a) => a.versionId === versionId), perMinute);
      }
      this.onTick({ serviceId, ts: now, service: liveValues(accs, perMinute), versions });
    }
  }
}

/**
 * Adds a window (a tick, or a minute closed before) to a minute. In-flight requests of a version or
 * service are the highest total over ticks: summed across instances within a tick, maximum across ticks.
 */
function absorb(minute: TMinute, window: Map<string, TAccumulator>, inflight?: Map<string, number>): void {
  const totals = inflight ?? new Map<string, number>();
  if (!inflight) {
    for (const acc of window.values()) {
      if (!acc.instanceId) continue;
      for (const key of [`${acc.serviceId}\0${acc.versionId}`, `${acc.serviceId}\0`]) totals.set(key, (totals.get(key) ?? 0) + acc.inflightMax);
    }
  }
  for (const [key, n] of totals) minute.inflight.set(key, Math.max(minute.inflight.get(key) ?? 0, n));
  for (const acc of window.values()) mergeInto(accumulator(minute.accs, acc.serviceId, acc.versionId, acc.instanceId), acc);
}

function accumulator(map: Map<string, TAccumulator>, serviceId: string, versionId: string, instanceId: string): TAccumulator {
  const key = `${serviceId}\0${versionId}\0${instanceId}`;
  let acc = map.get(key);
  if (!acc) {
    acc = { serviceId, versionId, instanceId, calls: emptyCalls(), resources: new Map(), inflightMax: 0 };
    map.set(key, acc);
  }
  return acc;
}

const emptyCalls = (): TCalls => ({ counts: { '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 }, latencySumMs: 0, latency: new LatencyHistogram(), bytesIn: 0, bytesOut: 0 });

function addCalls(acc: TAccumulator, s: Pick<TSeries, 'counts' | 'latencySumMs' | 'latency' | 'bytesIn' | 'bytesOut'>): void {
  for (const k of ['2xx', '3xx', '4xx', '5xx'] as const) acc.calls.counts[k] += s.counts[k];
  acc.calls.latencySumMs += s.latencySumMs;
  acc.calls.latency.merge(s.latency);
  acc.calls.bytesIn += s.bytesIn;
  acc.calls.bytesOut += s.bytesOut;
}

function mergeInto(into: TAccumulator, from: TAccumulator): void {
  addCalls(into, from.calls);
  into.inflightMax = Math.max(into.inflightMax, from.inflightMax);
  for (const [metric, v] of from.resources) {
    const r = into.resources.get(metric) ?? { sum: 0, n: 0 };
    into.resources.set(metric, { sum: r.sum + v.sum, n: r.n + v.n });
  }
}

/** The call metrics of some accumulators together (counts added, latency histograms merged). */
function callValues(accs: readonly TAccumulator[], scale = 1): Record<string, number> {
  const calls = emptyCalls();
  for (const a of accs) addCalls({ calls } as TAccumulator, a.calls);
  // Latency is the model's: the gateway's own refusals (no instance) count as calls, not in latency.
  const served = emptyCalls();
  for (const a of accs) if (a.instanceId) addCalls({ calls: served } as TAccumulator, a.calls);
  const c = calls.counts;
  const total = c['2xx'] + c['3xx'] + c['4xx'] + c['5xx'];
  const out: Record<string, number> = {
    total_called_times: total * scale, successfully_called_times: (c['2xx'] + c['3xx']) * scale, failed_called_times: (c['4xx'] + c['5xx']) * scale,
    req_count_2xx: c['2xx'] * scale, req_count_4xx: c['4xx'] * scale, req_count_5xx: c['5xx'] * scale,
    inflight_requests: accs.reduce((n, a) => n + a.inflightMax, 0),
  };
  if (served.latency.total > 0) {
    out.avg_latency = served.latencySumMs / served.latency.total;
    out.latency_p50 = served.latency.quantile(0.5)!;
    out.latency_p95 = served.latency.quantile(0.95)!;
    out.latency_p99 = served.latency.quantile(0.99)!;
  }
  return out;
}

/** Each instance's resource metrics averaged over the window, then combined: percentages averaged, rates added. */
function resourceValues(accs: readonly TAccumulator[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const metric of RESOURCE_METRICS) {
    const perInstance = accs.map((a) => a.resources.get(metric)).filter((r): r is { sum: number; n: number } => !!r && r.n > 0).map((r) => r.sum / r.n);
    if (perInstance.length === 0) continue;
    const total = perInstance.reduce((a, b) => a + b, 0);
    out[metric] = SUMMED.has(metric) ? total : total / perInstance.length;
  }
  return out;
}

function liveValues(accs: readonly TAccumulator[], perMinute: number): Record<string, number> {
  return { ...resourceValues(accs.filter((a) => a.instanceId)), ...callValues(accs, perMinute) };
}

/** One point per metric for each instance, version and service of a closed minute. */
function minutePoints(minute: TMinute): TMetricPoint[] {
  const { ts } = minute;
  const accs = [...minute.accs.values()];
  const points: TMetricPoint[] = [];
  const emit = (serviceId: string, modelId: string, instanceId: string, values: Record<string, number>) => {
    for (const [metric, value] of Object.entries(values)) points.push({ metric, serviceId, modelId, instanceId, ts, value });
  };
  const groupValues = (group: readonly TAccumulator[], inflightKey: string) => ({
    ...resourceValues(group.filter((a) => a.instanceId)), ...callValues(group), inflight_requests: minute.inflight.get(inflightKey) ?? 0,
  });
  const instances = accs.filter((a) => a.instanceId);
  for (const a of instances) emit(a.serviceId, a.versionId, a.instanceId, { ...resourceValues([a]), ...callValues([a]) });
  const byVersion = new Map<string, TAccumulator[]>();
  for (const a of instances) byVersion.set(`${a.serviceId}\0${a.versionId}`, [...(byVersion.get(`${a.serviceId}\0${a.versionId}`) ?? []), a]);
  for (const [key, group] of byVersion) emit(group[0].serviceId, group[0].versionId, '', groupValues(group, key));
  // The service counts the gateway's refusals too (no instance: instanceId '').
  for (const serviceId of new Set(accs.map((a) => a.serviceId))) emit(serviceId, '', '', groupValues(accs.filter((a) => a.serviceId === serviceId), `${serviceId}\0`));
  return points;
}
