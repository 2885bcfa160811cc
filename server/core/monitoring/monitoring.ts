/**
 * Monitoring of services (guide §5): the metric store, the collector and where its readings come
 * from (the gateway's counters, `/proc` for process instances, the engine's stats for containers,
 * nvidia-smi for GPUs), and the queries the console and the REST API make.
 */
import type { TLiveTick, TMetricQueryInput, TMetricQueryResult } from '../../contracts/monitoring';
import { ZMetricQuerySchema } from '../../contracts/monitoring';
import type { DomainBus } from '../bus';
import type { TDatabase } from '../db/database';
import { findFlavor } from '../deploy/flavors';
import type { TLiveInstance } from '../deploy/instance-supervisor';
import { invalid } from '../errors';
import type { InflightRequests } from '../gateway/inflight';
import type { RequestMetrics } from '../gateway/request-metrics';
import { readProcess, type TUsageReading } from './instance-usage';
import { METRIC_PERIOD_MS, metricDef } from './metric-catalog';
import { AlarmEngine } from './alarms/alarm-engine';
import { AlarmRules } from './alarms/alarm-rules';
import type { SecretBox } from '../access/secret-box';
import type { EventLog } from '../telemetry/events';
import { MetricStore, type TMetricRetention } from './metric-store';
import { prometheusText, type TServiceRef } from './prometheus-exposition';
import { sameSecret } from '../access/secret-box';
import { checkRange, datapoints, resolveMetric, type TCloudEyeMetric, type TCloudEyeRange } from './cloud-eye-query';
import { MetricsCollector, type TGpuReading, type TMonitoredInstance } from './metrics-collector';

export type TMonitoringDeps = {
  /** The engine's latest stats of a container instance (pushed every 10 s by the Docker drivers). */
  containerUsage(instanceId: string): TUsageReading | undefined;
  db: TDatabase;
  bus: DomainBus;
  box: SecretBox;
  events: EventLog;
  /** Running (or concerning) services of a project; the versions of one of its services (undefined: no such service). */
  runningServices(projectId: string): { id: string; name: string }[];
  /** Every service of a project, whatever its status. */
  serviceIdsOf(projectId: string): string[];
  versionsOf(projectId: string, serviceId: string): string[] | undefined;
  setAlarmed(serviceId: string, reason: string | null): void;
  requests: RequestMetrics;
  inflight: InflightRequests;
  liveInstances(): TLiveInstance[];
  /** The flavor a version runs with. */
  flavorOf(serviceId: string, versionId: string): string | undefined;
  gpus(nodeId: string): readonly TGpuReading[];
  serviceRef(serviceId: string): TServiceRef | undefined;
};

/**
 * A series is current when it has a point of one of the last few minutes: the minute closes at the
 * first tick after it ends, so the newest point of a live series is one to two minutes old.
 */
const CURRENT_MINUTES = 3;

/** Instances with a process or container to read: not yet placed or already ended ones have none. */
const MONITORED = new Set(['starting', 'ready', 'unready']);

export type TMonitoringOptions = {
  retention?: TMetricRetention;
  /** How long resolved alarms, notifications and webhook deliveries are kept (default 30 days). */
  alarmHistoryMs?: number;
  tickMs?: number;
  minuteMs?: number;
  autoStart?: boolean;
  /** ANVIL_METRICS_TOKEN: lets a scraper read every project's metrics from GET /metrics. */
  scrapeToken?: string;
  /** Waits between webhook attempts (tests shorten them). */
  webhookRetryDelaysMs?: readonly number[];
};

export class Monitoring {
  readonly store: MetricStore;
  readonly collector: MetricsCollector;
  readonly rules: AlarmRules;
  readonly alarms: AlarmEngine;

  constructor(
    private readonly deps: TMonitoringDeps,
    private readonly opts: TMonitoringOptions = {},
  ) {
    this.store = new MetricStore(deps.db, opts.retention);
    this.rules = new AlarmRules({ db: deps.db, box: deps.box, versionsOf: deps.versionsOf, firingCount: (id) => this.alarms.firingCount(id),
      reconcile: (deleting) => this.alarms.reconcile(deleting),
    });
    this.alarms = new AlarmEngine({
      db: deps.db, bus: deps.bus, rules: this.rules, store: this.store, events: deps.events, runningServices: deps.runningServices,
      serviceName: (id) => deps.serviceRef(id)?.name, setAlarmed: deps.setAlarmed, minuteMs: opts.minuteMs ?? METRIC_PERIOD_MS,
      webhookRetryDelaysMs: opts.webhookRetryDelaysMs,
    });
    this.collector = new MetricsCollector(
      {
        requests: deps.requests, inflight: deps.inflight, gpus: deps.gpus,
        instances: () => this.monitoredInstances(),
        exists: (serviceId) => !!deps.serviceRef(serviceId),
        usage: (id) => this.usageOf(id),
      },
      this.store,
      (tick: TLiveTick) => deps.bus.emit('metrics.tick', tick),
      {
        tickMs: opts.tickMs, minuteMs: opts.minuteMs,
        // The minute's points are in the store; the collector logs a failing evaluation and goes on.
        onMinute: (ts) => this.alarms.evaluate(ts),
      },
    );
    deps.bus.on('service.purged', ({ serviceId }) => {
      this.collector.forgetService(serviceId);
      this.store.forgetService(serviceId);
    });
    if (opts.autoStart !== false) this.collector.start();
  }

  /** Metric series of one service (the caller checked the project), at most `maxPoints` points each. */
  query(input: TMetricQueryInput, nowMs = Date.now()): TMetricQueryResult {
    const parsed = ZMetricQuerySchema.safeParse(input);
    if (!parsed.success) throw invalid(String(parsed.error.issues[0].path.join('.') || 'query'), parsed.error.issues[0].message);
    const q = parsed.data;
    const unknown = q.metrics.find((m) => !metricDef(m));
    if (unknown) throw invalid('metrics', `Unknown metric ${unknown}; see GET /v1/{project_id}/metrics/catalog.`);
    const to = q.range.kind === 'custom' ? q.range.to : nowMs;
    const from = q.range.kind === 'custom' ? q.range.from : to - q.range.hours * 3_600_000;
    if (to - from > this.store.retention.hourlyRetentionMs) throw invalid('range', `Metrics are kept ${Math.round(this.store.retention.hourlyRetentionMs / 86_400_000)} days; ask for a shorter range.`);
    let stepMs = 0;
    const series = q.metrics.flatMap((metric) => {
      const r = this.store.query({ serviceId: q.serviceId, metric, level: q.level, modelId: q.modelId, from, to, maxPoints: q.maxPoints });
      stepMs = r.stepMs;
      return r.series.map((s) => ({ metric, ...s }));
    });
    const started = this.deps.liveInstances().filter((i) => i.serviceId === q.serviceId && i.startedAt !== null).map((i) => i.startedAt!);
    return { from, to, stepMs, series, readySince: started.length > 0 ? Math.min(...started) : null };
  }

  /**
   * Cloud Eye metric queries of a project (guide §5.1): each metric named by its dimensions, every
   * one of a model load's mandatory; all are checked before any is read.
   */
  cloudEye(
    projectId: string,
    metrics: { metric: TCloudEyeMetric; fields: Parameters<typeof resolveMetric>[2] }[],
    range: TCloudEyeRange,
  ): { unit: string; datapoints: Record<string, number>[] }[] {
    checkRange(range);
    const series = metrics.map(({ metric, fields }) => resolveMetric(metric, (serviceId) => this.deps.versionsOf(projectId, serviceId), fields));
    return series.map((s) => ({ unit: s.def.unit, datapoints: datapoints(this.store, s, range) }));
  }

  /** Whether `presented` is the operator's scrape token (compared in constant time). */
  isScrapeToken(presented: string): boolean {
    return !!this.opts.scrapeToken && sameSecret(presented, this.opts.scrapeToken);
  }

  /** Prometheus exposition of every service, or of one project's: the series with a point in the last few minutes. */
  prometheus(projectId: string | 'all', nowMs = Date.now()): Promise<{ contentType: string; body: string }> {
    const since = nowMs - CURRENT_MINUTES * (this.opts.minuteMs ?? METRIC_PERIOD_MS);
    return prometheusText(this.store, this.deps.serviceRef, { since, serviceIds: projectId === 'all' ? undefined : this.deps.serviceIdsOf(projectId) });
  }

  /** Housekeeping: hourly aggregates (never of an hour the collector still owes minutes to) and retention. */
  maintainStore(nowMs = Date.now()): void {
    this.store.maintain(nowMs, this.collector.oldestPending());
  }

  /** Housekeeping: old alarm history, notifications and webhook deliveries go. */
  purgeAlarmHistory(nowMs = Date.now()): number {
    return this.alarms.purgeExpired(this.opts.alarmHistoryMs, nowMs);
  }

  close(): void {
    this.collector.stop();
    this.store.close();
  }

  private monitoredInstances(): TMonitoredInstance[] {
    const out: TMonitoredInstance[] = [];
    for (const inst of this.deps.liveInstances()) {
      if (!MONITORED.has(inst.status)) continue;
      const flavor = findFlavor(this.deps.flavorOf(inst.serviceId, inst.versionId) ?? '');
      out.push({
        id: inst.id, serviceId: inst.serviceId, versionId: inst.versionId, nodeId: inst.nodeId, gpuIndices: inst.gpuIndices,
        cpus: flavor?.cpu ?? 0, memoryBytes: (flavor?.memoryGiB ?? 0) * 1024 ** 3,
      });
    }
    return out;
  }

  private usageOf(instanceId: string): TUsageReading | undefined {
    const container = this.deps.containerUsage(instanceId);
    if (container) return container;
    const pid = this.deps.liveInstances().find((i) => i.id === instanceId)?.pid;
    return pid ? readProcess(pid) : undefined;
  }
}
