/**
 * Time series of the monitoring metrics in SQLite: 1-minute points (kept `rawRetentionMs`, 7 days by
 * default) and hourly aggregates (avg/min/max/count, kept `hourlyRetentionMs`, 90 days). Writes are
 * batched; a range query returns at most `maxPoints` points per series, averaging (or taking the
 * maximum of) the minutes in each step, and reads hours older than the raw retention from the
 * aggregates.
 */
import type { TDatabase } from '../db/database';
import { BatchedInsert } from '../telemetry/batched-insert';
import { METRIC_PERIOD_MS, metricDef, type TMetricLevel } from './metric-catalog';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const ROLLUP_GRACE_MS = 5 * 60_000;
export const DEFAULT_MAX_POINTS = 500;

export type TMetricPoint = { metric: string; serviceId: string; modelId?: string; instanceId?: string; ts: number; value: number };
export type TSeriesKey = { modelId: string; instanceId: string };
export type TSeriesData = TSeriesKey & { points: [ts: number, value: number][] };
export type TMetricQuery = { serviceId: string; metric: string; level: TMetricLevel; from: number; to: number; maxPoints?: number; modelId?: string };
/** Cloud Eye's statistics of a period (`filter`). */
export type TPeriodFilter = 'average' | 'max' | 'min' | 'sum' | 'variance';
/** A bucket's sums, from raw points or hourly aggregates (which keep no sum of squares). */
type TBucketRow = { bucket: number; s: number; n: number; mx: number; mn: number; sq: number | null };
export type TMetricRetention = { rawRetentionMs: number; hourlyRetentionMs: number };
export const DEFAULT_RETENTION: TMetricRetention = { rawRetentionMs: 7 * DAY_MS, hourlyRetentionMs: 90 * DAY_MS };

export class MetricStore {
  private readonly seriesIds = new Map<string, number>();
  private readonly batch: BatchedInsert<[number, number, number]>;
  /** Hours before this are aggregated already. */
  private rolledUntil: number;

  constructor(
    private readonly db: TDatabase,
    readonly retention: TMetricRetention = DEFAULT_RETENTION,
  ) {
    this.batch = new BatchedInsert(db, 'INSERT OR REPLACE INTO metric_points (series_id, ts, value) VALUES (?, ?, ?)', { delayMs: 1000, tag: 'metrics', what: 'metric points' });
    const last = db.prepare('SELECT MAX(ts) AS ts FROM metric_hourly').get() as { ts: number | null };
    this.rolledUntil = last.ts === null ? 0 : last.ts + HOUR_MS;
  }

  write(points: readonly TMetricPoint[]): void {
    for (const p of points) {
      if (!Number.isFinite(p.value)) continue;
      this.batch.push([this.seriesId(p.serviceId, p.metric, p.modelId ?? '', p.instanceId ?? ''), p.ts, p.value]);
    }
  }

  flush(): void {
    this.batch.flush();
  }

  close(): void {
    this.batch.close();
  }

  /** Every series of one metric of a service at one level (one version's only, with `modelId`), oldest point first. */
  query(q: TMetricQuery): { stepMs: number; series: TSeriesData[] } {
    this.flush();
    const maxPoints = Math.max(1, Math.min(q.maxPoints ?? DEFAULT_MAX_POINTS, 2000));
    const span = Math.max(0, q.to - q.from);
    const stepMs = Math.max(METRIC_PERIOD_MS, Math.ceil(span / maxPoints / METRIC_PERIOD_MS) * METRIC_PERIOD_MS);
    const levelFilter = q.level === 'service' ? "s.model_id = '' AND s.instance_id = ''" : q.level === 'version' ? "s.model_id <> '' AND s.instance_id = ''" : "s.instance_id <> ''";
    const versionFilter = q.modelId ? 'AND s.model_id = @modelId' : '';
    const series = this.db
      .prepare(`SELECT id, model_id, instance_id FROM metric_series s WHERE s.service_id = @serviceId AND s.metric = @metric AND ${levelFilter} ${versionFilter}`)
      .all({ serviceId: q.serviceId, metric: q.metric, modelId: q.modelId ?? '' }) as { id: number; model_id: string; instance_id: string }[];
    const filter: TPeriodFilter = metricDef(q.metric)?.rollup === 'max' ? 'max' : 'average';
    return {
      stepMs,
      series: series.map((s) => ({ modelId: s.model_id, instanceId: s.instance_id, points: this.buckets(s.id, q.from, q.to, stepMs, filter, true) })),
    };
  }

  /**
   * One version's or service's series as Cloud Eye gives it: buckets of `periodMs` with one statistic
   * of their 1-minute points, oldest first. Hours past the raw retention come from the hourly
   * aggregates where the period is whole hours (which keep no variance).
   */
  periodValues(q: { serviceId: string; metric: string; modelId: string; from: number; to: number; periodMs: number; filter: TPeriodFilter }): [number, number][] {
    this.flush();
    const series = this.db.prepare("SELECT id FROM metric_series WHERE service_id = ? AND metric = ? AND model_id = ? AND instance_id = ''").get(q.serviceId, q.metric, q.modelId) as
      | { id: number }
      | undefined;
    if (!series) return [];
    return this.buckets(series.id, q.from, q.to, q.periodMs, q.filter, q.periodMs % HOUR_MS === 0 && q.filter !== 'variance');
  }

  /**
   * One series in buckets of `stepMs` over [from, to], each the `filter` statistic of its minutes:
   * raw points within their retention and, with `withHourly`, hourly aggregates before it. The two
   * sources meet at an hour boundary, and a bucket holding minutes of both combines them.
   */
  private buckets(seriesId: number, from: number, to: number, stepMs: number, filter: TPeriodFilter, withHourly: boolean): [number, number][] {
    const retained = Math.max(from, Date.now() - this.retention.rawRetentionMs);
    const hourEdge = Math.ceil(retained / HOUR_MS) * HOUR_MS;
    // Hours before the edge come from the aggregates when they are all aggregated; raw points from there on.
    const split = withHourly && retained > from && this.rolledUntil >= hourEdge ? hourEdge : retained;
    const params = { id: seriesId, step: stepMs, from, split, to };
    const hourly = split > from && withHourly
      ? (this.db
          .prepare(
            `SELECT ts - (ts % @step) AS bucket, SUM(avg * n) AS s, SUM(n) AS n, MAX(max) AS mx, MIN(min) AS mn, NULL AS sq FROM metric_hourly
             WHERE series_id = @id AND ts >= @from AND ts < @split AND ts < @to GROUP BY bucket ORDER BY bucket`,
          )
          .all(params) as TBucketRow[])
      : [];
    const raw = this.db
      .prepare(
        `SELECT ts - (ts % @step) AS bucket, SUM(value) AS s, COUNT(*) AS n, MAX(value) AS mx, MIN(value) AS mn, SUM(value * value) AS sq FROM metric_points
         WHERE series_id = @id AND ts >= @split AND ts <= @to GROUP BY bucket ORDER BY bucket`,
      )
      .all(params) as TBucketRow[];
    const merged = new Map<number, TBucketRow>();
    for (const r of [...hourly, ...raw]) {
      const m = merged.get(r.bucket);
      merged.set(r.bucket, m ? { bucket: r.bucket, s: m.s + r.s, n: m.n + r.n, mx: Math.max(m.mx, r.mx), mn: Math.min(m.mn, r.mn), sq: m.sq === null || r.sq === null ? null : m.sq + r.sq } : r);
    }
    const points: [number, number][] = [];
    for (const b of [...merged.values()].sort((x, y) => x.bucket - y.bucket)) {
      const value = filter === 'sum' ? b.s : filter === 'max' ? b.mx : filter === 'min' ? b.mn : filter === 'average' ? b.s / b.n : b.sq === null ? null : Math.max(0, b.sq / b.n - (b.s / b.n) ** 2);
      if (value !== null) points.push([b.bucket, round(value)]);
    }
    return points;
  }

  /** The raw 1-minute values of one series in [from, to] (alarm evaluation); none when the series does not exist. */
  values(q: { serviceId: string; metric: string; modelId?: string; from: number; to: number }): number[] {
    this.flush();
    const rows = this.db
      .prepare(
        `SELECT p.value FROM metric_series s JOIN metric_points p ON p.series_id = s.id
         WHERE s.service_id = ? AND s.metric = ? AND s.model_id = ? AND s.instance_id = '' AND p.ts >= ? AND p.ts <= ? ORDER BY p.ts`,
      )
      .all(q.serviceId, q.metric, q.modelId ?? '', q.from, q.to) as { value: number }[];
    return rows.map((r) => r.value);
  }

  /** One metric summed over several services (service-level series), each step the sum of their averages: the overview's chart. */
  sumOverServices(serviceIds: readonly string[], metric: string, from: number, to: number, maxPoints = DEFAULT_MAX_POINTS): { stepMs: number; points: [number, number][] } {
    this.flush();
    const stepMs = Math.max(METRIC_PERIOD_MS, Math.ceil(Math.max(0, to - from) / maxPoints / METRIC_PERIOD_MS) * METRIC_PERIOD_MS);
    if (serviceIds.length === 0) return { stepMs, points: [] };
    const marks = serviceIds.map(() => '?').join(', ');
    const rows = this.db
      .prepare(
        `SELECT bucket, SUM(value) AS value FROM (
           SELECT p.ts - (p.ts % ?) AS bucket, AVG(p.value) AS value FROM metric_series s JOIN metric_points p ON p.series_id = s.id
           WHERE s.service_id IN (${marks}) AND s.metric = ? AND s.model_id = '' AND s.instance_id = '' AND p.ts >= ? AND p.ts <= ?
           GROUP BY s.id, bucket)
         GROUP BY bucket ORDER BY bucket`,
      )
      .all(stepMs, ...serviceIds, metric, from, to) as { bucket: number; value: number }[];
    return { stepMs, points: rows.map((r) => [r.bucket, round(r.value)]) };
  }

  /** Per service, the sum of a metric's 1-minute points in [from, to] (a count over the range for Count/min metrics). */
  totalsByService(serviceIds: readonly string[], metric: string, from: number, to: number): Map<string, number> {
    this.flush();
    if (serviceIds.length === 0) return new Map();
    const rows = this.db
      .prepare(
        `SELECT s.service_id, SUM(p.value) AS total FROM metric_series s JOIN metric_points p ON p.series_id = s.id
         WHERE s.service_id IN (${serviceIds.map(() => '?').join(', ')}) AND s.metric = ? AND s.model_id = '' AND s.instance_id = '' AND p.ts >= ? AND p.ts <= ?
         GROUP BY s.service_id`,
      )
      .all(...serviceIds, metric, from, to) as { service_id: string; total: number }[];
    return new Map(rows.map((r) => [r.service_id, r.total]));
  }

  /**
   * The latest point of every series that has one at or after `since` (`/metrics`: a series whose
   * instance is gone must not be exported as a current value), of the given services only when named.
   */
  latest(opts: { since: number; serviceIds?: readonly string[] }): (TMetricPoint & { modelId: string; instanceId: string })[] {
    this.flush();
    if (opts.serviceIds?.length === 0) return [];
    const services = opts.serviceIds ? `AND s.service_id IN (${opts.serviceIds.map(() => '?').join(', ')})` : '';
    const rows = this.db
      .prepare(
        `SELECT s.service_id, s.metric, s.model_id, s.instance_id, p.ts, p.value FROM metric_series s
         JOIN metric_points p ON p.series_id = s.id AND p.ts = (SELECT MAX(ts) FROM metric_points WHERE series_id = s.id)
         WHERE p.ts >= ? ${services}`,
      )
      .all(opts.since, ...(opts.serviceIds ?? [])) as { service_id: string; metric: string; model_id: string; instance_id: string; ts: number; value: number }[];
    return rows.map((r) => ({ serviceId: r.service_id, metric: r.metric, modelId: r.model_id, instanceId: r.instance_id, ts: r.ts, value: r.value }));
  }

  /**
   * Aggregates every complete hour not yet aggregated (idempotent), then drops what is past
   * retention and the series left without points (instances that ended long ago).
   */
  maintain(nowMs = Date.now(), oldestPending?: number): void {
    this.flush();
    // An hour is complete once its last minute is surely written: the collector closes a minute at
    // the next tick and writes it at once, or later while the database is locked (`oldestPending`).
    const until = Math.floor((Math.min(nowMs - ROLLUP_GRACE_MS, oldestPending ?? Infinity)) / HOUR_MS) * HOUR_MS;
    if (until > this.rolledUntil) {
      const from = this.rolledUntil || ((this.db.prepare('SELECT MIN(ts) AS ts FROM metric_points').get() as { ts: number | null }).ts ?? until);
      this.db
        .prepare(
          `INSERT OR REPLACE INTO metric_hourly (series_id, ts, avg, min, max, n)
           SELECT series_id, (ts / ${HOUR_MS}) * ${HOUR_MS}, AVG(value), MIN(value), MAX(value), COUNT(*) FROM metric_points
           WHERE ts >= ? AND ts < ? GROUP BY series_id, ts / ${HOUR_MS}`,
        )
        .run(Math.floor(from / HOUR_MS) * HOUR_MS, until);
      this.rolledUntil = until;
    }
    this.db.prepare('DELETE FROM metric_points WHERE ts < ?').run(nowMs - this.retention.rawRetentionMs);
    this.db.prepare('DELETE FROM metric_hourly WHERE ts < ?').run(nowMs - this.retention.hourlyRetentionMs);
    this.db
      .prepare(
        `DELETE FROM metric_series WHERE NOT EXISTS (SELECT 1 FROM metric_points p WHERE p.series_id = metric_series.id)
         AND NOT EXISTS (SELECT 1 FROM metric_hourly h WHERE h.series_id = metric_series.id)`,
      )
      .run();
    // The cache of series ids starts again from what is left (it would otherwise hold every instance ever seen).
    this.seriesIds.clear();
  }

  /** A deleted service's series go with it (guide §5.3: deleted services show no metrics). */
  forgetService(serviceId: string): void {
    this.batch.flush();
    const ids = this.db.prepare('SELECT id FROM metric_series WHERE service_id = ?').all(serviceId) as { id: number }[];
    this.db.transaction(() => {
      for (const { id } of ids) {
        this.db.prepare('DELETE FROM metric_points WHERE series_id = ?').run(id);
        this.db.prepare('DELETE FROM metric_hourly WHERE series_id = ?').run(id);
      }
      this.db.prepare('DELETE FROM metric_series WHERE service_id = ?').run(serviceId);
    })();
    for (const key of this.seriesIds.keys()) if (key.startsWith(`${serviceId}\0`)) this.seriesIds.delete(key);
  }

  private seriesId(serviceId: string, metric: string, modelId: string, instanceId: string): number {
    const key = `${serviceId}\0${metric}\0${modelId}\0${instanceId}`;
    let id = this.seriesIds.get(key);
    if (id === undefined) {
      this.db.prepare('INSERT OR IGNORE INTO metric_series (service_id, metric, model_id, instance_id) VALUES (?, ?, ?, ?)').run(serviceId, metric, modelId, instanceId);
      id = (this.db.prepare('SELECT id FROM metric_series WHERE service_id = ? AND metric = ? AND model_id = ? AND instance_id = ?').get(serviceId, metric, modelId, instanceId) as { id: number }).id;
      this.seriesIds.set(key, id);
    }
    return id;
  }
}

const round = (n: number) => Math.round(n * 1000) / 1000;
