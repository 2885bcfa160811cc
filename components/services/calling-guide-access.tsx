'use client';
/**
 * The calling guide's access part (guide table 3-5): the service token (PAI-EAS style), the APP
 * authentication address with the authorized apps ("添加授权" / "解除授权"), ready-to-run calls with
 * each credential, WebSocket and SSE examples, and the VPC direct-connection caveats.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { TApiSpec } from '@/server/contracts/apps';
import { useI18n } from '../i18n/i18n-provider';
import { useTRPC } from '../trpc';
import { ConfirmButton } from '../ui/confirm-button';
import { CopyButton } from '../ui/copy-button';
import { errorOf } from '../ui/error-text';
import { SecretText } from '../ui/secret-text';
import { apiUrl, callCurlWith, sseCurl, websocketExample } from './curl-lines';

const BEARER = 'Authorization: Bearer $SERVICE_TOKEN';

function Code({ text, testId }: { text: string; testId?: string }) {
  return (
    <div className="code-block">
      <pre data-testid={testId}>{text}</pre>
      <CopyButton text={text} />
    </div>
  );
}

export function CallingGuideAccess({ serviceId, apis }: { serviceId: string; apis: TApiSpec[] }) {
  const { t, tServer } = useI18n();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const access = useQuery(trpc.access.service.get.queryOptions({ serviceId }));
  const apps = useQuery(trpc.access.apps.list.queryOptions());
  const [toAuthorize, setToAuthorize] = useState('');
  const [error, setError] = useState<string>();
  const refresh = {
    onSuccess: () => {
      setError(undefined);
      setToAuthorize('');
      void queryClient.invalidateQueries({ queryKey: trpc.access.service.get.queryKey({ serviceId }) });
      void queryClient.invalidateQueries({ queryKey: trpc.access.apps.list.queryKey() });
    },
    onError: (e: unknown) => setError(errorOf(e)?.message),
  };
  const resetToken = useMutation(trpc.access.service.resetToken.mutationOptions(refresh));
  const bind = useMutation(trpc.access.apps.bind.mutationOptions(refresh));
  const unbind = useMutation(trpc.access.apps.unbind.mutationOptions(refresh));
  const a = access.data;
  if (!a) return null;
  const origin = typeof window === 'undefined' ? '' : window.location.origin;
  const httpBase = `${origin}${a.path}`;
  const address = a.websocket ? httpBase.replace(/^http/, 'ws') : httpBase;
  const firstApi = apis[0] ?? { url: '/', method: 'POST', request: { 'Content-type': 'application/json' } };
  const callable = (apps.data ?? []).filter((app) => !a.apps.some((bound) => bound.id === app.id));

  return (
    <div className="guide-access">
      <h3>{t('guide.serviceToken')}</h3>
      <p className="muted">{t('guide.serviceTokenHint')}</p>
      <div className="input-row">
        <SecretText value={a.serviceToken} label={t('guide.serviceToken')} />
        <ConfirmButton label={t('guide.resetToken')} question={t('guide.resetTokenQuestion')} onConfirm={() => resetToken.mutate({ serviceId })} />
      </div>
      {a.websocket ? (
        <>
          <p>{t('guide.websocket')}</p>
          <Code testId="websocket-example" text={`SERVICE_TOKEN='${a.serviceToken}'\n${websocketExample(`${address}/`, BEARER)}`} />
        </>
      ) : (
        <>
          <p>{t('guide.withServiceToken')}</p>
          <Code testId="service-token-curl" text={`SERVICE_TOKEN='${a.serviceToken}'\n${callCurlWith(apiUrl(origin, serviceId, firstApi), firstApi, BEARER)}`} />
          <p>{t('guide.sse')}</p>
          <Code testId="sse-example" text={`SERVICE_TOKEN='${a.serviceToken}'\n${sseCurl(apiUrl(origin, serviceId, firstApi), firstApi, BEARER)}`} />
        </>
      )}
      {a.appAuth && (
        <>
          <h3>{t('guide.appAuthAddress')}</h3>
          <div className="input-row">
            <code data-testid="app-auth-url">{address}</code>
            <CopyButton text={address} />
          </div>
          <h4>{t('guide.authorizedApps')}</h4>
          {a.apps.length === 0 && <p className="muted">{t('guide.noApps')}</p>}
          <table className="table">
            <tbody>
              {a.apps.map((app) => (
                <tr key={app.id} data-testid="authorized-app">
                  <td>{app.name}</td>
                  <td className="mono">{app.appKey}</td>
                  <td>
                    <ConfirmButton label={t('guide.removeAuthorization')} question={t('appAuth.unbindQuestion', { name: app.name })} onConfirm={() => unbind.mutate({ appId: app.id, serviceId })} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="input-row">
            <select aria-label={t('guide.chooseApp')} value={toAuthorize} onChange={(e) => setToAuthorize(e.target.value)}>
              <option value="">{t('guide.chooseApp')}</option>
              {callable.map((app) => (
                <option key={app.id} value={app.id}>
                  {app.name}
                </option>
              ))}
            </select>
            <button type="button" className="btn" disabled={!toAuthorize || bind.isPending} onClick={() => bind.mutate({ appId: toAuthorize, serviceId })}>
              {t('guide.addAuthorization')}
            </button>
          </div>
          {!a.websocket && (
            <>
              <p>{t('guide.withAppCode')}</p>
              <Code text={callCurlWith(apiUrl(origin, serviceId, firstApi), firstApi, 'X-Apig-AppCode: $APP_CODE')} />
            </>
          )}
        </>
      )}
      {error && (
        <p className="notice-bad" role="alert">
          {tServer(error)}
        </p>
      )}
      <p className="muted">{t('guide.aksk')}</p>
      <p className="muted">{t('guide.vpc')}</p>
    </div>
  );
}
