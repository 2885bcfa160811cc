'use client';
/** Online service details (guide tables 3-4 and 3-5); status, instances and events update live. */
import { useMutation, useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { EventsTable } from '../events/events-table';
import { useI18n } from '../i18n/i18n-provider';
import type { TMessageKey } from '../i18n/messages-en';
import { newerDetail } from '../live/newest-wins';
import { useLiveTopic } from '../live/socket-provider';
import { useTRPC } from '../trpc';
import { DescriptionEditor } from '../ui/description-editor';
import { formatTime } from '../ui/format';
import { StatusBadge } from '../ui/status-badge';
import { Tabs } from '../ui/tabs';
import { RuntimeLine } from '../apps/runtime-line';
import { AutoStopEditor } from './auto-stop';
import { CallingGuide } from './calling-guide';
import { CloudShellPanel } from './cloud-shell-panel';
import { InstancesTable } from './instances-table';
import { MonitoringPanel } from '../monitoring/monitoring-panel';
import { TracesPanel } from './traces-panel';
import type { TReplay } from './prediction-panel';
import { LogsPanel } from './logs-panel';
import { PredictionPanel } from './prediction-panel';
import { ServiceAccessFields } from './service-access-fields';
import { ServiceActions } from './service-actions';
import { ServiceRulesPanel } from './service-rules-panel';
import { ServiceVersionsPanel } from './service-versions-panel';

export function ServiceDetail({ id }: { id: string }) {
  const { t, tServer } = useI18n();
  const trpc = useTRPC();
  const router = useRouter();
  useLiveTopic(`service:${id}`);
  const service = useQuery(trpc.services.get.queryOptions({ id }, { structuralSharing: newerDetail }));
  const events = useQuery(trpc.services.events.queryOptions({ id }));
  const app = useQuery({ ...trpc.apps.get.queryOptions({ id: service.data?.appId ?? '' }), enabled: !!service.data });
  const updateDescription = useMutation(trpc.services.updateDescription.mutationOptions());
  const [actionError, setActionError] = useState<string>();
  const [tab, setTab] = useState('guide');
  // A trace replayed in the prediction tab (the nonce remounts the editor with it).
  const [replay, setReplay] = useState<(TReplay & { nonce: number }) | undefined>();
  if (service.error) return <p className="notice-bad">{tServer(service.error.message)}</p>;
  const s = service.data;
  if (!s) return <p className="muted">{t('common.loading')}</p>;
  const apis = app.data?.apis ?? [];

  return (
    <div className="page">
      <div className="page-head">
        <h1>{s.name}</h1>
        <ServiceActions service={s} onError={setActionError} onDeleted={() => router.push('/services')} />
      </div>
      {actionError && (
        <p className="notice-bad" role="alert">
          {tServer(actionError)}
        </p>
      )}
      <section className="panel">
        <dl className="kv">
          <dt>{t('common.name')}</dt>
          <dd>{s.name}</dd>
          <dt>{t('common.status')}</dt>
          <dd data-testid="service-status">
            <StatusBadge status={s.status} kind="service" />
          </dd>
          {s.statusReason && (
            <>
              <dt>{t('serviceDetail.statusReason')}</dt>
              <dd>
                <pre className="status-reason" data-testid="status-reason">
                  {s.statusReason}
                </pre>
              </dd>
            </>
          )}
          <dt>{t('serviceDetail.source')}</dt>
          <dd>{t(`serviceDetail.source.${s.source}` as TMessageKey)}</dd>
          <dt>{t('serviceDetail.serviceId')}</dt>
          <dd className="mono">{s.id}</dd>
          <dt>{t('common.description')}</dt>
          <dd>
            <DescriptionEditor description={s.description} onSave={(description) => updateDescription.mutateAsync({ id, description })} />
          </dd>
          <dt>{t('deployForm.pool')}</dt>
          <dd>{t(`deployForm.pool.${s.pool}` as TMessageKey)}</dd>
          <dt>{t('serviceDetail.appVersion')}</dt>
          <dd>
            <Link href={`/ai-apps/${s.appId}`}>
              {s.appName} {s.appVersion}
            </Link>
          </dd>
          <dt>{t('services.flavor')}</dt>
          <dd className="mono">
            {s.flavor} × {s.instanceCount}
          </dd>
          <dt>{t('serviceDetail.autoStop')}</dt>
          <dd>
            <AutoStopEditor service={s} onError={setActionError} />
          </dd>
          <dt>{t('common.created')}</dt>
          <dd>{formatTime(s.createdAt)}</dd>
          <ServiceAccessFields serviceId={s.id} />
        </dl>
      </section>
      <ServiceVersionsPanel service={s} />
      <ServiceRulesPanel service={s} />
      <section className="panel">
        <Tabs
          active={tab}
          onChange={setTab}
          tabs={[
            { id: 'guide', label: t('serviceDetail.tab.guide'), render: () => <CallingGuide serviceId={s.id} apis={apis} /> },
            { id: 'predict', label: t('serviceDetail.tab.predict'), render: () => <PredictionPanel key={replay?.nonce} serviceId={s.id} isRunning={s.status === 'running' || s.status === 'concerning'} apis={apis} replay={replay} /> },
            {
              id: 'instances',
              label: t('serviceDetail.tab.instances'),
              render: () => (
                <>
                  {app.data && (
                    <p data-testid="instance-runtime">
                      {t('appDetail.runtime')}: <RuntimeLine info={app.data.runtimeInfo} />
                    </p>
                  )}
                  <InstancesTable instances={s.instances} isolation={s.isolation} />
                </>
              ),
            },
            { id: 'events', label: t('serviceDetail.tab.events'), render: () => <EventsTable query={events} /> },
            { id: 'monitoring', label: t('serviceDetail.tab.monitoring'), render: () => <MonitoringPanel service={s} /> },
            { id: 'logs', label: t('serviceDetail.tab.logs'), render: () => <LogsPanel serviceId={s.id} instanceIds={s.instances.map((i) => i.id)} /> },
            {
              id: 'traces', label: t('serviceDetail.tab.traces'),
              render: () => (
                <TracesPanel
                  serviceId={s.id}
                  onReplay={(r) => {
                    setReplay({ ...r, nonce: Date.now() });
                    setTab('predict');
                  }}
                />
              ),
            },
            // Guide §3.1.6: only for running services.
            ...(s.status === 'running' || s.status === 'concerning'
              ? [{ id: 'cloud-shell', label: t('serviceDetail.tab.cloudShell'), render: () => <CloudShellPanel service={s} /> }]
              : []),
          ]}
        />
      </section>
    </div>
  );
}
