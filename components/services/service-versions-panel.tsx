'use client';
/**
 * The versions of a service and their traffic ratios (guide table 3-2 "分流", "添加AI应用版本进行灰度发布"),
 * with a dialog that adds a version of the same AI application, changes the ratios and removes versions.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { TServiceDetail } from '@/server/contracts/services';
import { useI18n } from '../i18n/i18n-provider';
import { useTRPC } from '../trpc';
import { FormDialog } from '../ui/form-dialog';
import { useFieldErrors } from '../ui/use-field-errors';

export function ServiceVersionsPanel({ service }: { service: TServiceDetail }) {
  const { t } = useI18n();
  const [isEditing, setEditing] = useState(false);
  const canEdit = ['running', 'concerning', 'stopped', 'failed'].includes(service.status);
  return (
    <section className="panel" aria-label={t('versions.title')}>
      <div className="page-head">
        <h2>{t('versions.title')}</h2>
        <button type="button" className="btn" disabled={!canEdit} onClick={() => setEditing(true)}>
          {t('versions.edit')}
        </button>
      </div>
      <table className="table">
        <thead>
          <tr>
            <th>{t('versions.version')}</th>
            <th>{t('versions.weight')}</th>
            <th>{t('versions.resources')}</th>
            <th>{t('versions.ready')}</th>
          </tr>
        </thead>
        <tbody>
          {service.versions.map((v) => (
            <tr key={v.id} data-testid="service-version">
              <td>
                {v.appName} {v.appVersion}
              </td>
              <td data-testid="version-weight">{v.weight}%</td>
              <td className="mono">
                {v.flavor} × {v.instanceCount}
              </td>
              <td>
                {/* From the live instance list, which the socket keeps current. */}
                {service.instances.filter((i) => i.versionId === v.id && i.status === 'ready').length}/{v.instanceCount}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {isEditing && <EditVersionsDialog service={service} onClose={() => setEditing(false)} />}
    </section>
  );
}

type TRow = { id?: string; appId: string; weight: string; flavor: string; instanceCount: number; envs: { key: string; value: string }[] };

function EditVersionsDialog({ service, onClose }: { service: TServiceDetail; onClose: () => void }) {
  const { t } = useI18n();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const apps = useQuery(trpc.apps.list.queryOptions());
  const flavors = useQuery(trpc.services.flavors.queryOptions({ poolId: service.pool }));
  const [rows, setRows] = useState<TRow[]>(service.versions.map((v) => ({ id: v.id, appId: v.appId, weight: String(v.weight), flavor: v.flavor, instanceCount: v.instanceCount, envs: v.envs })));
  const { errors, fromServer } = useFieldErrors();
  const save = useMutation(
    trpc.services.setVersions.mutationOptions({
      onSuccess: () => {
        void queryClient.invalidateQueries({ queryKey: trpc.services.get.queryKey({ id: service.id }) });
        onClose();
      },
      onError: fromServer,
    }),
  );
  const sameApp = (apps.data ?? []).find((g) => g.name === service.appName)?.versions.filter((a) => a.status === 'normal') ?? [];
  const unused = sameApp.filter((a) => !rows.some((r) => r.appId === a.id));
  const sum = rows.reduce((n, r) => n + (Number(r.weight) || 0), 0);
  const set = (i: number, patch: Partial<TRow>) => setRows((all) => all.map((r, j) => (j === i ? { ...r, ...patch } : r)));

  return (
    <FormDialog title={t('versions.editTitle')} onSubmit={() => save.mutate({ serviceId: service.id, versions: rows.map((r) => ({ ...r, weight: Number(r.weight) })) })} onCancel={onClose} formError={errors.versions ?? errors.form} isPending={save.isPending} isWide>
      <p className="muted">{t('versions.hint')}</p>
      <table className="table">
        <tbody>
          {rows.map((r, i) => (
            <tr key={r.id ?? `new-${i}`}>
              <td>
                {r.id ? (
                  `${service.appName} ${sameApp.find((a) => a.id === r.appId)?.version ?? service.versions.find((v) => v.id === r.id)?.appVersion ?? ''}`
                ) : (
                  <select aria-label={t('versions.newVersion')} value={r.appId} onChange={(e) => set(i, { appId: e.target.value })}>
                    {[...unused, ...sameApp.filter((a) => a.id === r.appId)].map((a) => (
                      <option key={a.id} value={a.id}>
                        {a.name} {a.version}
                      </option>
                    ))}
                  </select>
                )}
              </td>
              <td>
                <input
                  aria-label={`${t('versions.weight')} ${i + 1}`}
                  type="number"
                  min={1}
                  max={100}
                  value={r.weight}
                  onChange={(e) => set(i, { weight: e.target.value })}
                />
                %
              </td>
              <td>
                {r.id ? (
                  <span className="mono">{r.flavor}</span>
                ) : (
                  <select aria-label={`${t('versions.resources')} ${i + 1}`} value={r.flavor} onChange={(e) => set(i, { flavor: e.target.value })}>
                    {(flavors.data ?? []).filter((f) => f.isAvailable).map((f) => (
                      <option key={f.id} value={f.id}>
                        {f.id}
                      </option>
                    ))}
                  </select>
                )}
              </td>
              <td>
                <button type="button" className="btn btn-link btn-danger" disabled={rows.length === 1} onClick={() => setRows((all) => all.filter((_, j) => j !== i))}>
                  {t('versions.remove')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="input-row">
        <button
          type="button"
          className="btn"
          disabled={unused.length === 0}
          onClick={() => setRows((all) => [...all, { appId: unused[0].id, weight: '', flavor: service.flavor, instanceCount: 1, envs: [] }])}
        >
          {t('versions.newVersion')}
        </button>
        <span className={sum === 100 ? 'muted' : 'notice-bad'} data-testid="weight-sum">
          {t('versions.sum', { sum })}
        </span>
      </div>
    </FormDialog>
  );
}
