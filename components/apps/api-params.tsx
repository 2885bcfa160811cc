'use client';
/** An API of config.json `apis` as the console shows it: path, method, input and output parameters. */
import type { TApiField, TApiSpec } from '@/server/contracts/apps';
import { useI18n } from '../i18n/i18n-provider';
import { TableHead } from '../ui/table-head';

function ParamTable({ title, fields }: { title: string; fields: TApiField[] }) {
  const { t } = useI18n();
  return (
    <div className="param-block">
      <h4>{title}</h4>
      {fields.length === 0 ? (
        <p className="muted">{t('api.noParams')}</p>
      ) : (
        <table className="table table-compact">
          <TableHead labels={[t('api.param'), t('api.paramType'), t('common.required')]} />
          <tbody>
            {fields.map((f) => (
              <tr key={f.name}>
                <td className="mono">{f.name}</td>
                <td className="mono">{f.type}</td>
                <td>{f.required ? t('common.yes') : t('common.no')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

export function ApiParams({ api }: { api: TApiSpec }) {
  const { t } = useI18n();
  return (
    <div className="api-spec" data-testid="api-spec">
      <dl className="kv kv-inline">
        <dt>{t('api.path')}</dt>
        <dd className="mono">{api.url}</dd>
        <dt>{t('api.method')}</dt>
        <dd className="mono">{api.method}</dd>
        <dt>{t('api.contentType')}</dt>
        <dd className="mono">{api.requestContentType}</dd>
      </dl>
      <div className="param-grid">
        <ParamTable title={t('api.input')} fields={api.inputs} />
        <ParamTable title={t('api.output')} fields={api.outputs} />
      </div>
    </div>
  );
}
