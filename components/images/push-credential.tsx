'use client';
/** The project's push credential (password hidden until Show, reset with a confirm) and the login, tag and push lines. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { pushCommands } from '@/server/contracts/images';
import { useI18n } from '../i18n/i18n-provider';
import { useTRPC } from '../trpc';
import { ConfirmButton } from '../ui/confirm-button';
import { CopyButton } from '../ui/copy-button';

const STEPS = [
  ['images.step.login', 'login'],
  ['images.step.tag', 'tag'],
  ['images.step.push', 'push'],
] as const;

export function PushCredential({ address }: { address: string }) {
  const { t, tServer } = useI18n();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const me = useQuery(trpc.auth.me.queryOptions());
  const credential = useQuery(trpc.images.credential.queryOptions());
  const [isShown, setShown] = useState(false);
  const reset = useMutation(
    trpc.images.resetCredential.mutationOptions({
      onSuccess: (fresh) => queryClient.setQueryData(trpc.images.credential.queryKey(), fresh),
    }),
  );
  if (!credential.data || !me.data) return null;
  const { username, password } = credential.data;
  const commands = pushCommands(address, username, me.data.projectName);

  return (
    <>
      <section className="panel" data-testid="push-credential">
        <div className="panel-head">
          <h2>{t('images.credential')}</h2>
          <ConfirmButton label={t('images.reset')} danger question={t('images.resetConfirm', { user: username })} onConfirm={() => reset.mutate()} />
        </div>
        <dl className="kv">
          <div className="kv-pair">
            <dt>{t('images.address')}</dt>
            <dd className="mono" data-testid="registry-address">
              {address}
            </dd>
          </div>
          <div className="kv-pair">
            <dt>{t('images.username')}</dt>
            <dd className="mono" data-testid="registry-username">
              {username}
            </dd>
          </div>
          <div className="kv-pair">
            <dt>{t('images.password')}</dt>
            <dd>
              <div className="input-row">
                <code data-testid="registry-password">{isShown ? password : '••••••••••••'}</code>
                <button type="button" className="btn btn-small" onClick={() => setShown(!isShown)}>
                  {isShown ? t('images.hide') : t('images.show')}
                </button>
                <CopyButton text={password} />
              </div>
            </dd>
          </div>
        </dl>
        {reset.isSuccess && (
          <p className="notice-ok" role="status">
            {t('images.resetDone')}
          </p>
        )}
        {reset.error && (
          <p className="notice-bad" role="alert">
            {tServer(reset.error.message)}
          </p>
        )}
      </section>
      <section className="panel">
        <div className="panel-head">
          <h2>{t('images.howTo')}</h2>
        </div>
        {STEPS.map(([label, command]) => (
          <div key={command}>
            <p>{t(label)}</p>
            <div className="code-block">
              <pre data-testid={`${command}-command`}>{commands[command]}</pre>
              <CopyButton text={commands[command]} />
            </div>
          </div>
        ))}
      </section>
    </>
  );
}
