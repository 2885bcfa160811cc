/**
 * The monitoring core without a running Anvil: histogram percentiles, /proc parsing on a recorded
 * process, rates across a restart, GPU metrics from recorded nvidia-smi output of a busy H100, and
 * the store's down-sampling, hourly aggregates and retention on a real SQLite file.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openDatabase } from '../db/database';
import { parseNvidiaSmiCsv } from '../pools/nvidia-smi';
import { parseProcReading, usageRates, type TUsageReading } from './instance-usage';
import { LatencyHistogram } from './latency-histogram';
import { MetricStore } from './metric-store';
import { MetricsCollector, type TCollectorSources, type TMonitoredInstance } from './metrics-collector';

const here = path.dirname(new URL(import.meta.url).pathname);
const fixture = (...p: string[]) => fs.readFileSync(path.join(here, ...p), 'utf8');
const MIN = 60_000;

function scratchStore(retention?: ConstructorParameters<typeof MetricStore>[1]) {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'anvil-metrics-')), 'anvil.db');
  const db = openDatabase(file);
  return { db, file, store: new MetricStore(db, retention) };
}

describe('LatencyHistogram', () => {
  it('reads percentiles within 10% of the exact values', () => {
    const h = new LatencyHistogram();
    for (let ms = 1; ms <= 1000; ms++) h.add(ms);
    for (const [q, exact] of [[0.5, 500], [0.95, 950], [0.99, 990]] as const) expect(Math.abs(h.quantile(q)! - exact) / exact).toBeLessThan(0.1);
    expect(new LatencyHistogram().quantile(0.5)).toBeNull();
  });
  it('merges histograms as if every latency had been added to one', () => {
    const [a, b, both] = [new LatencyHistogram(), new LatencyHistogram(), new LatencyHistogram()];
    for (let i = 0; i < 300; i++) {
      (i % 3 ? a : b).add(i / 7);
      both.add(i / 7);
    }
    a.merge(b);
    expect(a.total).toBe(300);
    expect(a.quantile(0.9)).toBe(both.quantile(0.9));
  });
});

describe('instance usage', () => {
  it('parses a recorded /proc of a process whose name has spaces and parentheses', () => {
    const r = parseProcReading(1000, { stat: fixture('fixtures/proc/stat'), status: fixture('fixtures/proc/status'), io: fixture('fixtures/proc/io') });
    // utime 822 + stime 28 ticks at 100 Hz; VmRSS 105660 kB; read_bytes 1249280.
    expect(r).toEqual({ ts: 1000, cpuSeconds: 8.5, memBytes: 105660 * 1024, diskReadBytes: 1249280, diskWriteBytes: 0, netRxBytes: null, netTxBytes: null });
    expect(parseProcReading(1000, { stat: fixture('fixtures/proc/stat'), status: fixture('fixtures/proc/status') }).diskReadBytes).toBeNull();
  });

  it('gives rates between readings, and none across a counter reset (a restart)', () => {
    const at = (ts: number, cpuSeconds: number, read: number): TUsageReading => ({ ts, cpuSeconds, memBytes: 1, diskReadBytes: read, diskWriteBytes: 0, netRxBytes: null, netTxBytes: null });
    expect(usageRates(at(0, 10, 1000), at(10_000, 15, 6000))).toMatchObject({ cpuCores: 0.5, diskReadBps: 500, netRxBps: null });
    expect(usageRates(at(0, 10, 1000), at(10_000, 2, 100))).toMatchObject({ cpuCores: null, diskReadBps: null, memBytes: 1 });
    expect(usageRates(undefined, at(0, 10, 1000)).cpuCores).toBeNull();
  });
});

describe('MetricsCollector', () => {
  // A recent minute: the store reads raw points only within their retention.
  const BASE = Math.floor(Date.now() / MIN) * MIN - 10 * MIN;
  const instance = (id: string, versionId: string, extra: Partial<TMonitoredInstance> = {}): TMonitoredInstance => ({
    id, serviceId: 'svc', versionId, cpus: 2, memoryBytes: 1000, nodeId: 'node-a', gpuIndices: [], ...extra,
  });
  function collector(sources: Partial<TCollectorSources>, clock: { t: number }) {
    const { store } = scratchStore();
    const c = new MetricsCollector(
      { requests: { drain: () => [] }, inflight: { count: () => 0 }, instances: () => [], usage: () => undefined, gpus: () => [], ...sources },
      store, undefined, { clock: () => clock.t },
    );
    return { c, store };
  }

  it('takes GPU usage of an instance from its node\'s nvidia-smi reading (recorded on a busy H100)', () => {
    const gpus = parseNvidiaSmiCsv(fixture('../pools/fixtures/nvidia-smi/recorded/h100-busy.csv')).map((g) => ({ ...g }));
    const clock = { t: BASE };
    const { c, store } = collector({ instances: () => [instance('i1', 'v1', { gpuIndices: [0] }), instance('i2', 'v1')], gpus: (node) => (node === 'node-a' ? gpus : []) }, clock);
    c.tick();
    c.closeMinute();
    const q = (metric: string, level: 'instance' | 'version') => store.query({ serviceId: 'svc', metric, level, from: BASE - MIN, to: BASE + MIN }).series;
    expect(q('gpu_util', 'instance')).toEqual([{ modelId: 'v1', instanceId: 'i1', points: [[BASE, 100]] }]);
    // 7375 of 81559 MiB.
    expect(q('gpu_mem_usage', 'instance')[0].points[0][1]).toBeCloseTo(9.043, 3);
    // The instance without a GPU has no GPU series; its version averages the instances that have one.
    expect(q('gpu_util', 'version')).toEqual([{ modelId: 'v1', instanceId: '', points: [[BASE, 100]] }]);
  });

  it('averages percentages and adds rates across instances, over the ticks of a minute', () => {
    const clock = { t: BASE };
    const cpu = new Map([['i1', 0], ['i2', 0]]);
    const usage = (id: string): TUsageReading => ({ ts: clock.t, cpuSeconds: cpu.get(id)!, memBytes: id === 'i1' ? 100 : 300, diskReadBytes: clock.t, diskWriteBytes: 0, netRxBytes: null, netTxBytes: null });
    const { c, store } = collector({ instances: () => [instance('i1', 'v1'), instance('i2', 'v1')], usage }, clock);
    c.tick();
    for (let i = 0; i < 5; i++) {
      clock.t += 10_000;
      cpu.set('i1', cpu.get('i1')! + 5); // 0.5 cores of 2: 25%
      cpu.set('i2', cpu.get('i2')! + 15); // 1.5 cores of 2: 75%
      c.tick();
    }
    c.closeMinute();
    const value = (metric: string) => store.query({ serviceId: 'svc', metric, level: 'version', from: BASE - MIN, to: BASE + MIN }).series[0].points[0][1];
    expect(value('cpu_usage')).toBe(50);
    expect(value('mem_usage')).toBe(20); // (10% + 30%) / 2
    // Each instance reads 1000 B/s: 2 × 1000 × 8 × 60 bit/min.
    expect(value('disk_read_rate')).toBe(960_000);
  });
});

describe('MetricsCollector under failure, stalls and deletion', () => {
  const BASE = Math.floor(Date.now() / MIN) * MIN - 30 * MIN;
  const calls = (n: number) => ({ serviceId: 'svc', versionId: 'v1', instanceId: 'i1', callerKind: 'token', counts: { '2xx': n, '3xx': 0, '4xx': 0, '5xx': 0 }, latencySumMs: 0, latency: new LatencyHistogram(), bytesIn: 0, bytesOut: 0 });
  /** A collector over a real store; `queue` holds what the gateway counted since the last drain. */
  /** `clock` is the wall clock, `mono` the monotonic one (each test moves both, or only the wall clock to step it). */
  function rig(over: Partial<TCollectorSources> = {}, onMinute?: (ts: number, store: MetricStore) => void) {
    const { store, db, file } = scratchStore();
    const clock = { t: BASE + 5000 };
    const mono = { t: 0 };
    const queue: ReturnType<typeof calls>[] = [];
    const minutes: number[] = [];
    const c = new MetricsCollector(
      { requests: { drain: () => queue.splice(0) }, inflight: { count: () => 0 }, instances: () => [], usage: () => undefined, gpus: () => [], ...over },
      store, undefined, { clock: () => clock.t, monotonic: () => mono.t, onMinute: (ts) => (onMinute?.(ts, store), minutes.push(ts)) },
    );
    const total = (level: 'service' | 'instance' = 'service') =>
      store.query({ serviceId: 'svc', metric: 'total_called_times', level, from: BASE - MIN, to: BASE + 200 * MIN }).series.flatMap((x) => x.points);
    /** Time passes: both clocks move. */
    const pass = (ms: number) => ((clock.t += ms), (mono.t += ms));
    return { c, store, db, file, clock, mono, pass, queue, minutes, total };
  }
  const quietly = <T>(fn: () => T): T => {
    const original = console.error;
    console.error = () => undefined;
    try {
      return fn();
    } finally {
      console.error = original;
    }
  };

  it('keeps the drained counts when reading the instances fails in the same tick', () => {
    let isBroken = true;
    const r = rig({ instances: () => (isBroken ? (() => { throw new Error('database is locked'); })() : []) });
    r.queue.push(calls(7));
    expect(() => r.c.tick()).toThrow('database is locked');
    isBroken = false;
    r.clock.t += MIN;
    r.c.tick();
    expect(r.total()).toEqual([[BASE, 7]]);
  });

  it('keeps a minute the store refused and writes it at the next tick; its rules are evaluated only then', () => {
    const r = rig();
    const write = r.store.write.bind(r.store);
    let refusals = 1;
    r.store.write = (points) => (refusals-- > 0 ? (() => { throw new Error('database is locked'); })() : write(points));
    r.queue.push(calls(5));
    r.c.tick();
    r.clock.t += MIN;
    quietly(() => r.c.tick());
    expect(r.total()).toEqual([]);
    expect(r.minutes).toEqual([]);
    r.clock.t += 10_000;
    r.c.tick();
    expect(r.total()).toEqual([[BASE, 5]]);
    expect(r.minutes).toEqual([BASE]);
  });

  it('writes a minute closed twice whole: the second close adds to the first, never replaces it', () => {
    const r = rig();
    r.queue.push(calls(3));
    r.c.tick();
    r.c.closeMinute(); // cut short, as tests do
    r.queue.push(calls(4));
    r.c.tick();
    r.clock.t += MIN;
    r.c.tick();
    expect(r.total()).toEqual([[BASE, 7]]);
    expect(r.total('instance')).toEqual([[BASE, 7]]);
  });

  it('evaluates a minute once its points are in the database, not in the store\'s buffer (a locked database holds both back)', () => {
    const r = rig({}, (ts, store) => store.values({ serviceId: 'svc', metric: 'total_called_times', from: ts, to: ts }));
    r.queue.push(calls(1));
    r.c.tick();
    r.pass(MIN);
    r.queue.push(calls(1));
    r.c.tick();
    expect(r.minutes).toEqual([BASE]);
    r.db.pragma('busy_timeout = 0');
    const other = new Database(r.file);
    other.exec('BEGIN IMMEDIATE');
    r.pass(MIN);
    quietly(() => r.c.tick());
    expect(r.minutes).toEqual([BASE]);
    other.exec('COMMIT');
    r.pass(MIN);
    r.c.tick();
    expect(r.total()).toContainEqual([BASE + MIN, 1]);
    expect(r.minutes).toEqual([BASE, BASE + MIN, BASE + 2 * MIN]);
  });

  it('keeps the minute that holds data through a stall of more than an hour, and evaluates the newest hour of skipped minutes', () => {
    const r = rig();
    r.queue.push(calls(9));
    r.c.tick();
    r.pass(90 * MIN);
    r.c.tick();
    expect(r.total()).toEqual([[BASE, 9]]);
    // The data's minute and the newest 59 of the 89 skipped (at most an hour of minutes wait).
    expect(r.minutes).toHaveLength(60);
    expect(r.minutes[0]).toBe(BASE);
    expect(r.minutes.at(-1)).toBe(BASE + 89 * MIN);
  });

  it('keeps a minute a minute long when the wall clock steps back, and its timestamps moving forward', () => {
    const r = rig();
    r.clock.t = BASE + 40 * MIN + 5000;
    r.c.tick();
    r.clock.t = BASE + 10 * MIN + 5000; // NTP steps the clock back 30 minutes
    for (let i = 0; i < 30; i++) {
      r.queue.push(calls(10));
      r.c.tick();
      for (let k = 0; k < 6; k++) {
        r.pass(10_000);
        r.c.tick();
      }
    }
    const points = r.total();
    expect(Math.max(...points.map(([, v]) => v))).toBeLessThanOrEqual(10);
    expect(points.reduce((n, [, v]) => n + v, 0)).toBe(300);
    expect(points.map(([ts]) => ts)).toEqual([...points.map(([ts]) => ts)].sort((a, b) => a - b));
  });

  it('evaluates a minute closed twice once', () => {
    const r = rig();
    r.queue.push(calls(3));
    r.c.tick();
    r.c.closeMinute();
    r.queue.push(calls(4));
    r.c.tick();
    r.pass(MIN);
    r.c.tick();
    expect(r.minutes).toEqual([BASE]);
  });

  it('drops calls a deleted service\'s gateway counted before or after it went', () => {
    const r = rig({ exists: (id) => id !== 'gone' });
    r.queue.push({ ...calls(2), serviceId: 'gone' });
    r.c.forgetService('gone');
    r.store.forgetService('gone');
    r.c.tick();
    r.pass(MIN);
    r.c.tick();
    expect(r.db.prepare("SELECT COUNT(*) AS n FROM metric_series WHERE service_id = 'gone'").get()).toEqual({ n: 0 });
  });

  it('evaluates every minute a stalled clock skipped, as minutes without data', () => {
    const r = rig();
    r.c.tick();
    r.clock.t += 4 * MIN;
    r.c.tick();
    expect(r.minutes).toEqual([BASE, BASE + MIN, BASE + 2 * MIN, BASE + 3 * MIN]);
  });

  it('gives a version the highest in-flight total of any tick, not the sum of each instance\'s peak', () => {
    const inflight = new Map([['i1', 3], ['i2', 0]]);
    const instance = (id: string): TMonitoredInstance => ({ id, serviceId: 'svc', versionId: 'v1', cpus: 1, memoryBytes: 1, nodeId: 'n', gpuIndices: [] });
    const r = rig({ instances: () => [instance('i1'), instance('i2')], inflight: { count: (id) => inflight.get(id)! } });
    r.c.tick();
    inflight.set('i1', 0).set('i2', 3);
    r.clock.t += 10_000;
    r.c.tick();
    r.clock.t += MIN;
    r.c.tick();
    const value = (level: 'service' | 'version') => r.store.query({ serviceId: 'svc', metric: 'inflight_requests', level, from: BASE, to: BASE + MIN }).series[0].points;
    expect(value('version')).toEqual([[BASE, 3]]);
    expect(value('service')).toEqual([[BASE, 3]]);
  });

  it('forgets a deleted service\'s open minute, so that its series are not written again', () => {
    const r = rig();
    r.queue.push(calls(2));
    r.c.tick();
    r.c.forgetService('svc');
    r.store.forgetService('svc');
    r.clock.t += MIN;
    r.c.tick();
    expect(r.db.prepare('SELECT COUNT(*) AS n FROM metric_series').get()).toEqual({ n: 0 });
  });
});

describe('a failing collection', () => {
  it('is logged and the next tick runs: it never ends Anvil', async () => {
    const { store } = scratchStore();
    let calls = 0;
    const errors: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void errors.push(args);
    const c = new MetricsCollector(
      {
        requests: { drain: () => [] }, inflight: { count: () => 0 }, usage: () => undefined, gpus: () => [],
        instances: () => {
          calls++;
          throw new Error('database is locked');
        },
      },
      store, undefined, { tickMs: 20 },
    );
    try {
      c.start();
      await new Promise((r) => setTimeout(r, 150));
    } finally {
      c.stop();
      console.error = original;
    }
    expect(calls).toBeGreaterThan(2);
    expect(errors.length).toBe(calls);
  });
});

describe('MetricStore', () => {
  afterEach(() => vi.useRealTimers());

  it('returns at most maxPoints per series: minutes averaged per step, percentiles by their maximum', () => {
    const { store } = scratchStore();
    const now = Date.now();
    const from = Math.floor((now - 7 * 24 * 60 * MIN) / MIN) * MIN;
    const points = [];
    for (let t = from, i = 0; t < now; t += MIN, i++) {
      points.push({ metric: 'total_called_times', serviceId: 's', ts: t, value: i % 2 ? 10 : 20 });
      points.push({ metric: 'latency_p99', serviceId: 's', ts: t, value: i % 2 ? 5 : 50 });
    }
    store.write(points);
    // 7 days of minutes in 504 points: steps of 20 minutes, ten of each value in every whole step.
    const calls = store.query({ serviceId: 's', metric: 'total_called_times', level: 'service', from, to: from + 10080 * MIN, maxPoints: 504 });
    expect(calls.stepMs).toBe(20 * MIN);
    const inner = calls.series[0].points.slice(1, -1);
    expect(calls.series[0].points.length).toBeLessThanOrEqual(505);
    expect(inner.length).toBeGreaterThan(490);
    expect(inner.every(([, v]) => v === 15)).toBe(true);
    expect(store.query({ serviceId: 's', metric: 'total_called_times', level: 'service', from, to: now }).series[0].points.length).toBeLessThanOrEqual(501);
    const p99 = store.query({ serviceId: 's', metric: 'latency_p99', level: 'service', from, to: from + 10080 * MIN, maxPoints: 504 });
    expect(p99.series[0].points.slice(1, -1).every(([, v]) => v === 50)).toBe(true);
  });

  it('keeps hourly aggregates past the raw retention, and drops both when their time is up', () => {
    const { store, db } = scratchStore({ rawRetentionMs: 2 * 60 * MIN, hourlyRetentionMs: 10 * 60 * MIN });
    const hour = 60 * MIN;
    const now = Math.floor(Date.now() / hour) * hour + 30 * MIN;
    const start = now - 5 * hour - 30 * MIN;
    const points = [];
    for (let t = start; t < now; t += MIN) points.push({ metric: 'cpu_usage', serviceId: 's', modelId: 'v', ts: t, value: ((t - start) / MIN) % 60 });
    store.write(points);
    store.maintain(now);
    const raw = (db.prepare('SELECT MIN(ts) AS ts FROM metric_points').get() as { ts: number }).ts;
    expect(raw).toBeGreaterThanOrEqual(now - 2 * hour);
    // The hours before the raw retention are still there, as their averages (0..59 → 29.5).
    const old = store.query({ serviceId: 's', metric: 'cpu_usage', level: 'version', from: start, to: now - 3 * hour, maxPoints: 100 });
    expect(old.series[0].points.length).toBeGreaterThan(0);
    expect(old.series[0].points.every(([, v]) => v === 29.5)).toBe(true);
    // Nothing after `to`, even where the points come from the hourly aggregates.
    const bounded = store.query({ serviceId: 's', metric: 'cpu_usage', level: 'version', from: start, to: start + 2 * hour, maxPoints: 100 });
    expect(bounded.series[0].points.every(([ts]) => ts <= start + 2 * hour)).toBe(true);
    store.maintain(now + 11 * hour);
    expect((db.prepare('SELECT COUNT(*) AS n FROM metric_hourly').get() as { n: number }).n).toBe(0);
  });

  it('forgets a deleted service: its series, points and hourly aggregates', () => {
    const { store, db } = scratchStore();
    const hour = 60 * MIN;
    const t = Math.floor(Date.now() / hour) * hour - 2 * hour;
    store.write([{ metric: 'cpu_usage', serviceId: 'gone', ts: t, value: 1 }, { metric: 'cpu_usage', serviceId: 'kept', ts: t, value: 1 }]);
    store.maintain(t + 2 * hour);
    expect(db.prepare('SELECT COUNT(*) AS n FROM metric_hourly').get()).toEqual({ n: 2 });
    store.forgetService('gone');
    expect(db.prepare('SELECT service_id FROM metric_series').all()).toEqual([{ service_id: 'kept' }]);
    expect(db.prepare('SELECT COUNT(*) AS n FROM metric_points').get()).toEqual({ n: 1 });
    expect(db.prepare('SELECT COUNT(*) AS n FROM metric_hourly').get()).toEqual({ n: 1 });
  });

  it('aggregates an hour only once its last minute is surely written', () => {
    const { store, db } = scratchStore();
    const hour = 60 * MIN;
    const h = Math.floor(Date.now() / hour) * hour - 3 * hour;
    store.write([{ metric: 'total_called_times', serviceId: 's', ts: h + 58 * MIN, value: 1 }]);
    // Housekeeping runs 30 s into the next hour; the collector writes minute :59 ten seconds later.
    store.maintain(h + hour + 30_000);
    store.write([{ metric: 'total_called_times', serviceId: 's', ts: h + 59 * MIN, value: 1 }]);
    store.maintain(h + 2 * hour);
    expect(db.prepare('SELECT n FROM metric_hourly WHERE ts = ?').get(h)).toEqual({ n: 2 });
  });

  it('drops series left without points (instances long gone), and the next write of one starts it again', () => {
    const { store, db } = scratchStore({ rawRetentionMs: 60 * MIN, hourlyRetentionMs: 120 * MIN });
    const now = Date.now();
    store.write([{ metric: 'cpu_usage', serviceId: 's', instanceId: 'old', ts: now - 200 * MIN, value: 1 }, { metric: 'cpu_usage', serviceId: 's', instanceId: 'new', ts: now, value: 1 }]);
    store.maintain(now);
    expect(db.prepare('SELECT instance_id FROM metric_series').all()).toEqual([{ instance_id: 'new' }]);
    store.write([{ metric: 'cpu_usage', serviceId: 's', instanceId: 'old', ts: now, value: 2 }]);
    expect(store.query({ serviceId: 's', metric: 'cpu_usage', level: 'instance', from: now - MIN, to: now + MIN }).series.map((x) => x.instanceId).sort()).toEqual(['new', 'old']);
  });

  it('reads Cloud Eye periods across the raw retention: a period holding hourly and raw minutes counts both', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const hour = 60 * MIN;
    const now = Date.UTC(2026, 0, 10, 12, 0, 0);
    vi.setSystemTime(now);
    const { store } = scratchStore({ rawRetentionMs: 6 * hour, hourlyRetentionMs: 30 * 24 * hour });
    const day = Date.UTC(2026, 0, 10);
    const points = [];
    for (let ts = day; ts < now; ts += MIN) points.push({ metric: 'total_called_times', serviceId: 's', ts, value: ts < day + 6 * hour ? 1 : 3 });
    store.write(points);
    store.maintain(now);
    const period = (filter: 'sum' | 'average' | 'max' | 'min' | 'variance') => store.periodValues({ serviceId: 's', metric: 'total_called_times', modelId: '', from: day - 24 * hour, to: now, periodMs: 24 * hour, filter });
    expect(period('sum')).toEqual([[day, 360 + 1080]]);
    expect(period('average')).toEqual([[day, 2]]);
    expect(period('max')).toEqual([[day, 3]]);
    expect(period('min')).toEqual([[day, 1]]);
    // The aggregates keep no variance: a day's variance is that of its raw minutes, which are all 3.
    expect(period('variance')).toEqual([[day, 0]]);
    expect(store.periodValues({ serviceId: 's', metric: 'total_called_times', modelId: '', from: now - hour, to: now, periodMs: 5 * MIN, filter: 'sum' })).toHaveLength(12);
  });

  it('gives as latest only the series with a recent point, of the services asked for', () => {
    const { store } = scratchStore();
    const now = Date.now();
    store.write([
      { metric: 'cpu_usage', serviceId: 'a', instanceId: 'gone', ts: now - 30 * MIN, value: 1 },
      { metric: 'cpu_usage', serviceId: 'a', instanceId: 'live', ts: now - MIN, value: 2 },
      { metric: 'cpu_usage', serviceId: 'b', instanceId: 'live', ts: now - MIN, value: 3 },
    ]);
    expect(store.latest({ since: now - 3 * MIN }).map((p) => `${p.serviceId}/${p.instanceId}`).sort()).toEqual(['a/live', 'b/live']);
    expect(store.latest({ since: now - 3 * MIN, serviceIds: ['b'] }).map((p) => p.value)).toEqual([3]);
    expect(store.latest({ since: now - 3 * MIN, serviceIds: [] })).toEqual([]);
  });
});
