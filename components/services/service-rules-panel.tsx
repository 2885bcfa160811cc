'use client';
/**
 * Personalized configuration (guide §3.1.2, tables 3-6..3-8): ordered rules, first match wins, each a
 * SpEL condition, the version it sends calls to and an optional header. Saved as a whole list; a bad
 * condition comes back with its position and is shown under its rule.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { MAX_RULES, type TServiceRule } from '@/server/contracts/service-rules';
import type { TServiceDetail } from '@/server/contracts/services';
import { useI18n } from '../i18n/i18n-provider';
import { useTRPC } from '../trpc';
import { useFieldErrors } from '../ui/use-field-errors';

export function ServiceRulesPanel({ service }: { service: TServiceDetail }) {
  const { t, tServer } = useI18n();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const saved = useQuery(trpc.access.service.rules.queryOptions({ serviceId: service.id }));
  const [rules, setRules] = useState<TServiceRule[]>([]);
  const [isSaved, setSaved] = useState(false);
  const { errors, fromServer, clear } = useFieldErrors({ byPath: true });
  useEffect(() => {
    if (saved.data) setRules(saved.data);
  }, [saved.data]);
  const save = useMutation(
    trpc.access.service.setRules.mutationOptions({
      onSuccess: (data) => {
        setSaved(true);
        queryClient.setQueryData(trpc.access.service.rules.queryKey({ serviceId: service.id }), data);
      },
      onError: fromServer,
    }),
  );
  const set = (i: number, patch: Partial<TServiceRule>) => {
    setSaved(false);
    for (const k of Object.keys(patch)) clear(`rules.${i}.${k}`);
    setRules((all) => all.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  };
  const move = (i: number, by: number) => {
    setSaved(false);
    setRules((all) => {
      const next = [...all];
      [next[i], next[i + by]] = [next[i + by], next[i]];
      return next;
    });
  };
  const versionLabel = (id: string) => {
    const v = service.versions.find((x) => x.id === id);
    return v ? `${v.appName} ${v.appVersion}` : id;
  };

  return (
    <section className="panel" aria-label={t('rules.title')}>
      <h2>{t('rules.title')}</h2>
      <p className="muted">{t('rules.hint')}</p>
      {rules.length === 0 && <p className="muted">{t('rules.none')}</p>}
      {rules.map((rule, i) => (
        <div key={i} className="rule-row" data-testid="service-rule">
          <div className="input-row">
            <input aria-label={`${t('rules.condition')} ${i + 1}`} className="mono grow" value={rule.condition} onChange={(e) => set(i, { condition: e.target.value })} />
            <select aria-label={`${t('rules.target')} ${i + 1}`} value={rule.versionId} onChange={(e) => set(i, { versionId: e.target.value })}>
              {service.versions.map((v) => (
                <option key={v.id} value={v.id}>
                  {versionLabel(v.id)}
                </option>
              ))}
            </select>
            <input aria-label={`${t('rules.headerName')} ${i + 1}`} placeholder={t('rules.headerName')} value={rule.headerName} onChange={(e) => set(i, { headerName: e.target.value })} />
            <input aria-label={`${t('rules.headerValue')} ${i + 1}`} placeholder={t('rules.headerValue')} value={rule.headerValue} onChange={(e) => set(i, { headerValue: e.target.value })} />
            <button type="button" className="btn btn-small" aria-label={`${t('rules.up')} ${i + 1}`} disabled={i === 0} onClick={() => move(i, -1)}>
              ↑
            </button>
            <button type="button" className="btn btn-small" aria-label={`${t('rules.down')} ${i + 1}`} disabled={i === rules.length - 1} onClick={() => move(i, 1)}>
              ↓
            </button>
            <button type="button" className="btn btn-link btn-danger" onClick={() => (setSaved(false), setRules((all) => all.filter((_, j) => j !== i)))}>
              {t('common.delete')}
            </button>
          </div>
          {['condition', 'versionId', 'headerName', 'headerValue'].map((f) =>
            errors[`rules.${i}.${f}`] ? (
              <p key={f} className="field-error" role="alert">
                {tServer(errors[`rules.${i}.${f}`])}
              </p>
            ) : null,
          )}
        </div>
      ))}
      <div className="input-row">
        <button
          type="button"
          className="btn"
          disabled={rules.length >= MAX_RULES}
          onClick={() => (setSaved(false), setRules((all) => [...all, { condition: '', versionId: service.versions.at(-1)?.id ?? '', headerName: '', headerValue: '' }]))}
        >
          {t('rules.add')}
        </button>
        <button type="button" className="btn btn-primary" disabled={save.isPending} onClick={() => save.mutate({ serviceId: service.id, rules })}>
          {t('rules.save')}
        </button>
        {isSaved && <span role="status">{t('rules.saved')}</span>}
      </div>
      {(errors.rules || errors.form) && (
        <p className="notice-bad" role="alert">
          {tServer(errors.rules ?? errors.form)}
        </p>
      )}
    </section>
  );
}
