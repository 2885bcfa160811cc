'use client';
/** Log export (guide "运行日志输出"): send the service's logs to a bucket, a syslog server or Loki, and see how delivery goes. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useI18n } from '../i18n/i18n-provider';
import { useTRPC } from '../trpc';
import { Field } from '../ui/field';
import { formatTime } from '../ui/format';
import { useFieldErrors } from '../ui/use-field-errors';

type TKind = 'off' | 'obs' | 'syslog' | 'loki';
type TForm = { kind: TKind; bucket: string; prefix: string; host: string; port: string; protocol: 'udp' | 'tcp'; url: string };

const toTarget = (f: TForm) =>
  f.kind === 'obs' ? { kind: f.kind, bucket: f.bucket, prefix: f.prefix }
  : f.kind === 'syslog' ? { kind: f.kind, host: f.host.trim(), port: f.port.trim() === '' ? NaN : Number(f.port), protocol: f.protocol }
  : f.kind === 'loki' ? { kind: f.kind, url: f.url.trim() }
  : { kind: f.kind };

export function LogExportForm({ serviceId }: { serviceId: string }) {
  const { t } = useI18n();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const current = useQuery({ ...trpc.services.logExport.queryOptions({ id: serviceId }), refetchInterval: (q) => (q.state.data?.target.kind === 'off' ? false : 3000) });
  const buckets = useQuery(trpc.obs.buckets.queryOptions());
  const [form, setForm] = useState<TForm | null>(null);
  const { errors, fromServer, clear } = useFieldErrors();
  const save = useMutation(
    trpc.services.setLogExport.mutationOptions({
      onSuccess: (next) => {
        queryClient.setQueryData(trpc.services.logExport.queryKey({ id: serviceId }), next);
        setForm(null);
      },
      onError: fromServer,
    }),
  );
  const target = current.data?.target as (Partial<TForm> & { kind: TKind; port?: number }) | undefined;
  const shown: TForm = form ?? {
    kind: target?.kind ?? 'off', bucket: target?.bucket ?? '', prefix: target?.prefix ?? 'logs', host: target?.host ?? '', port: target?.port ? String(target.port) : '514',
    protocol: target?.protocol ?? 'udp', url: target?.url ?? '',
  };
  const set = <K extends keyof TForm>(key: K, value: TForm[K]) => {
    setForm({ ...shown, [key]: value });
    clear(key);
  };
  const status = current.data?.status;
  return (
    <details className="log-export">
      <summary>
        {t('logExport.title')}: {t(`logExport.kind.${target?.kind ?? 'off'}`)}
      </summary>
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate({ id: serviceId, target: toTarget(shown) });
        }}
      >
        <Field label={t('logExport.target')} htmlFor="log-export-kind">
          <select id="log-export-kind" value={shown.kind} onChange={(e) => set('kind', e.target.value as TKind)}>
            {(['off', 'obs', 'syslog', 'loki'] as const).map((k) => (
              <option key={k} value={k}>
                {t(`logExport.kind.${k}`)}
              </option>
            ))}
          </select>
        </Field>
        {shown.kind === 'obs' && (
          <>
            <Field label={t('logExport.bucket')} error={errors.bucket} htmlFor="log-export-bucket">
              <select id="log-export-bucket" value={shown.bucket} onChange={(e) => set('bucket', e.target.value)}>
                <option value="">—</option>
                {buckets.data?.map((b) => (
                  <option key={b.name} value={b.name}>
                    {b.name}
                  </option>
                ))}
              </select>
            </Field>
            <Field label={t('logExport.prefix')} hint={t('logExport.prefixHint')} error={errors.prefix} htmlFor="log-export-prefix">
              <input id="log-export-prefix" value={shown.prefix} onChange={(e) => set('prefix', e.target.value)} />
            </Field>
          </>
        )}
        {shown.kind === 'syslog' && (
          <>
            <Field label={t('logExport.host')} error={errors.host} htmlFor="log-export-host">
              <input id="log-export-host" value={shown.host} onChange={(e) => set('host', e.target.value)} />
            </Field>
            <Field label={t('logExport.port')} error={errors.port} htmlFor="log-export-port">
              <input id="log-export-port" inputMode="numeric" value={shown.port} onChange={(e) => set('port', e.target.value)} />
            </Field>
            <Field label={t('logExport.protocol')} htmlFor="log-export-protocol">
              <select id="log-export-protocol" value={shown.protocol} onChange={(e) => set('protocol', e.target.value as 'udp' | 'tcp')}>
                <option value="udp">UDP</option>
                <option value="tcp">TCP</option>
              </select>
            </Field>
          </>
        )}
        {shown.kind === 'loki' && (
          <Field label={t('logExport.url')} hint="http://loki:3100/loki/api/v1/push" error={errors.url} htmlFor="log-export-url">
            <input id="log-export-url" value={shown.url} onChange={(e) => set('url', e.target.value)} />
          </Field>
        )}
        {errors.form && <p className="form-error">{errors.form}</p>}
        <button type="submit" className="btn btn-primary btn-small" disabled={save.isPending}>
          {t('logExport.save')}
        </button>
      </form>
      {status && target?.kind !== 'off' && (
        <p className="muted" data-testid="log-export-status">
          {t('logExport.status', { n: status.delivered, failed: status.failedBatches })}
          {status.lastAt ? ` · ${formatTime(status.lastAt)}` : ''}
          {status.lastError ? ` · ${status.lastError}` : ''}
        </p>
      )}
    </details>
  );
}
