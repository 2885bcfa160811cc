'use client';
/** Calling guide (guide §3.1.2): API URL, parameters and ready-to-run curl lines for each API. */
import { useQuery } from '@tanstack/react-query';
import type { TApiSpec } from '@/server/contracts/apps';
import { ApiParams } from '../apps/api-params';
import { useI18n } from '../i18n/i18n-provider';
import { useTRPC } from '../trpc';
import { CopyButton } from '../ui/copy-button';
import { CallingGuideAccess } from './calling-guide-access';
import { apiUrl, callCurl, tokenCurl } from './curl-lines';

export function CallingGuide({ serviceId, apis }: { serviceId: string; apis: TApiSpec[] }) {
  const { t } = useI18n();
  const trpc = useTRPC();
  const me = useQuery(trpc.auth.me.queryOptions());
  const origin = typeof window === 'undefined' ? '' : window.location.origin;
  const tokenLine = tokenCurl(origin, {
    userName: me.data?.userName ?? 'admin',
    domainName: me.data?.domainName ?? 'anvil',
    projectName: me.data?.projectName ?? 'default',
  });

  return (
    <div className="guide">
      {apis.map((api) => {
        const url = apiUrl(origin, serviceId, api);
        const call = callCurl(url, api);
        return (
          <div key={api.url} className="guide-api">
            <div className="field">
              <span className="field-label">{t('serviceDetail.apiUrl')}</span>
              <div className="input-row">
                <code data-testid="api-url">{url}</code>
                <CopyButton text={url} />
              </div>
            </div>
            <ApiParams api={api} />
            <p>{t('serviceDetail.tokenStep')}</p>
            <div className="code-block">
              <pre>{tokenLine}</pre>
              <CopyButton text={tokenLine} />
            </div>
            <p>{t('serviceDetail.callStep')}</p>
            <div className="code-block">
              <pre data-testid="curl-line">{call}</pre>
              <CopyButton text={call} />
            </div>
          </div>
        );
      })}
      <CallingGuideAccess serviceId={serviceId} apis={apis} />
    </div>
  );
}
