'use client';
/** Create a user: name, password, administrator or not, and the projects they are a member of. */
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { ZCreateUserSchema, type TProject } from '@/server/contracts/admin';
import { useI18n } from '../i18n/i18n-provider';
import { useTRPC } from '../trpc';
import { FormDialog } from '../ui/form-dialog';
import { Field } from '../ui/field';
import { useFieldErrors } from '../ui/use-field-errors';

export function CreateUserDialog({ projects, onDone, onCancel }: { projects: TProject[]; onDone: () => void; onCancel: () => void }) {
  const { t } = useI18n();
  const trpc = useTRPC();
  const [form, setForm] = useState({ name: '', password: '', isAdmin: false, projectIds: [] as string[] });
  const { errors, validate, fromServer, clear } = useFieldErrors();
  const create = useMutation(trpc.admin.createUser.mutationOptions({ onSuccess: onDone, onError: fromServer }));
  const set = <K extends keyof typeof form>(key: K, value: (typeof form)[K]) => {
    setForm((f) => ({ ...f, [key]: value }));
    clear(key);
  };
  const toggle = (id: string) => set('projectIds', form.projectIds.includes(id) ? form.projectIds.filter((p) => p !== id) : [...form.projectIds, id]);

  return (
    <FormDialog title={t('admin.createUser')} onSubmit={() => validate(ZCreateUserSchema, form) && create.mutate(form)} onCancel={onCancel} formError={errors.form} isPending={create.isPending}>
      <Field label={t('admin.userName')} error={errors.name} required htmlFor="user-name">
        <input id="user-name" autoFocus autoComplete="off" value={form.name} onChange={(e) => set('name', e.target.value)} />
      </Field>
      <Field label={t('admin.password')} hint={t('admin.passwordHint')} error={errors.password} required htmlFor="user-password">
        <input id="user-password" type="password" autoComplete="new-password" value={form.password} onChange={(e) => set('password', e.target.value)} />
      </Field>
      <Field label={t('admin.isAdmin')} hint={t('admin.isAdminHint')} htmlFor="user-admin">
        <input id="user-admin" type="checkbox" checked={form.isAdmin} onChange={(e) => set('isAdmin', e.target.checked)} />
      </Field>
      <Field label={t('admin.userProjects')} error={errors.projectIds} required>
        <div className="checks" role="group" aria-label={t('admin.userProjects')}>
          {projects.map((p) => (
            <label key={p.id}>
              <input type="checkbox" checked={form.projectIds.includes(p.id)} onChange={() => toggle(p.id)} /> {p.name}
            </label>
          ))}
        </div>
      </Field>
    </FormDialog>
  );
}
