'use client';
/** Deploy-form rows of guide table 3-2: traffic limit, upgrade to WebSocket (fixed for the service's life), APP authentication with its apps. */
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { CreateAuthAppDialog } from '../access/create-auth-app-dialog';
import { useI18n } from '../i18n/i18n-provider';
import { useTRPC } from '../trpc';
import { Field } from '../ui/field';

type TAccessForm = { qpsLimit: string; websocket: boolean; appAuth: boolean; authAppIds: string[] };

export function DeployAccessFields({ value, errors, onChange }: { value: TAccessForm; errors: Record<string, string>; onChange: <K extends keyof TAccessForm>(key: K, v: TAccessForm[K]) => void }) {
  const { t } = useI18n();
  const trpc = useTRPC();
  const apps = useQuery(trpc.access.apps.list.queryOptions());
  const [isCreating, setCreating] = useState(false);
  return (
    <section className="panel">
      <h2>{t('access.title')}</h2>
      <Field label={t('access.qpsLimit')} hint={t('deployForm.qpsHint')} error={errors.qpsLimit} htmlFor="svc-qps">
        <input id="svc-qps" className="input-narrow" type="number" min={1} max={100000} disabled={value.websocket} value={value.qpsLimit} placeholder={t('access.qpsNone')} onChange={(e) => onChange('qpsLimit', e.target.value)} />
      </Field>
      <Field label={t('access.websocket')} hint={t('deployForm.websocketHint')} error={errors.websocket}>
        <label className="switch">
          <input type="checkbox" aria-label={t('access.websocket')} checked={value.websocket} onChange={(e) => onChange('websocket', e.target.checked)} />
        </label>
      </Field>
      <Field label={t('access.appAuth')} hint={t('deployForm.appAuthHint')} error={errors.appAuth ?? errors.authAppIds}>
        <label className="switch">
          <input type="checkbox" aria-label={t('access.appAuth')} checked={value.appAuth} onChange={(e) => onChange('appAuth', e.target.checked)} />
        </label>
        {value.appAuth && (
          <div>
            {(apps.data ?? []).map((app) => (
              <label key={app.id} className="input-row">
                <input
                  type="checkbox"
                  checked={value.authAppIds.includes(app.id)}
                  onChange={(e) => onChange('authAppIds', e.target.checked ? [...value.authAppIds, app.id] : value.authAppIds.filter((id) => id !== app.id))}
                />
                {app.name}
              </label>
            ))}
            <button type="button" className="btn btn-small" onClick={() => setCreating(true)}>
              {t('appAuth.create')}
            </button>
          </div>
        )}
      </Field>
      {isCreating && (
        <CreateAuthAppDialog
          onCancel={() => setCreating(false)}
          onDone={(appId) => {
            setCreating(false);
            onChange('authAppIds', [...value.authAppIds, appId]);
          }}
        />
      )}
    </section>
  );
}
