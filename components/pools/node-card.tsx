'use client';
/** One node: where its engine is, whether it answers, and what its instances hold of it. */
import type { TNodeView } from '@/server/contracts/pools';
import { useI18n } from '../i18n/i18n-provider';
import type { TMessageKey } from '../i18n/messages-en';
import { ConfirmButton } from '../ui/confirm-button';
import { formatTime } from '../ui/format';
import { TableHead } from '../ui/table-head';
import styles from './pools.module.css';
import { UsageBar } from './usage-bar';

const STATUS_TONE: Record<TNodeView['status'], string> = { ready: 'ok', unreachable: 'bad', unknown: 'idle' };

type TProps = { node: TNodeView; poolId: string; canManage: boolean; onRemove: () => void; onSetAllocatable: () => void };

export function NodeCard({ node, poolId, canManage, onRemove, onSetAllocatable }: TProps) {
  const { t, tServer } = useI18n();
  const { total, used, free } = node;
  return (
    <div className={styles.node} data-node={node.name} aria-label={node.name} role="group">
      <div className={styles.nodeHead}>
        <span>
          <span className={`mono ${styles.nodeName}`}>{node.name}</span>
          {node.isAuto && <span className="muted"> ({t('pools.auto')})</span>}
        </span>
        <span className={`status status-${STATUS_TONE[node.status]}`} data-status={node.status} data-testid="node-status">
          {t(`pools.status.${node.status}` as TMessageKey)}
        </span>
      </div>
      {node.statusReason && <div className={node.status === 'unreachable' ? styles.unreachable : styles.reason}>{tServer(node.statusReason)}</div>}
      <dl className={styles.facts}>
        <dt>{t('pools.endpoint')}</dt>
        <dd className="mono" data-testid="node-endpoint">{node.endpoint}</dd>
        {node.engineVersion && (
          <>
            <dt>{t('pools.engine')}</dt>
            <dd>Docker {node.engineVersion}</dd>
          </>
        )}
        <dt>{t('pools.checked')}</dt>
        <dd>{formatTime(node.checkedAt)}</dd>
        <dt>{t('pools.instances')}</dt>
        <dd data-testid="node-instances">{node.instances}</dd>
      </dl>
      <UsageBar label={t('pools.cpu')} used={used.cpus} total={total.cpus} text={t('pools.cpuFree', { free: free.cpus, total: total.cpus })} testId="node-cpu" />
      <UsageBar label={t('pools.memory')} used={used.memoryGiB} total={total.memoryGiB} text={t('pools.memoryFree', { free: free.memoryGiB, total: total.memoryGiB })} testId="node-memory" />
      {total.gpus > 0 && <UsageBar label={t('pools.gpu')} used={used.gpus} total={total.gpus} text={t('pools.gpuFree', { free: free.gpus, total: total.gpus })} testId="node-gpu" />}
      {node.gpus.length > 0 && <GpuTable node={node} />}
      {canManage && (
        <div className="ops">
          <button type="button" className="btn-link" onClick={onSetAllocatable}>
            {t('pools.setAllocatable')}
          </button>
          <ConfirmButton label={t('pools.removeNode')} danger question={t('pools.removeNodeConfirm', { name: node.name, pool: poolId })} onConfirm={onRemove} />
        </div>
      )}
    </div>
  );
}

function GpuTable({ node }: { node: TNodeView }) {
  const { t } = useI18n();
  return (
    <table className="table table-compact" aria-label={t('pools.gpus')}>
      <TableHead labels={[t('pools.gpuIndex'), t('common.name'), t('pools.gpuMemory'), t('pools.gpuHolder')]} />
      <tbody>
        {node.gpus.map((g) => (
          <tr key={g.index} data-gpu={g.index}>
            <td>{g.index}</td>
            <td>{g.name}</td>
            <td>{g.memoryTotalMiB ? `${g.memoryUsedMiB ?? '?'} / ${g.memoryTotalMiB} MiB` : '-'}</td>
            <td className="mono">{g.instanceId ?? <span className="muted">{t('pools.gpuFreeSlot')}</span>}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
