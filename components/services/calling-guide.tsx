'use client';
/** Calling guide (guide §3.1.2): API URL, parameters and ready-to-run curl, Python and JavaScript calls for each API; the service's OpenAPI document. */
import { useQuery } from '@tanstack/react-query';
import type { TApiSpec } from '@/server/contracts/apps';
import { ApiParams } from '../apps/api-params';
import { useI18n } from '../i18n/i18n-provider';
import { useTRPC } from '../trpc';
import { CopyButton } from '../ui/copy-button';
import { CallingGuideAccess } from './calling-guide-access';
import { Tabs } from '../ui/tabs';
import { fetchExample, pythonExample } from './code-examples';
import { apiUrl, callCurl, tokenCurl } from './curl-lines';
import { ServiceContract } from './service-contract';

function Code({ text, testId, hint }: { text: string; testId: string; hint?: string }) {
  return (
    <>
      {hint && <p className="muted">{hint}</p>}
      <div className="code-block">
        <pre data-testid={testId}>{text}</pre>
        <CopyButton text={text} />
      </div>
    </>
  );
}

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
            <Tabs
              tabs={[
                { id: 'curl', label: 'curl', render: () => <Code text={call} testId="curl-line" /> },
                { id: 'python', label: 'Python', render: () => <Code text={pythonExample(url, api)} testId="python-example" hint={t('contract.pythonHint')} /> },
                { id: 'javascript', label: 'JavaScript', render: () => <Code text={fetchExample(url, api)} testId="javascript-example" hint={t('contract.javascriptHint')} /> },
              ]}
            />
          </div>
        );
      })}
      <ServiceContract serviceId={serviceId} />
      <CallingGuideAccess serviceId={serviceId} apis={apis} />
    </div>
  );
}
