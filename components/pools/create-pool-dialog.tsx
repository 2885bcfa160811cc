'use client';
/** Create a Docker pool: an id and a description; nodes are added afterwards. */
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { ZCreatePoolSchema } from '@/server/contracts/pools';
import { useI18n } from '../i18n/i18n-provider';
import { useTRPC } from '../trpc';
import { FormDialog } from '../ui/form-dialog';
import { Field } from '../ui/field';
import { useFieldErrors } from '../ui/use-field-errors';

export function CreatePoolDialog({ onDone, onCancel }: { onDone: () => void; onCancel: () => void }) {
  const { t } = useI18n();
  const trpc = useTRPC();
  const [form, setForm] = useState({ id: '', description: '' });
  const { errors, validate, fromServer, clear } = useFieldErrors();
  const create = useMutation(trpc.pools.createPool.mutationOptions({ onSuccess: onDone, onError: fromServer }));
  const set = (key: keyof typeof form, value: string) => {
    setForm((f) => ({ ...f, [key]: value }));
    clear(key);
  };
  return (
    <FormDialog title={t('pools.createPool')} onSubmit={() => validate(ZCreatePoolSchema, form) && create.mutate(form)} onCancel={onCancel} formError={errors.form} isPending={create.isPending}>
      <Field label={t('pools.poolId')} hint={t('pools.poolIdHint')} error={errors.id} required htmlFor="pool-id">
        <input id="pool-id" autoFocus autoComplete="off" value={form.id} onChange={(e) => set('id', e.target.value)} />
      </Field>
      <Field label={t('common.description')} error={errors.description} htmlFor="pool-description">
        <textarea id="pool-description" rows={2} value={form.description} onChange={(e) => set('description', e.target.value)} />
      </Field>
    </FormDialog>
  );
}
