'use client';
/** One pool: its runtime, whether it is the default, why it cannot take a deploy, and its nodes. */
import type { TPoolView } from '@/server/contracts/pools';
import { useI18n } from '../i18n/i18n-provider';
import { ConfirmButton } from '../ui/confirm-button';
import { NodeCard } from './node-card';
import styles from './pools.module.css';

type TProps = {
  pool: TPoolView;
  isAdmin: boolean;
  onDelete: () => void;
  onAddNode: () => void;
  onRemoveNode: (nodeId: string) => void;
  onSetAllocatable: (nodeId: string) => void;
};

export function PoolCard({ pool, isAdmin, onDelete, onAddNode, onRemoveNode, onSetAllocatable }: TProps) {
  const { t, tServer } = useI18n();
  const isDocker = pool.runtime === 'docker';
  return (
    <section className="panel" aria-label={pool.id} data-pool={pool.id}>
      <div className="panel-head">
        <div className={styles.poolHead}>
          <h2 className="mono">{pool.id}</h2>
          <span className="muted">{t(isDocker ? 'pools.runtime.docker' : 'pools.runtime.process')}</span>
          {pool.isDefault && (
            <span className={styles.badge} data-testid="pool-default">
              {t('pools.default')}
            </span>
          )}
        </div>
        {isAdmin && isDocker && (
          <span className="ops">
            <button type="button" className="btn btn-small" onClick={onAddNode}>
              {t('pools.addNode')}
            </button>
            <ConfirmButton label={t('pools.deletePool')} danger question={t('pools.deletePoolConfirm', { id: pool.id })} onConfirm={onDelete} />
          </span>
        )}
      </div>
      {pool.description && <p className="muted">{pool.description}</p>}
      {pool.unavailableReason && (
        <p className={styles.reason} data-testid="pool-unavailable">
          {tServer(pool.unavailableReason)}
        </p>
      )}
      {pool.nodes.length > 0 && (
        <div className={styles.nodes}>
          {pool.nodes.map((n) => (
            <NodeCard key={n.id} node={n} poolId={pool.id} canManage={isAdmin && isDocker} onRemove={() => onRemoveNode(n.id)} onSetAllocatable={() => onSetAllocatable(n.id)} />
          ))}
        </div>
      )}
    </section>
  );
}
