'use client';
/**
 * Monitoring tab (guide table 3-5 "监控信息", §5): resource and call statistics of the service as
 * time-series charts over 1 h … 7 d or a custom range, for the whole service or per version. The
 * stored 1-minute points are fetched once a minute; the collector's 10-s ticks arrive over
 * socket.io and extend the charts and the "now" figures while the tab is open.
 */
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useMemo, useState } from 'react';
import type { TLiveTick, TMetricQueryInput, TMetricQueryResult } from '@/server/contracts/monitoring';
import type { TServiceDetail } from '@/server/contracts/services';
import type { TMessageKey } from '../i18n/messages-en';
import { useI18n } from '../i18n/i18n-provider';
import { useIsLive, useMetricTicks } from '../live/socket-provider';
import { useTRPC } from '../trpc';
import { formatTime } from '../ui/format';
import { MetricChart, type TChartSeries } from './metric-chart';
import { formatMetricValue } from './metric-format';

type TRangeChoice = '1' | '3' | '12' | '24' | '168' | 'custom';
type TLevel = 'service' | 'version';
/** A chart: its title and its lines (a metric, optionally named), and why it may be empty. */
type TChartDef = { title: TMessageKey; unit: string; lines: { metric: string; name?: TMessageKey }[]; empty?: TMessageKey };

const MAX_TICKS = 360;
const RANGES: [TRangeChoice, TMessageKey][] = [['1', 'monitoring.last1h'], ['3', 'monitoring.last3h'], ['12', 'monitoring.last12h'], ['24', 'monitoring.last24h'], ['168', 'monitoring.last7d'], ['custom', 'monitoring.custom']];
const toInput = (ms: number) => new Date(ms - new Date().getTimezoneOffset() * 60_000).toISOString().slice(0, 16);

function chartsFor(service: TServiceDetail, flavorGpus: number): { resources: TChartDef[]; calls: TChartDef[] } {
  const hasGpu = flavorGpus > 0;
  return {
    resources: [
      { title: 'monitoring.chart.cpu', unit: '%', lines: [{ metric: 'cpu_usage' }] },
      { title: 'monitoring.chart.mem', unit: '%', lines: [{ metric: 'mem_usage' }] },
      { title: 'monitoring.chart.gpu', unit: '%', lines: [{ metric: 'gpu_util' }], empty: hasGpu ? undefined : 'monitoring.emptyGpu' },
      { title: 'monitoring.chart.gpuMem', unit: '%', lines: [{ metric: 'gpu_mem_usage' }], empty: hasGpu ? undefined : 'monitoring.emptyGpu' },
      { title: 'monitoring.chart.npu', unit: '%', lines: [{ metric: 'npu_util' }, { metric: 'npu_mem_usage' }], empty: 'monitoring.emptyNpu' },
      { title: 'monitoring.chart.disk', unit: 'bit/min', lines: [{ metric: 'disk_read_rate', name: 'monitoring.series.read' }, { metric: 'disk_write_rate', name: 'monitoring.series.write' }] },
      {
        title: 'monitoring.chart.net', unit: 'bit/min', lines: [{ metric: 'send_bytes_rate', name: 'monitoring.series.send' }, { metric: 'recv_bytes_rate', name: 'monitoring.series.recv' }],
        empty: service.pool === 'local' ? 'monitoring.emptyNet' : undefined,
      },
    ],
    calls: [
      {
        title: 'monitoring.chart.calls', unit: 'Count/min', empty: 'monitoring.emptyCalls',
        lines: [{ metric: 'total_called_times', name: 'monitoring.series.total' }, { metric: 'req_count_2xx' }, { metric: 'req_count_4xx' }, { metric: 'req_count_5xx' }],
      },
      { title: 'monitoring.chart.success', unit: 'Count/min', empty: 'monitoring.emptyCalls', lines: [{ metric: 'successfully_called_times', name: 'monitoring.series.success' }, { metric: 'failed_called_times', name: 'monitoring.series.failed' }] },
      {
        title: 'monitoring.chart.latency', unit: 'ms', empty: 'monitoring.emptyCalls',
        lines: [{ metric: 'avg_latency', name: 'monitoring.series.avg' }, { metric: 'latency_p50' }, { metric: 'latency_p95' }, { metric: 'latency_p99' }],
      },
      { title: 'monitoring.chart.inflight', unit: 'Count', lines: [{ metric: 'inflight_requests' }] },
    ],
  };
}

const ALL_METRICS = ['cpu_usage', 'mem_usage', 'gpu_util', 'gpu_mem_usage', 'npu_util', 'npu_mem_usage', 'disk_read_rate', 'disk_write_rate', 'send_bytes_rate', 'recv_bytes_rate',
  'total_called_times', 'successfully_called_times', 'failed_called_times', 'req_count_2xx', 'req_count_4xx', 'req_count_5xx', 'avg_latency', 'latency_p50', 'latency_p95', 'latency_p99', 'inflight_requests'];

export function MonitoringPanel({ service }: { service: TServiceDetail }) {
  const { t } = useI18n();
  const trpc = useTRPC();
  const isLive = useIsLive();
  const [choice, setChoice] = useState<TRangeChoice>('1');
  const [level, setLevel] = useState<TLevel>('service');
  const [from, setFrom] = useState(() => toInput(Date.now() - 3_600_000));
  const [to, setTo] = useState(() => toInput(Date.now()));
  const [custom, setCustom] = useState<{ from: number; to: number } | null>(null);
  const [ticks, setTicks] = useState<TLiveTick[]>([]);
  useMetricTicks(service.id, (tick) => setTicks((old) => [...old.slice(-(MAX_TICKS - 1)), tick]));

  const range: TMetricQueryInput['range'] = choice === 'custom' && custom ? { kind: 'custom', ...custom } : { kind: 'last', hours: Number(choice === 'custom' ? '1' : choice) as 1 | 3 | 12 | 24 | 168 };
  const query = useQuery({
    ...trpc.services.metrics.queryOptions({ serviceId: service.id, metrics: ALL_METRICS, level, range }),
    refetchInterval: range.kind === 'last' ? 60_000 : false,
  });
  const data = query.data as TMetricQueryResult | undefined;
  const isFollowing = range.kind === 'last';
  const versionName = useMemo(() => new Map(service.versions.map((v) => [v.id, `${v.appName} ${v.appVersion}`])), [service.versions]);
  const flavors = useQuery(trpc.services.flavors.queryOptions());
  const flavorGpus = Math.max(0, ...service.versions.map((v) => flavors.data?.find((f) => f.id === v.flavor)?.gpu ?? 0));
  const charts = useMemo(() => chartsFor(service, flavorGpus), [service, flavorGpus]);
  const latest = ticks.at(-1)?.service;
  // The range asked for; while following "now", it ends at the newest tick.
  const spanEnd = Math.max(data?.to ?? 0, isFollowing ? (ticks.at(-1)?.ts ?? 0) : 0);
  const span = useMemo((): [number, number] => [data?.from ?? 0, spanEnd], [data?.from, spanEnd]);

  // Built once per data, tick or level change, so a chart keeps its zoom across unrelated renders.
  const seriesByChart = useMemo(() => {
    const linesOf = (def: TChartDef): TChartSeries[] => {
      if (!data) return [];
      return def.lines.flatMap((line) => {
        const name = line.name ? t(line.name) : line.metric;
        const stored = new Map(data.series.filter((x) => x.metric === line.metric).map((x) => [x.modelId, x.points]));
        // A version (or the service) with live ticks but no stored minute yet still gets its line.
        const keys = new Set([...stored.keys(), ...(isFollowing ? ticks.flatMap((k) => (level === 'version' ? Object.keys(k.versions) : [''])) : [])]);
        return [...keys].flatMap((modelId) => {
          const points = stored.get(modelId) ?? [];
          const last = points.at(-1)?.[0] ?? data.from - 60_000;
          // The live ticks after the last stored minute extend the line while following "now".
          const live = isFollowing
            ? ticks.filter((k) => k.ts > last + 60_000).flatMap((k): [number, number][] => {
                const v = level === 'version' ? k.versions[modelId]?.[line.metric] : k.service[line.metric];
                return v === undefined ? [] : [[k.ts, v]];
              })
            : [];
          if (points.length + live.length === 0) return [];
          const label = level === 'version' ? `${versionName.get(modelId) ?? modelId.slice(0, 8)} ${name}` : name;
          return [{ label, points: [...points, ...live] }];
        });
      });
    };
    return new Map([...charts.resources, ...charts.calls].map((def) => [def.title, linesOf(def)]));
  }, [data, ticks, level, charts, isFollowing, versionName, t]);

  return (
    <div className="monitoring">
      <div className="toolbar">
        <select aria-label={t('monitoring.range')} value={choice} onChange={(e) => setChoice(e.target.value as TRangeChoice)}>
          {RANGES.map(([value, label]) => (
            <option key={value} value={value}>
              {t(label)}
            </option>
          ))}
        </select>
        {choice === 'custom' && (
          <>
            <input aria-label={t('monitoring.from')} type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} />
            <input aria-label={t('monitoring.to')} type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} />
            <button type="button" className="btn" onClick={() => setCustom({ from: new Date(from).getTime(), to: new Date(to).getTime() })}>
              {t('monitoring.apply')}
            </button>
          </>
        )}
        <select aria-label={t('monitoring.seriesBy')} value={level} onChange={(e) => setLevel(e.target.value as TLevel)}>
          <option value="service">{t('monitoring.byService')}</option>
          <option value="version">{t('monitoring.byVersion')}</option>
        </select>
        <span className={isLive ? 'live-dot' : 'muted'}>{isLive ? t('monitoring.live') : t('monitoring.notLive')}</span>
        <Link href={`/alarms?create=1&service=${service.id}`} className="btn btn-small">
          {t('monitoring.createRule')}
        </Link>
      </div>
      {query.error && <p className="form-error">{query.error.message}</p>}
      <p className="muted" data-testid="monitoring-note">
        {data?.readySince ? t('monitoring.readySince', { time: formatTime(data.readySince) }) : data ? t('monitoring.notRunning') : ''}
      </p>
      <dl className="metric-now" aria-label={t('monitoring.now')}>
        {(
          [
            ['monitoring.stat.calls', 'total_called_times', 'Count/min'], ['monitoring.stat.4xx', 'req_count_4xx', 'Count/min'], ['monitoring.stat.5xx', 'req_count_5xx', 'Count/min'],
            ['monitoring.stat.latency', 'avg_latency', 'ms'], ['monitoring.stat.p99', 'latency_p99', 'ms'], ['monitoring.stat.inflight', 'inflight_requests', 'Count'],
            ['monitoring.stat.cpu', 'cpu_usage', '%'], ['monitoring.stat.mem', 'mem_usage', '%'],
          ] as [TMessageKey, string, string][]
        ).map(([label, metric, unit]) => (
          <div key={metric}>
            <dt>{t(label)}</dt>
            <dd data-testid={`now-${metric}`}>{latest?.[metric] === undefined ? '–' : formatMetricValue(latest[metric], unit)}</dd>
          </div>
        ))}
      </dl>
      {(['resources', 'calls'] as const).map((group) => (
        <section key={group} className="metric-group">
          <h3>{t(group === 'resources' ? 'monitoring.resources' : 'monitoring.calls')}</h3>
          <div className="metric-grid">
            {charts[group].map((def) => (
              <MetricChart
                key={def.title}
                title={t(def.title)}
                unit={def.unit}
                series={seriesByChart.get(def.title) ?? []}
                span={span}
                empty={!data ? t('monitoring.emptyLoading') : t(def.empty ?? 'monitoring.empty')}
              />
            ))}
          </div>
        </section>
      ))}
    </div>
  );
}
