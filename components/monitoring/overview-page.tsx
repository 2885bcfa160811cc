'use client';
/**
 * The console's home: the project's services by status, calls and errors over the last 24 hours,
 * the busiest services and those with the highest error rates, and node capacity (what placed
 * instances hold against what each node hands out). Refreshed every minute and on service changes.
 */
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useMemo } from 'react';
import type { TOverview } from '@/server/contracts/monitoring';
import { SERVICE_STATUSES } from '@/server/contracts/services';
import type { TMessageKey } from '../i18n/messages-en';
import { useI18n } from '../i18n/i18n-provider';
import { useLiveTopic } from '../live/socket-provider';
import { useTRPC } from '../trpc';
import { TableHead } from '../ui/table-head';
import { MetricChart } from './metric-chart';

const percent = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 100) : 0);

function Capacity({ label, used, total, unit }: { label: string; used: number; total: number; unit: string }) {
  return (
    <div className="capacity" title={`${used} / ${total} ${unit}`}>
      <span>{label}</span>
      <meter min={0} max={Math.max(total, 1)} value={used} aria-label={label} />
      <span className="mono">
        {used}/{total} {unit}
      </span>
    </div>
  );
}

export function OverviewPage() {
  const { t } = useI18n();
  const trpc = useTRPC();
  useLiveTopic('services');
  const overview = useQuery({ ...trpc.monitoring.overview.queryOptions(), refetchInterval: 60_000 });
  const o = overview.data as TOverview | undefined;
  const series = useMemo(() => (o ? [{ label: t('overview.calls'), points: o.calls.total }, { label: t('overview.errors'), points: o.calls.failed }] : []), [o, t]);
  const span = useMemo((): [number, number] => [o?.calls.from ?? 0, o?.calls.to ?? 0], [o]);

  return (
    <div>
      <h1>{t('overview.title')}</h1>
      <section className="panel" aria-label={t('overview.services')}>
        <h2>{t('overview.services')}</h2>
        <dl className="metric-now">
          {SERVICE_STATUSES.filter((s) => s !== 'deleting').map((status) => (
            <div key={status}>
              <dt>{t(`status.${status}` as TMessageKey)}</dt>
              <dd data-testid={o ? `services-${status}` : undefined}>{o ? (o.servicesByStatus[status] ?? 0) : '–'}</dd>
            </div>
          ))}
        </dl>
      </section>
      <section className="panel" aria-label={t('overview.traffic')}>
        <h2>{t('overview.traffic')}</h2>
        <dl className="metric-now">
          <div>
            <dt>{t('overview.calls24h')}</dt>
            <dd data-testid={o ? 'calls-24h' : undefined}>{o ? o.totals.calls : '–'}</dd>
          </div>
          <div>
            <dt>{t('overview.errors24h')}</dt>
            <dd data-testid={o ? 'errors-24h' : undefined}>{o ? o.totals.failed : '–'}</dd>
          </div>
          <div>
            <dt>{t('overview.errorRate')}</dt>
            <dd>{percent(o?.totals.failed ?? 0, o?.totals.calls ?? 0)}%</dd>
          </div>
        </dl>
        <MetricChart title={t('overview.callsChart')} unit="Count/min" series={series} span={span} empty={o ? t('overview.noCalls') : t('monitoring.emptyLoading')} />
        <div className="overview-tops">
          <div>
            <h3>{t('overview.topTraffic')}</h3>
            <table className="table" aria-label={t('overview.topTraffic')}>
              <tbody>
                {o?.topByTraffic.map((s) => (
                  <tr key={s.serviceId}>
                    <td>
                      <Link href={`/services/${s.serviceId}`}>{s.name}</Link>
                    </td>
                    <td className="mono">{t('overview.callsN', { n: Math.round(s.calls) })}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {o?.topByTraffic.length === 0 && <p className="muted">{t('overview.noCalls')}</p>}
          </div>
          <div>
            <h3>{t('overview.topErrors')}</h3>
            <table className="table" aria-label={t('overview.topErrors')}>
              <tbody>
                {o?.topByErrorRate.map((s) => (
                  <tr key={s.serviceId}>
                    <td>
                      <Link href={`/services/${s.serviceId}`}>{s.name}</Link>
                    </td>
                    <td className="mono">
                      {percent(s.failed, s.calls)}% ({Math.round(s.failed)}/{Math.round(s.calls)})
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {o?.topByErrorRate.length === 0 && <p className="muted">{t('overview.noErrors')}</p>}
          </div>
        </div>
      </section>
      <section className="panel" aria-label={t('overview.nodes')}>
        <h2>{t('overview.nodes')}</h2>
        <table className="table">
          <TableHead labels={[t('overview.node'), 'CPU', t('overview.memory'), 'GPU']} />
          <tbody>
            {o?.nodes.map((n) => (
              <tr key={`${n.poolId}/${n.name}`} data-testid="overview-node">
                <td>
                  {n.name} <span className="muted">({n.poolId})</span>
                </td>
                <td>
                  <Capacity label="CPU" used={n.cpus.used} total={n.cpus.total} unit="vCPU" />
                </td>
                <td>
                  <Capacity label={t('overview.memory')} used={n.memoryGiB.used} total={n.memoryGiB.total} unit="GiB" />
                </td>
                <td>{n.gpus.total > 0 ? <Capacity label="GPU" used={n.gpus.used} total={n.gpus.total} unit="GPU" /> : <span className="muted">{t('overview.noGpu')}</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </div>
  );
}
