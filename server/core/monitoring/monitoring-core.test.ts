/**
 * The monitoring core without a running Anvil: histogram percentiles, /proc parsing on a recorded
 * process, rates across a restart, GPU metrics from recorded nvidia-smi output of a busy H100, and
 * the store's down-sampling, hourly aggregates and retention on a real SQLite file.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
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
  const db = openDatabase(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'anvil-metrics-')), 'anvil.db'));
  return { db, store: new MetricStore(db, retention) };
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

  it('forgets a deleted service', () => {
    const { store, db } = scratchStore();
    store.write([{ metric: 'cpu_usage', serviceId: 'gone', ts: 0, value: 1 }, { metric: 'cpu_usage', serviceId: 'kept', ts: 0, value: 1 }]);
    store.forgetService('gone');
    expect(db.prepare('SELECT service_id FROM metric_series').all()).toEqual([{ service_id: 'kept' }]);
  });
});
