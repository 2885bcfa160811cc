'use client';
/** Header fields of guide table 3-4: traffic limit (editable), APP authentication (switchable), WebSocket (fixed at deploy). */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useI18n } from '../i18n/i18n-provider';
import { useTRPC } from '../trpc';
import { errorOf } from '../ui/error-text';

export function ServiceAccessFields({ serviceId }: { serviceId: string }) {
  const { t, tServer } = useI18n();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const access = useQuery(trpc.access.service.get.queryOptions({ serviceId }));
  const [qps, setQps] = useState('');
  const [error, setError] = useState<string>();
  const update = useMutation(
    trpc.access.service.update.mutationOptions({
      onSuccess: (data) => {
        setError(undefined);
        setQps('');
        queryClient.setQueryData(trpc.access.service.get.queryKey({ serviceId }), data);
      },
      onError: (e) => setError(errorOf(e)?.message),
    }),
  );
  const a = access.data;
  if (!a) return null;
  return (
    <>
      <dt>{t('access.qpsLimit')}</dt>
      <dd>
        <span data-testid="qps-limit">{a.qpsLimit === null ? t('access.qpsNone') : `${a.qpsLimit} ${t('access.qpsUnit')}`}</span>
        {!a.websocket && (
          <span className="input-row">
            <input
              aria-label={t('access.qpsLimit')}
              type="number"
              min={1}
              max={100000}
              value={qps}
              placeholder={t('access.qpsUnit')}
              onChange={(e) => setQps(e.target.value)}
            />
            <button type="button" className="btn btn-small" disabled={!qps || update.isPending} onClick={() => update.mutate({ serviceId, qpsLimit: Number(qps) })}>
              {t('access.qpsSet')}
            </button>
            {a.qpsLimit !== null && (
              <button type="button" className="btn btn-small" onClick={() => update.mutate({ serviceId, qpsLimit: null })}>
                {t('access.qpsClear')}
              </button>
            )}
          </span>
        )}
      </dd>
      <dt>{t('access.appAuth')}</dt>
      <dd>
        <span data-testid="app-auth">{a.appAuth ? t('access.appAuthOn') : t('access.appAuthOff')}</span>{' '}
        <button type="button" className="btn btn-small" disabled={update.isPending} onClick={() => update.mutate({ serviceId, appAuth: !a.appAuth })}>
          {a.appAuth ? t('access.turnOff') : t('access.turnOn')}
        </button>
      </dd>
      <dt>{t('access.websocket')}</dt>
      <dd>{a.websocket ? t('access.yes') : t('access.no')}</dd>
      {error && (
        <dd className="notice-bad" role="alert">
          {tServer(error)}
        </dd>
      )}
    </>
  );
}
