'use client';
/** AI application list (guide table 2-11) with expandable versions (table 2-12). */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { Fragment, useState } from 'react';
import type { TAppSummary } from '@/server/contracts/apps';
import { useI18n } from '../i18n/i18n-provider';
import { useLiveTopic } from '../live/socket-provider';
import { useTRPC } from '../trpc';
import { ConfirmButton } from '../ui/confirm-button';
import { formatBytes, formatTime } from '../ui/format';
import { matchesName, NameFilter } from '../ui/name-filter';
import { StatusBadge } from '../ui/status-badge';
import { DeployTypes } from './deploy-types';
import { TableHead } from '../ui/table-head';

export function AppsList() {
  const { t, tServer } = useI18n();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  useLiveTopic('apps');
  const apps = useQuery(trpc.apps.list.queryOptions());
  const [expanded, setExpanded] = useState<string>();
  const [filter, setFilter] = useState('');
  const shown = apps.data?.filter((g) => matchesName(g.name, filter));
  const [error, setError] = useState<string>();
  const onDeleted = {
    onSuccess: () => {
      setError(undefined);
      return queryClient.invalidateQueries({ queryKey: trpc.apps.list.queryKey() });
    },
    onError: (e: { message: string }) => setError(e.message),
  };
  const remove = useMutation(trpc.apps.delete.mutationOptions(onDeleted));
  const removeApp = useMutation(trpc.apps.deleteApp.mutationOptions(onDeleted));
  // Guide §2.5: several applications deleted at once, or none when one of them is deployed.
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const removeApps = useMutation(
    trpc.apps.deleteApps.mutationOptions({
      onSuccess: () => {
        setSelected(new Set());
        return onDeleted.onSuccess();
      },
      onError: onDeleted.onError,
    }),
  );
  const toggle = (name: string) => setSelected((s) => (s.has(name) ? new Set([...s].filter((n) => n !== name)) : new Set([...s, name])));
  const deployLink = (v: TAppSummary) =>
    v.status === 'normal' &&
    v.deployTypes.includes('online') && (
      <Link className="btn-link" href={`/services/deploy?appId=${v.id}`}>
        {t('apps.deploy')}
      </Link>
    );

  return (
    <div className="page">
      <div className="page-head">
        <h1>{t('apps.title')}</h1>
        <Link href="/ai-apps/create" className="btn btn-primary">
          {t('apps.create')}
        </Link>
      </div>
      <div className="input-row">
        <NameFilter value={filter} onChange={setFilter} />
        <ConfirmButton
          label={t('apps.deleteSelected', { n: selected.size })}
          danger
          disabled={selected.size === 0 || removeApps.isPending}
          question={t('apps.deleteSelectedConfirm', { names: [...selected].join(', ') })}
          onConfirm={() => removeApps.mutate({ names: [...selected] })}
        />
      </div>
      {error && <p className="notice-bad" role="alert">{tServer(error)}</p>}
      <table className="table" data-testid="apps-table">
        <TableHead labels={['', t('common.name'), t('apps.latestVersion'), t('common.status'), t('apps.deployTypes'), t('apps.versionCount'), t('apps.requestMode'), t('common.created'), t('common.description'), t('common.operation')]} />
        <tbody>
          {shown?.map(({ name, latest, versions }) => (
            <Fragment key={name}>
              <tr data-app={name}>
                <td>
                  <input type="checkbox" aria-label={t('apps.select', { name })} checked={selected.has(name)} onChange={() => toggle(name)} />
                </td>
                <td>
                  <Link href={`/ai-apps/${latest.id}`}>{name}</Link>
                </td>
                <td>{latest.version}</td>
                <td>
                  <StatusBadge status={latest.status} />
                </td>
                <td>
                  <DeployTypes types={latest.deployTypes} />
                </td>
                <td>
                  <button type="button" className="btn-link" aria-expanded={expanded === name} onClick={() => setExpanded(expanded === name ? undefined : name)}>
                    {versions.length} {expanded === name ? '▴' : '▾'}
                  </button>
                </td>
                <td>{t(`apps.requestMode.${latest.requestMode}`)}</td>
                <td className="nowrap">{formatTime(latest.createdAt)}</td>
                <td className="ellipsis">{latest.description}</td>
                <td className="ops">
                  {deployLink(latest)}
                  <Link className="btn-link" href={`/ai-apps/create?from=${latest.id}`}>
                    {t('apps.createVersion')}
                  </Link>
                  {/* Guide §2.3 "Delete" on the row: the latest version only; the whole application is a separate action. */}
                  <ConfirmButton
                    label={t('apps.deleteLatest')}
                    danger
                    question={t('apps.deleteLatestConfirm', { name, version: latest.version, others: versions.length - 1 })}
                    onConfirm={() => remove.mutate({ id: latest.id })}
                  />
                  <ConfirmButton
                    label={t('apps.deleteApp')}
                    danger
                    question={t('apps.deleteAppConfirm', { name, count: versions.length })}
                    onConfirm={() => removeApp.mutate({ name })}
                  />
                </td>
              </tr>
              {expanded === name && (
                <tr className="subrow">
                  <td colSpan={10}>
                    <table className="table table-compact">
                      <TableHead labels={[t('common.version'), t('common.status'), t('apps.deployTypes'), t('common.size'), t('apps.modelSource'), t('common.created'), t('common.description'), t('common.operation')]} />
                      <tbody>
                        {versions.map((v) => (
                          <tr key={v.id}>
                            <td>
                              <Link href={`/ai-apps/${v.id}`}>{v.version}</Link>
                            </td>
                            <td>
                              <StatusBadge status={v.status} />
                            </td>
                            <td>
                              <DeployTypes types={v.deployTypes} />
                            </td>
                            <td>{formatBytes(v.sizeBytes)}</td>
                            <td className="mono">{v.sourceUri}</td>
                            <td className="nowrap">{formatTime(v.createdAt)}</td>
                            <td>{v.description}</td>
                            <td className="ops">
                              {deployLink(v)}
                              <ConfirmButton
                                label={t('common.delete')}
                                danger
                                question={t('common.deleteConfirm', { name: `${v.name} ${v.version}` })}
                                onConfirm={() => remove.mutate({ id: v.id })}
                              />
                            </td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  </td>
                </tr>
              )}
            </Fragment>
          ))}
        </tbody>
      </table>
      {apps.data?.length === 0 && <p className="muted">{t('apps.empty')}</p>}
    </div>
  );
}
