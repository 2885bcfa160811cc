'use client';
/**
 * The calling guide's contract: the service's OpenAPI 3.1 document, read through the gateway with
 * the console session (as any caller reads it with its credentials), its operations with their
 * request and response schemas, and a download of the document.
 */
import { useQuery } from '@tanstack/react-query';
import { useI18n } from '../i18n/i18n-provider';
import { CopyButton } from '../ui/copy-button';

type TOperation = {
  operationId?: string;
  requestBody?: { content: Record<string, { schema?: unknown }> };
  responses: Record<string, { description?: string; content?: Record<string, { schema?: unknown }> }>;
};
type TDocument = { openapi: string; info: { title: string; version: string }; paths: Record<string, Record<string, TOperation>> };

async function fetchContract(url: string): Promise<{ doc: TDocument; text: string }> {
  const res = await fetch(url, { headers: { 'x-anvil-console': '1' } });
  const text = await res.text();
  if (!res.ok) throw new Error(`${res.status} ${text}`);
  return { doc: JSON.parse(text) as TDocument, text };
}

const pretty = (schema: unknown) => JSON.stringify(schema ?? {}, null, 2);

export function ServiceContract({ serviceId }: { serviceId: string }) {
  const { t } = useI18n();
  const path = `/v1/infers/${serviceId}/openapi.json`;
  const contract = useQuery({ queryKey: ['service-contract', serviceId], queryFn: () => fetchContract(path) });
  const origin = typeof window === 'undefined' ? '' : window.location.origin;
  const url = `${origin}${path}`;

  return (
    <section className="guide-contract" data-testid="service-contract">
      <h3>{t('contract.title')}</h3>
      <p className="muted">{t('contract.hint')}</p>
      <div className="input-row">
        <code data-testid="openapi-url">{url}</code>
        <CopyButton text={url} />
        {contract.data && (
          <a className="btn btn-small" download={`${serviceId}-openapi.json`} href={`data:application/json;charset=utf-8,${encodeURIComponent(contract.data.text)}`}>
            {t('contract.download')}
          </a>
        )}
      </div>
      {contract.error && <p className="notice-bad">{t('contract.error', { error: contract.error.message })}</p>}
      {contract.data &&
        Object.entries(contract.data.doc.paths).flatMap(([p, ops]) =>
          Object.entries(ops).map(([method, op]) => {
            const request = Object.entries(op.requestBody?.content ?? {})[0];
            const answer = Object.entries(op.responses).find(([status]) => status.startsWith('2'));
            const answerContent = answer && Object.entries(answer[1].content ?? {})[0];
            return (
              <details key={`${method} ${p}`} className="contract-op" data-testid="contract-operation" open>
                <summary className="mono">
                  {method.toUpperCase()} {p} <span className="muted">{op.operationId}</span>
                </summary>
                {request && (
                  <>
                    <h4>
                      {t('contract.request')} <span className="mono muted">{request[0]}</span>
                    </h4>
                    <pre className="code-block-pre" data-testid="contract-request-schema">{pretty(request[1].schema)}</pre>
                  </>
                )}
                {answer && (
                  <>
                    <h4>
                      {t('contract.response', { status: answer[0] })} <span className="mono muted">{answerContent?.[0]}</span>
                    </h4>
                    <pre className="code-block-pre" data-testid="contract-response-schema">{pretty(answerContent?.[1].schema)}</pre>
                  </>
                )}
                <p className="muted">{t('contract.errors', { statuses: Object.keys(op.responses).filter((s) => !s.startsWith('2')).join(', ') })}</p>
              </details>
            );
          }),
        )}
    </section>
  );
}
