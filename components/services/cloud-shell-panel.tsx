'use client';
/** The CloudShell tab (guide §3.1.6): choose the AI-application version and the compute node, then a terminal in it. */
import { useState } from 'react';
import type { TServiceDetail } from '@/server/contracts/services';
import { useI18n } from '../i18n/i18n-provider';
import type { TMessageKey } from '../i18n/messages-en';
import { CloudShellTerminal } from './cloud-shell-terminal';

/** Instances whose process runs: an unhealthy one too, since a shell is how one finds out why. */
const SERVING = new Set(['ready', 'unready']);

export function CloudShellPanel({ service }: { service: TServiceDetail }) {
  const { t } = useI18n();
  const [chosenId, setChosenId] = useState<string>();
  const isRunning = service.status === 'running' || service.status === 'concerning';
  const serving = service.instances.filter((i) => SERVING.has(i.status));
  // The chosen instance keeps its terminal (and its "disconnected" reason) while it restarts; another is picked only once it is gone.
  const instanceId = service.instances.some((i) => i.id === chosenId) ? chosenId : serving[0]?.id;

  return (
    <div data-testid="cloud-shell">
      <div className="toolbar">
        <label className="input-row">
          {t('cloudShell.version')}
          {/* One AI-application version per service today. */}
          <select aria-label={t('cloudShell.version')} value={service.appId} disabled={!isRunning} onChange={() => undefined}>
            <option value={service.appId}>
              {service.appName} {service.appVersion}
            </option>
          </select>
        </label>
        <label className="input-row">
          {t('cloudShell.instance')}
          <select aria-label={t('cloudShell.instance')} value={instanceId ?? ''} disabled={!isRunning || serving.length === 0} onChange={(e) => setChosenId(e.target.value)}>
            {service.instances
              .filter((i) => SERVING.has(i.status) || i.id === instanceId)
              .map((i) => (
                <option key={i.id} value={i.id}>
                  {i.id} ({t(`status.${i.status}` as TMessageKey)})
                </option>
              ))}
          </select>
        </label>
      </div>
      {instanceId ? (
        <CloudShellTerminal key={instanceId} serviceId={service.id} instanceId={instanceId} canReconnect={isRunning && serving.some((i) => i.id === instanceId)} />
      ) : (
        <p className="muted">{t('cloudShell.noInstance')}</p>
      )}
    </div>
  );
}
