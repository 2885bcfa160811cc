'use client';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRouter, useSearchParams } from 'next/navigation';
import { useState } from 'react';
import { useI18n } from '../i18n/i18n-provider';
import { useTRPC } from '../trpc';
import { errorOf } from '../ui/error-text';
import { Field } from '../ui/field';
import { LanguageSwitch } from './language-switch';

export function LoginForm() {
  const { t } = useI18n();
  const trpc = useTRPC();
  const router = useRouter();
  const params = useSearchParams();
  const queryClient = useQueryClient();
  const [form, setForm] = useState({ userName: 'admin', password: '', domainName: 'anvil' });
  const login = useMutation(
    trpc.auth.login.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries();
        router.push(params.get('next') || '/');
      },
    }),
  );
  const error = errorOf(login.error);
  return (
    <main className="login-page">
      <form
        className="login-card"
        onSubmit={(e) => {
          e.preventDefault();
          login.mutate(form);
        }}
      >
        <div className="login-head">
          <h1>{t('login.title')}</h1>
          <LanguageSwitch />
        </div>
        <Field label={t('login.domain')} htmlFor="login-domain">
          <input id="login-domain" value={form.domainName} onChange={(e) => setForm({ ...form, domainName: e.target.value })} />
        </Field>
        <Field label={t('login.user')} htmlFor="login-user">
          <input id="login-user" autoComplete="username" value={form.userName} onChange={(e) => setForm({ ...form, userName: e.target.value })} />
        </Field>
        <Field label={t('login.password')} htmlFor="login-password" error={error?.message}>
          <input id="login-password" type="password" autoComplete="current-password" value={form.password} onChange={(e) => setForm({ ...form, password: e.target.value })} />
        </Field>
        <button type="submit" className="btn btn-primary btn-block" disabled={login.isPending}>
          {t('login.submit')}
        </button>
        <p className="muted">{t('login.hint')}</p>
      </form>
    </main>
  );
}
