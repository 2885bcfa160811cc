'use client';
import type { TInstance, TInstanceIsolation } from '@/server/contracts/services';
import { useI18n } from '../i18n/i18n-provider';
import { formatTime } from '../ui/format';
import { StatusBadge } from '../ui/status-badge';
import { TableHead } from '../ui/table-head';

export function InstancesTable({ instances, isolation }: { instances: TInstance[]; isolation?: TInstanceIsolation }) {
  const { t } = useI18n();
  return (
    <>
      {isolation && <IsolationNotice isolation={isolation} />}
      {instances.length === 0 ? <p className="muted">{t('serviceDetail.noInstances')}</p> : <InstanceRows instances={instances} />}
    </>
  );
}

/** What keeps this service's model code away from Anvil, or a warning that nothing does. */
function IsolationNotice({ isolation }: { isolation: TInstanceIsolation }) {
  const { t, tServer } = useI18n();
  return (
    <div data-testid="instance-isolation">
      {isolation.confined ? (
        <p className="muted" title={isolation.note}>
          {t('serviceDetail.isolation.confined', { user: isolation.user })}
        </p>
      ) : (
        <p className="notice-bad" role="alert">
          {t('serviceDetail.isolation.unconfined', { user: isolation.user })}
        </p>
      )}
      {isolation.warning && (
        <p className="notice-bad" role="alert">
          {t('serviceDetail.isolation.warning', { warning: tServer(isolation.warning) })}
        </p>
      )}
    </div>
  );
}

function InstanceRows({ instances }: { instances: TInstance[] }) {
  const { t } = useI18n();
  return (
    <table className="table" data-testid="instances-table">
      <TableHead labels={[t('serviceDetail.instanceId'), t('common.status'), t('serviceDetail.node'), t('serviceDetail.container'), t('serviceDetail.port'), t('serviceDetail.pid'), t('serviceDetail.restarts'), t('serviceDetail.started')]} />
      <tbody>
        {instances.map((i) => (
          <tr key={i.id}>
            <td className="mono">{i.id}</td>
            <td>
              <StatusBadge status={i.status} />
            </td>
            <td data-testid="instance-node">{i.node}</td>
            <td className="mono" title={i.containerId ?? undefined}>
              {i.containerId ? i.containerId.slice(0, 12) : '-'}
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
