'use client';
import type { TInstance } from '@/server/contracts/services';
import { useI18n } from '../i18n/i18n-provider';
import { formatTime } from '../ui/format';
import { StatusBadge } from '../ui/status-badge';
import { TableHead } from '../ui/table-head';

export function InstancesTable({ instances }: { instances: TInstance[] }) {
  const { t } = useI18n();
  if (instances.length === 0) return <p className="muted">{t('serviceDetail.noInstances')}</p>;
  return (
    <table className="table" data-testid="instances-table">
      <TableHead labels={[t('serviceDetail.instanceId'), t('common.status'), t('serviceDetail.port'), t('serviceDetail.pid'), t('serviceDetail.restarts'), t('serviceDetail.started')]} />
      <tbody>
        {instances.map((i) => (
          <tr key={i.id}>
            <td className="mono">{i.id}</td>
            <td>
              <StatusBadge status={i.status} />
            </td>
            <td>{i.port ?? '-'}</td>
            <td>{i.pid ?? '-'}</td>
            <td>{i.restarts}</td>
            <td>{formatTime(i.startedAt)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
