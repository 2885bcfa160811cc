'use client';
/**
 * Start, stop, restart and delete a service (guide §3.4), in a list row or the detail page header.
 * Each button is enabled from the same state machine the server enforces; a disabled one says why.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { checkOperation, type TServiceOperation } from '@/server/contracts/service-lifecycle';
import type { TServiceStatus } from '@/server/contracts/services';
import { useI18n } from '../i18n/i18n-provider';
import { useTRPC } from '../trpc';
import { ConfirmButton } from '../ui/confirm-button';

type TProps = {
  service: { id: string; name: string; status: TServiceStatus };
  onError: (message: string) => void;
  onDeleted?: () => void;
};

export function ServiceActions({ service, onError, onDeleted }: TProps) {
  const { t, tServer } = useI18n();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const options = {
    onError: (e: { message: string }) => onError(e.message),
    // A success clears an earlier error, and the page is current even without a live socket.
    onSuccess: () => {
      onError('');
      void queryClient.invalidateQueries({ queryKey: trpc.services.list.queryKey() });
      void queryClient.invalidateQueries({ queryKey: trpc.services.get.queryKey({ id: service.id }) });
    },
  };
  const start = useMutation(trpc.services.start.mutationOptions(options));
  const stop = useMutation(trpc.services.stop.mutationOptions(options));
  const restart = useMutation(trpc.services.restart.mutationOptions(options));
  const remove = useMutation(trpc.services.delete.mutationOptions({ ...options, onSuccess: () => onDeleted?.() }));
  const isBusy = start.isPending || stop.isPending || restart.isPending || remove.isPending;
  const gate = (op: TServiceOperation) => {
    const check = checkOperation(service.status, op);
    // A stop may drain for its whole grace period; delete stays possible meanwhile, as on the server.
    const isWaiting = op === 'delete' ? remove.isPending : isBusy;
    return { disabled: isWaiting || !check.isAllowed, title: check.isAllowed ? undefined : tServer(check.reason) };
  };
  const id = { id: service.id };

  return (
    <span className="ops" data-testid="service-actions">
      <button type="button" className="btn btn-link" {...gate('start')} onClick={() => start.mutate(id)}>
        {t('serviceActions.start')}
      </button>
      <ConfirmButton label={t('serviceActions.stop')} {...gate('stop')} question={t('serviceActions.stopConfirm', { name: service.name })} onConfirm={() => stop.mutate(id)} />
      <ConfirmButton label={t('serviceActions.restart')} {...gate('restart')} question={t('serviceActions.restartConfirm', { name: service.name })} onConfirm={() => restart.mutate(id)} />
      <ConfirmButton label={t('common.delete')} danger {...gate('delete')} question={t('common.deleteConfirm', { name: service.name })} onConfirm={() => remove.mutate(id)} />
    </span>
  );
}
