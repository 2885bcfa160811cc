'use client';
/**
 * "Authorization management" (授权管理, guide §3.1.4.2.3): the project's APP-authentication apps,
 * each with its AppKey/AppSecret (shown in plain text on request, resettable), up to five AppCodes,
 * and the services it may call (bind, unbind).
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { MAX_APP_CODES, type TAuthApp } from '@/server/contracts/access';
import { useI18n } from '../i18n/i18n-provider';
import { useTRPC } from '../trpc';
import { ConfirmButton } from '../ui/confirm-button';
import { errorOf } from '../ui/error-text';
import { formatTime } from '../ui/format';
import { SecretText } from '../ui/secret-text';
import { CreateAuthAppDialog } from './create-auth-app-dialog';

export function AuthAppsPage() {
  const { t } = useI18n();
  const trpc = useTRPC();
  const apps = useQuery(trpc.access.apps.list.queryOptions());
  const [isCreating, setCreating] = useState(false);
  return (
    <div className="page">
      <div className="page-head">
        <h1>{t('appAuth.title')}</h1>
        <button type="button" className="btn btn-primary" onClick={() => setCreating(true)}>
          {t('appAuth.create')}
        </button>
      </div>
      <p className="muted">{t('appAuth.intro')}</p>
      {apps.data?.length === 0 && <p className="muted">{t('appAuth.none')}</p>}
      {apps.data?.map((app) => <AuthAppCard key={app.id} app={app} />)}
      {isCreating && <CreateAuthAppDialog onDone={() => setCreating(false)} onCancel={() => setCreating(false)} />}
    </div>
  );
}

function AuthAppCard({ app }: { app: TAuthApp }) {
  const { t, tServer } = useI18n();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const services = useQuery(trpc.services.list.queryOptions());
  const [toBind, setToBind] = useState('');
  const [error, setError] = useState<string>();
  const options = {
    onSuccess: () => {
      setError(undefined);
      void queryClient.invalidateQueries({ queryKey: trpc.access.apps.list.queryKey() });
      void queryClient.invalidateQueries({ queryKey: trpc.access.service.get.queryKey() });
    },
    onError: (e: unknown) => setError(errorOf(e)?.message),
  };
  const resetSecret = useMutation(trpc.access.apps.resetSecret.mutationOptions(options));
  const remove = useMutation(trpc.access.apps.delete.mutationOptions(options));
  const addCode = useMutation(trpc.access.apps.addCode.mutationOptions(options));
  const deleteCode = useMutation(trpc.access.apps.deleteCode.mutationOptions(options));
  const bind = useMutation(trpc.access.apps.bind.mutationOptions({ ...options, onSuccess: () => (setToBind(''), options.onSuccess()) }));
  const unbind = useMutation(trpc.access.apps.unbind.mutationOptions(options));
  const bindable = (services.data ?? []).filter((s) => !app.services.some((b) => b.id === s.id));

  return (
    <section className="panel" aria-label={app.name} data-testid={`auth-app-${app.name}`}>
      <div className="page-head">
        <h2>{app.name}</h2>
        <div className="input-row">
          <ConfirmButton label={t('appAuth.resetSecret')} question={t('appAuth.resetSecretQuestion')} onConfirm={() => resetSecret.mutate({ appId: app.id })} />
          <ConfirmButton label={t('common.delete')} danger question={t('appAuth.deleteQuestion', { name: app.name })} onConfirm={() => remove.mutate({ appId: app.id })} />
        </div>
      </div>
      {app.description && <p className="muted">{app.description}</p>}
      <dl className="kv">
        <dt>AppKey</dt>
        <dd>
          <code data-testid="app-key">{app.appKey}</code>
        </dd>
        <dt>AppSecret</dt>
        <dd>
          <SecretText value={app.appSecret} label="AppSecret" />
        </dd>
        <dt>{t('common.created')}</dt>
        <dd>{formatTime(app.createdAt)}</dd>
      </dl>
      <h3>AppCode</h3>
      <table className="table">
        <tbody>
          {app.codes.map((code, i) => (
            <tr key={code.id}>
              <td>
                <SecretText value={code.code} label={`AppCode ${i + 1}`} />
              </td>
              <td>{formatTime(code.createdAt)}</td>
              <td>
                <ConfirmButton label={t('common.delete')} danger question={t('appAuth.deleteCodeQuestion')} onConfirm={() => deleteCode.mutate({ appId: app.id, codeId: code.id })} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <button type="button" className="btn" disabled={app.codes.length >= MAX_APP_CODES || addCode.isPending} onClick={() => addCode.mutate({ appId: app.id })}>
        {t('appAuth.addCode')}
      </button>
      {app.codes.length >= MAX_APP_CODES && <span className="muted"> {t('appAuth.codeLimit', { max: MAX_APP_CODES })}</span>}
      <h3>{t('appAuth.boundServices')}</h3>
      {app.services.length === 0 && <p className="muted">{t('appAuth.noServices')}</p>}
      <ul>
        {app.services.map((s) => (
          <li key={s.id} data-testid="bound-service">
            {s.name}{' '}
            <ConfirmButton label={t('appAuth.unbind')} question={t('appAuth.unbindQuestion', { name: s.name })} onConfirm={() => unbind.mutate({ appId: app.id, serviceId: s.id })} />
          </li>
        ))}
      </ul>
      <div className="input-row">
        <label htmlFor={`bind-${app.id}`}>{t('appAuth.bindService')}</label>
        <select id={`bind-${app.id}`} value={toBind} onChange={(e) => setToBind(e.target.value)}>
          <option value="">{t('appAuth.chooseService')}</option>
          {bindable.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </select>
        <button type="button" className="btn" disabled={!toBind || bind.isPending} onClick={() => bind.mutate({ appId: app.id, serviceId: toBind })}>
          {t('appAuth.bind')}
        </button>
      </div>
      {error && (
        <p className="notice-bad" role="alert">
          {tServer(error)}
        </p>
      )}
    </section>
  );
}
