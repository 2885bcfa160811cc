'use client';
/** Create a Docker pool: an id and a description; nodes are added afterwards. */
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { ZCreatePoolSchema } from '@/server/contracts/pools';
import { useI18n } from '../i18n/i18n-provider';
import { useTRPC } from '../trpc';
import { DialogFooter } from '../ui/dialog-footer';
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
    <div className="dialog-backdrop">
      <form
        className="dialog"
        role="dialog"
        aria-label={t('pools.createPool')}
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          if (validate(ZCreatePoolSchema, form)) create.mutate(form);
        }}
      >
        <h3>{t('pools.createPool')}</h3>
        <Field label={t('pools.poolId')} hint={t('pools.poolIdHint')} error={errors.id} required htmlFor="pool-id">
          <input id="pool-id" autoFocus autoComplete="off" value={form.id} onChange={(e) => set('id', e.target.value)} />
        </Field>
        <Field label={t('common.description')} error={errors.description} htmlFor="pool-description">
          <textarea id="pool-description" rows={2} value={form.description} onChange={(e) => set('description', e.target.value)} />
        </Field>
        <DialogFooter formError={errors.form} isPending={create.isPending} onCancel={onCancel} />
      </form>
    </div>
  );
}
