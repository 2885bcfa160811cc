'use client';
/**
 * My credentials → Access keys (我的凭证 → 访问密钥, guide §3.1.4.2.2): keys that sign API requests
 * with SDK-HMAC-SHA256. The secret is shown once, at creation, with `credentials.csv` to download.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { MAX_ACCESS_KEYS_PER_USER, type TCreatedAccessKey } from '@/server/contracts/access';
import { useI18n } from '../i18n/i18n-provider';
import { useTRPC } from '../trpc';
import { ConfirmButton } from '../ui/confirm-button';
import { CopyButton } from '../ui/copy-button';
import { FormDialog } from '../ui/form-dialog';
import { errorOf } from '../ui/error-text';
import { Field } from '../ui/field';
import { formatTime } from '../ui/format';
import { useFieldErrors } from '../ui/use-field-errors';
import { credentialsCsv } from './credentials-csv';

export function AccessKeysPage() {
  const { t, tServer } = useI18n();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const keys = useQuery(trpc.access.accessKeys.list.queryOptions());
  const [isAdding, setAdding] = useState(false);
  const [created, setCreated] = useState<TCreatedAccessKey>();
  const [error, setError] = useState<string>();
  const refresh = {
    onSuccess: () => {
      setError(undefined);
      void queryClient.invalidateQueries({ queryKey: trpc.access.accessKeys.list.queryKey() });
    },
    onError: (e: unknown) => setError(errorOf(e)?.message),
  };
  const setStatus = useMutation(trpc.access.accessKeys.setStatus.mutationOptions(refresh));
  const remove = useMutation(trpc.access.accessKeys.delete.mutationOptions(refresh));
  const isFull = (keys.data?.length ?? 0) >= MAX_ACCESS_KEYS_PER_USER;

  return (
    <div className="page">
      <div className="page-head">
        <h1>{t('accessKeys.title')}</h1>
        <button type="button" className="btn btn-primary" disabled={isFull} onClick={() => setAdding(true)}>
          {t('accessKeys.add')}
        </button>
      </div>
      <p className="muted">{t('accessKeys.intro')}</p>
      {isFull && <p className="muted" data-testid="access-key-limit">{t('accessKeys.limit', { max: MAX_ACCESS_KEYS_PER_USER })}</p>}
      <table className="table">
        <thead>
          <tr>
            <th>{t('accessKeys.id')}</th>
            <th>{t('common.description')}</th>
            <th>{t('common.status')}</th>
            <th>{t('common.created')}</th>
            <th>{t('accessKeys.lastUsed')}</th>
            <th>{t('common.operation')}</th>
          </tr>
        </thead>
        <tbody>
          {keys.data?.map((k) => (
            <tr key={k.accessKey} data-testid="access-key-row">
              <td className="mono">{k.accessKey}</td>
              <td>{k.description}</td>
              <td data-testid="access-key-status">{k.status === 'active' ? t('accessKeys.active') : t('accessKeys.inactive')}</td>
              <td>{formatTime(k.createdAt)}</td>
              <td>{k.lastUsedAt === null ? t('accessKeys.never') : formatTime(k.lastUsedAt)}</td>
              <td>
                <button
                  type="button"
                  className="btn btn-link"
                  onClick={() => setStatus.mutate({ accessKey: k.accessKey, status: k.status === 'active' ? 'inactive' : 'active' })}
                >
                  {k.status === 'active' ? t('accessKeys.disable') : t('accessKeys.enable')}
                </button>
                <ConfirmButton label={t('common.delete')} danger question={t('accessKeys.deleteQuestion', { id: k.accessKey })} onConfirm={() => remove.mutate({ accessKey: k.accessKey })} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {keys.data?.length === 0 && <p className="muted">{t('accessKeys.none')}</p>}
      {error && (
        <p className="notice-bad" role="alert">
          {tServer(error)}
        </p>
      )}
      {isAdding && (
        <AddAccessKeyDialog
          onCancel={() => setAdding(false)}
          onCreated={(key) => {
            setAdding(false);
            setCreated(key);
            refresh.onSuccess();
          }}
        />
      )}
      {created && <CreatedKeyDialog created={created} onClose={() => setCreated(undefined)} />}
    </div>
  );
}

function AddAccessKeyDialog({ onCancel, onCreated }: { onCancel: () => void; onCreated: (key: TCreatedAccessKey) => void }) {
  const { t } = useI18n();
  const trpc = useTRPC();
  const [description, setDescription] = useState('');
  const { errors, fromServer, clear } = useFieldErrors();
  const create = useMutation(trpc.access.accessKeys.create.mutationOptions({ onSuccess: onCreated, onError: fromServer }));
  return (
    <FormDialog title={t('accessKeys.add')} onSubmit={() => create.mutate({ description })} onCancel={onCancel} formError={errors.form} isPending={create.isPending}>
      <Field label={t('common.description')} error={errors.description} htmlFor="access-key-description">
        <input
          id="access-key-description"
          autoFocus
          value={description}
          onChange={(e) => {
            setDescription(e.target.value);
            clear('description');
          }}
        />
      </Field>
    </FormDialog>
  );
}

/** The only time the secret is shown: copy it or download credentials.csv now. */
function CreatedKeyDialog({ created, onClose }: { created: TCreatedAccessKey; onClose: () => void }) {
  const { t } = useI18n();
  const download = () => {
    const url = URL.createObjectURL(new Blob([credentialsCsv(created)], { type: 'text/csv' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = 'credentials.csv';
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };
  return (
    <div className="dialog-backdrop">
      <div className="dialog" role="dialog" aria-label={t('accessKeys.created')}>
        <h3>{t('accessKeys.created')}</h3>
        <p className="notice-bad">{t('accessKeys.secretOnce')}</p>
        <dl className="kv">
          <dt>{t('accessKeys.id')}</dt>
          <dd className="input-row">
            <code data-testid="created-access-key">{created.accessKey}</code>
            <CopyButton text={created.accessKey} />
          </dd>
          <dt>{t('accessKeys.secret')}</dt>
          <dd className="input-row">
            <code data-testid="created-secret-key">{created.secretKey}</code>
            <CopyButton text={created.secretKey} />
          </dd>
        </dl>
        <div className="dialog-actions">
          <button type="button" className="btn" onClick={download}>
            {t('accessKeys.download')}
          </button>
          <button type="button" className="btn btn-primary" onClick={onClose}>
            {t('accessKeys.close')}
          </button>
        </div>
      </div>
    </div>
  );
}
