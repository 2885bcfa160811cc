'use client';
/** Online service list; statuses change live. */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { useI18n } from '../i18n/i18n-provider';
import { newerList } from '../live/newest-wins';
import { useLiveTopic } from '../live/socket-provider';
import { useTRPC } from '../trpc';
import { formatTime } from '../ui/format';
import { matchesName, NameFilter } from '../ui/name-filter';
import { StatusBadge } from '../ui/status-badge';
import { TableHead } from '../ui/table-head';
import { AutoStopCountdown } from './auto-stop';
import { ServiceActions } from './service-actions';

export function ServicesList() {
  const { t, tServer } = useI18n();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  useLiveTopic('services');
  const services = useQuery(trpc.services.list.queryOptions(undefined, { structuralSharing: newerList }));
  const [error, setError] = useState<string>();
  const [filter, setFilter] = useState('');
  const shown = services.data?.filter((s) => matchesName(s.name, filter));
  return (
    <div className="page">
      <div className="page-head">
        <h1>{t('services.title')}</h1>
        <Link href="/services/deploy" className="btn btn-primary">
          {t('services.deploy')}
        </Link>
      </div>
      <NameFilter value={filter} onChange={setFilter} />
      {error && <p className="notice-bad" role="alert">{tServer(error)}</p>}
      <table className="table" data-testid="services-table">
        <TableHead labels={[t('common.name'), t('common.status'), t('services.app'), t('services.flavor'), t('services.instances'), t('serviceDetail.autoStop'), t('common.created'), t('common.description'), t('common.operation')]} />
        <tbody>
          {shown?.map((s) => (
            <tr key={s.id} data-service={s.name}>
              <td>
                <Link href={`/services/${s.id}`}>{s.name}</Link>
              </td>
              <td>
                <StatusBadge status={s.status} kind="service" />
              </td>
              <td>
                {s.appName} {s.appVersion}
              </td>
              <td className="mono">{s.flavor}</td>
              <td>
                {s.readyInstances}/{s.instanceCount}
              </td>
              <td className="nowrap">
                <AutoStopCountdown autoStop={s.autoStop} />
              </td>
              <td className="nowrap">{formatTime(s.createdAt)}</td>
              <td className="ellipsis">{s.description}</td>
              <td>
                <ServiceActions service={s} onError={setError} onDeleted={() => queryClient.invalidateQueries({ queryKey: trpc.services.list.queryKey() })} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {services.data?.length === 0 && <p className="muted">{t('services.empty')}</p>}
    </div>
  );
}
