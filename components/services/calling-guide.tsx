'use client';
/** Calling guide (guide §3.1.2): API URL, parameters and ready-to-run curl lines for each API. */
import { useQuery } from '@tanstack/react-query';
import { exampleBody, fileFields } from '@/server/contracts/api-fields';
import type { TApiSpec } from '@/server/contracts/apps';
import { ApiParams } from '../apps/api-params';
import { useI18n } from '../i18n/i18n-provider';
import { useTRPC } from '../trpc';
import { CopyButton } from '../ui/copy-button';

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export function CallingGuide({ serviceId, apis }: { serviceId: string; apis: TApiSpec[] }) {
  const { t } = useI18n();
  const trpc = useTRPC();
  const me = useQuery(trpc.auth.me.queryOptions());
  const origin = typeof window === 'undefined' ? '' : window.location.origin;
  const baseUrl = `${origin}/v1/infers/${serviceId}`;
  const tokenBody = JSON.stringify({
    auth: {
      identity: { methods: ['password'], password: { user: { name: me.data?.userName ?? 'admin', password: '<password>', domain: { name: me.data?.domainName ?? 'anvil' } } } },
      scope: { project: { name: me.data?.projectName ?? 'default' } },
    },
  });
  const tokenCurl = `TOKEN=$(curl -s -i -X POST ${origin}/v3/auth/tokens -H 'Content-Type: application/json' -d ${shellQuote(tokenBody)} | awk 'tolower($1)=="x-subject-token:" {print $2}' | tr -d '\\r')`;

  return (
    <div className="guide">
      {apis.map((api) => {
        const url = api.url === '/' ? baseUrl : `${baseUrl}${api.url}`;
        const files = fileFields(api.request);
        const call = files.length
          ? `curl -X ${api.method} ${url} -H "X-Auth-Token: $TOKEN" ${files.map((f) => `-F '${f}=@/path/to/file.png'`).join(' ')}`
          : `curl -X ${api.method} ${url} -H "X-Auth-Token: $TOKEN" -H 'Content-Type: application/json' -d ${shellQuote(JSON.stringify(exampleBody(api.request)))}`;
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
              <pre>{tokenCurl}</pre>
              <CopyButton text={tokenCurl} />
            </div>
            <p>{t('serviceDetail.callStep')}</p>
            <div className="code-block">
              <pre data-testid="curl-line">{call}</pre>
              <CopyButton text={call} />
            </div>
          </div>
        );
      })}
    </div>
  );
}
