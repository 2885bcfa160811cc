'use client';
/** AI application version details (guide table 2-13) and its tabs (table 2-14). */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { isWebUrl, type TAppDetail } from '@/server/contracts/apps';
import { PROBE_KINDS, type TProbes } from '@/server/contracts/probes';
import { EventsTable } from '../events/events-table';
import { useI18n } from '../i18n/i18n-provider';
import type { TMessageKey } from '../i18n/messages-en';
import { useLiveTopic } from '../live/socket-provider';
import { useTRPC } from '../trpc';
import { DescriptionEditor } from '../ui/description-editor';
import { DocsEditor, PrecisionEditor } from './app-details-editors';
import { formatBytes, formatTime } from '../ui/format';
import { StatusBadge } from '../ui/status-badge';
import { Tabs } from '../ui/tabs';
import { ApiParams } from './api-params';
import { DeployTypes } from './deploy-types';
import { RuntimeLine } from './runtime-line';
import { TableHead } from '../ui/table-head';

type TDependency = { installer: string; packages: { package_name: string; package_version?: string; restraint?: string }[] };

export function AppDetail({ id }: { id: string }) {
  const { t, tServer } = useI18n();
  const trpc = useTRPC();
  useLiveTopic(`app:${id}`);
  const app = useQuery(trpc.apps.get.queryOptions({ id }));
  const events = useQuery(trpc.apps.events.queryOptions({ id }));
  const updateDescription = useMutation(trpc.apps.updateDescription.mutationOptions());
  const queryClient = useQueryClient();
  const updateDetails = useMutation(trpc.apps.updateDetails.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.apps.get.queryKey({ id }) }) }));
  if (app.error) return <p className="notice-bad">{tServer(app.error.message)}</p>;
  const a = app.data;
  if (!a) return <p className="muted">{t('common.loading')}</p>;

  return (
    <div className="page">
      <div className="page-head">
        <h1>
          {a.name} <span className="muted">{a.version}</span>
        </h1>
        {a.status === 'normal' && a.deployTypes.includes('online') && (
          <Link className="btn btn-primary" href={`/services/deploy?appId=${a.id}`}>
            {t('apps.deploy')}
          </Link>
        )}
      </div>
      <section className="panel">
        <h2>{t('appDetail.basic')}</h2>
        <dl className="kv">
          <dt>{t('common.name')}</dt>
          <dd>{a.name}</dd>
          <dt>{t('common.status')}</dt>
          <dd data-testid="app-status">
            <StatusBadge status={a.status} />
          </dd>
          <dt>{t('common.version')}</dt>
          <dd>{a.version}</dd>
          <dt>{t('common.id')}</dt>
          <dd className="mono">{a.id}</dd>
          <dt>{t('common.description')}</dt>
          <dd>
            <DescriptionEditor description={a.description} onSave={(description) => updateDescription.mutateAsync({ id, description })} />
          </dd>
          <dt>{t('apps.deployTypes')}</dt>
          <dd>
            <DeployTypes types={a.deployTypes} />
          </dd>
          <dt>{t('apps.modelSource')}</dt>
          <dd>{t(a.sourceType === 'image' ? 'apps.source.image' : 'apps.source.obs')}</dd>
          <dt>{t(a.sourceType === 'image' ? 'appDetail.imagePath' : 'appDetail.storagePath')}</dt>
          <dd className="mono">{a.container?.image ?? a.sourceUri}</dd>
          {a.container && (
            <>
              <dt>{t('appDetail.callInterface')}</dt>
              <dd className="mono">
                {a.container.protocol} :{a.container.port}
              </dd>
              <dt>{t('appDetail.healthCheck')}</dt>
              <dd data-testid="app-probes">
                <ProbeSummary probes={a.container.probes} />
              </dd>
            </>
          )}
          <dt>{t('appDetail.engine')}</dt>
          <dd>{a.modelType || '-'}</dd>
          <dt>{t('appDetail.runtime')}</dt>
          <dd data-testid="app-runtime">
            <RuntimeLine info={a.runtimeInfo} />
          </dd>
          <dt>{t('appDetail.algorithm')}</dt>
          <dd>{a.modelAlgorithm || '-'}</dd>
          <dt>{t('appDetail.size')}</dt>
          <dd>{formatBytes(a.sizeBytes)}</dd>
          <dt>{t('common.created')}</dt>
          <dd>{formatTime(a.createdAt)}</dd>
          <dt>{t('appDetail.docs')}</dt>
          <dd>
            {a.docs.length === 0
              ? '-'
              : a.docs.map((d) =>
                  // Checked again here: versions stored before the schema refused other schemes.
                  isWebUrl(d.url) ? (
                    <a key={d.url} href={d.url} target="_blank" rel="noreferrer" className="doc-link">
                      {d.name}
                    </a>
                  ) : (
                    <span key={d.url} className="doc-link" title={d.url}>
                      {d.name}
                    </span>
                  ),
                )}{' '}
            <DocsEditor docs={a.docs} onSave={(docs) => updateDetails.mutateAsync({ id, docs })} />
          </dd>
        </dl>
      </section>
      {a.buildLog && (
        <section className="panel">
          <h2>{t('appDetail.buildLog')}</h2>
          <pre className="log-block" data-testid="app-build-log">
            {a.buildLog}
          </pre>
        </section>
      )}
      <section className="panel">
        <Tabs
          initial="params"
          tabs={[
            { id: 'precision', label: t('appDetail.tab.precision'), render: () => <PrecisionEditor metrics={a.metrics} onSave={(metrics) => updateDetails.mutateAsync({ id, metrics })} /> },
            { id: 'params', label: t('appDetail.tab.params'), render: () => a.apis.map((api) => <ApiParams key={api.url} api={api} />) },
            { id: 'deps', label: t('appDetail.tab.deps'), render: () => <Dependencies deps={a.dependencies as TDependency[]} /> },
            { id: 'events', label: t('appDetail.tab.events'), render: () => <EventsTable query={events} /> },
            { id: 'constraints', label: t('appDetail.tab.constraints'), render: () => <Constraints app={a} /> },
            { id: 'services', label: t('appDetail.tab.services'), render: () => <Services app={a} /> },
          ]}
        />
      </section>
    </div>
  );
}

/** One line per declared probe: kind, check, period / delay / timeout / failures (guide table 2-10). */
function ProbeSummary({ probes }: { probes?: TProbes }) {
  const { t } = useI18n();
  const declared = PROBE_KINDS.filter((k) => probes?.[k]);
  if (!probes || declared.length === 0) return <span className="muted">{t('appDetail.noHealthCheck')}</span>;
  return (
    <ul className="plain-list">
      {declared.map((kind) => {
        const p = probes[kind]!;
        return (
          <li key={kind}>
            {t(`probe.${kind}` as TMessageKey)}: <code>{p.checkMethod === 'HTTP' ? `GET ${p.url || '/health'}` : p.command}</code> · {p.periodSeconds}s / {p.initialDelaySeconds}s /{' '}
            {p.timeoutSeconds}s / {p.failureThreshold}×
          </li>
        );
      })}
    </ul>
  );
}

function Dependencies({ deps }: { deps: TDependency[] }) {
  const { t } = useI18n();
  const rows = deps.flatMap((d) => d.packages.map((p) => ({ installer: d.installer, ...p })));
  if (rows.length === 0) return <p className="muted">{t('appDetail.noDeps')}</p>;
  return (
    <table className="table table-compact">
      <TableHead labels={[t('appDetail.installer'), t('appDetail.package'), t('appDetail.packageVersion'), t('appDetail.restraint')]} />
      <tbody>
        {rows.map((r, i) => (
          <tr key={i}>
            <td>{r.installer}</td>
            <td className="mono">{r.package_name}</td>
            <td>{r.package_version ?? '-'}</td>
            <td>{r.restraint ?? '-'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Constraints({ app }: { app: TAppDetail }) {
  const { t } = useI18n();
  return (
    <dl className="kv">
      <dt>{t('apps.requestMode')}</dt>
      <dd>{t(`apps.requestMode.${app.requestMode}`)}</dd>
      <dt>{t('appDetail.startCommand')}</dt>
      <dd>
        <code>{app.startCommand}</code> {!app.container && <span className="muted">{t('appDetail.startCommandNote')}</span>}
      </dd>
      <dt>{t('appDetail.encryption')}</dt>
      <dd>{t(`appDetail.encryption.${app.encryption}`)}</dd>
    </dl>
  );
}

function Services({ app }: { app: TAppDetail }) {
  const { t } = useI18n();
  if (app.services.length === 0) return <p className="muted">{t('appDetail.noServices')}</p>;
  return (
    <table className="table table-compact">
      <TableHead labels={[t('common.name'), t('common.status')]} />
      <tbody>
        {app.services.map((s) => (
          <tr key={s.id}>
            <td>
              <Link href={`/services/${s.id}`}>{s.name}</Link>
            </td>
            <td>
              <StatusBadge status={s.status} kind="service" />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
