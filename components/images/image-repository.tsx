'use client';
/** The image repository page (SWR-style): why it is unavailable, the push credential, the project's images. */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useI18n } from '../i18n/i18n-provider';
import type { TMessageKey } from '../i18n/messages-en';
import { useTRPC } from '../trpc';
import { PushCredential } from './push-credential';
import { RepositoryTable } from './repository-table';

export function ImageRepository() {
  const { t } = useI18n();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const status = useQuery(trpc.images.status.queryOptions());
  const problem = status.data?.problem;

  return (
    <div className="page">
      <div className="page-head">
        <h1>{t('images.title')}</h1>
        <button type="button" className="btn" onClick={() => queryClient.invalidateQueries({ queryKey: trpc.images.pathKey() })}>
          {t('common.refresh')}
        </button>
      </div>
      {problem && (
        <div className="notice-bad" role="alert" data-testid="registry-problem">
          <strong>{t('images.unavailable')}</strong> {t(`images.problem.${problem.code}` as TMessageKey)}
          <div className="muted">{problem.detail}</div>
        </div>
      )}
      {status.data && !problem && (
        <>
          <PushCredential address={status.data.address} />
          <RepositoryTable address={status.data.address} />
        </>
      )}
    </div>
  );
}
