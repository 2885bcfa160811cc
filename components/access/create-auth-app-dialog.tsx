'use client';
/** Create an APP-authentication app: the name comes pre-filled with `app_` (guide §3.1.4.2.3) and can be edited. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ZCreateAuthAppSchema } from '@/server/contracts/access';
import { useI18n } from '../i18n/i18n-provider';
import { useTRPC } from '../trpc';
import { FormDialog } from '../ui/form-dialog';
import { Field } from '../ui/field';
import { useFieldErrors } from '../ui/use-field-errors';

/** `app_` and four random lower-case letters or digits, as the console pre-fills it. */
export const defaultAppName = () => `app_${Math.random().toString(36).slice(2, 6).padEnd(4, '0')}`;

export function CreateAuthAppDialog({ onDone, onCancel }: { onDone: (appId: string) => void; onCancel: () => void }) {
  const { t } = useI18n();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [form, setForm] = useState({ name: defaultAppName(), description: '' });
  const { errors, validate, fromServer, clear } = useFieldErrors();
  const create = useMutation(
    trpc.access.apps.create.mutationOptions({
      onSuccess: (app) => {
        void queryClient.invalidateQueries({ queryKey: trpc.access.apps.list.queryKey() });
        onDone(app.id);
      },
      onError: fromServer,
    }),
  );
  const set = (key: keyof typeof form, value: string) => {
    setForm((f) => ({ ...f, [key]: value }));
    clear(key);
  };
  return (
    <FormDialog title={t('appAuth.create')} onSubmit={() => validate(ZCreateAuthAppSchema, form) && create.mutate(form)} onCancel={onCancel} formError={errors.form} isPending={create.isPending}>
      <Field label={t('appAuth.appName')} hint={t('appAuth.appNameHint')} error={errors.name} required htmlFor="auth-app-name">
        <input id="auth-app-name" autoFocus autoComplete="off" value={form.name} onChange={(e) => set('name', e.target.value)} />
      </Field>
      <Field label={t('common.description')} error={errors.description} htmlFor="auth-app-description">
        <textarea id="auth-app-description" rows={2} value={form.description} onChange={(e) => set('description', e.target.value)} />
      </Field>
    </FormDialog>
  );
}
