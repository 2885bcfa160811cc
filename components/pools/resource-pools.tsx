'use client';
/**
 * "Resource pools": every pool with its nodes and what they hold, refetched every 10 s while open.
 * Everyone sees it; administrators also create and delete pools, add and remove nodes, set what a
 * node may hand out, and take every inventory at once.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useI18n } from '../i18n/i18n-provider';
import { useTRPC } from '../trpc';
import { AddNodeDialog } from './add-node-dialog';
import { AllocatableDialog } from './allocatable-dialog';
import { CreatePoolDialog } from './create-pool-dialog';
import { PoolCard } from './pool-card';
import { usePoolsRefresh } from './use-pools-refresh';

const REFETCH_MS = 10_000;

type TDialog = { kind: 'pool' } | { kind: 'node'; poolId?: string } | { kind: 'allocatable'; nodeId: string } | null;

export function ResourcePools() {
  const { t, tServer } = useI18n();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const me = useQuery(trpc.auth.me.queryOptions());
  const pools = useQuery(trpc.pools.list.queryOptions(undefined, { refetchInterval: REFETCH_MS }));
  const refreshList = usePoolsRefresh();
  const [dialog, setDialog] = useState<TDialog>(null);
  const [notice, setNotice] = useState<{ text: string; isError: boolean }>();
  const isAdmin = !!me.data?.isAdmin;
  const done = () => (setDialog(null), setNotice(undefined), void refreshList());
  const failed = (e: { message: string }) => setNotice({ text: e.message, isError: true });

  const refresh = useMutation(trpc.pools.refresh.mutationOptions({ onSuccess: (list) => queryClient.setQueryData(trpc.pools.list.queryKey(), list), onError: failed }));
  const deletePool = useMutation(
    trpc.pools.deletePool.mutationOptions({ onSuccess: (_, { poolId }) => (done(), setNotice({ text: t('pools.deleted', { id: poolId }), isError: false })), onError: failed }),
  );
  const removeNode = useMutation(trpc.pools.removeNode.mutationOptions({ onSuccess: done, onError: failed }));
  const allocatableNode = dialog?.kind === 'allocatable' ? pools.data?.flatMap((p) => p.nodes).find((n) => n.id === dialog.nodeId) : undefined;

  return (
    <div className="page">
      <div className="page-head">
        <h1>{t('pools.title')}</h1>
        {isAdmin && (
          <span className="ops">
            <button type="button" className="btn" disabled={refresh.isPending} onClick={() => refresh.mutate()}>
              {t('pools.refresh')}
            </button>
            <button type="button" className="btn" onClick={() => setDialog({ kind: 'node' })}>
              {t('pools.addNode')}
            </button>
            <button type="button" className="btn btn-primary" onClick={() => setDialog({ kind: 'pool' })}>
              {t('pools.createPool')}
            </button>
          </span>
        )}
      </div>
      <p className="muted">
        {t('pools.intro')} {!isAdmin && me.data && t('pools.readOnly')}
      </p>
      {notice && (
        <p className={notice.isError ? 'notice-bad' : 'notice-ok'} role={notice.isError ? 'alert' : 'status'}>
          {tServer(notice.text)}
        </p>
      )}
      {pools.error && <p className="notice-bad">{tServer(pools.error.message)}</p>}
      {!pools.data && !pools.error && <p className="muted">{t('common.loading')}</p>}
      {pools.data?.map((p) => (
        <PoolCard
          key={p.id}
          pool={p}
          isAdmin={isAdmin}
          onDelete={() => deletePool.mutate({ poolId: p.id })}
          onAddNode={() => setDialog({ kind: 'node', poolId: p.id })}
          onRemoveNode={(nodeId) => removeNode.mutate({ nodeId })}
          onSetAllocatable={(nodeId) => setDialog({ kind: 'allocatable', nodeId })}
        />
      ))}
      {dialog?.kind === 'pool' && <CreatePoolDialog onDone={done} onCancel={() => setDialog(null)} />}
      {dialog?.kind === 'node' && pools.data && <AddNodeDialog pools={pools.data} poolId={dialog.poolId} onDone={done} onCancel={() => setDialog(null)} />}
      {allocatableNode && <AllocatableDialog node={allocatableNode} onDone={done} onCancel={() => setDialog(null)} />}
    </div>
  );
}
