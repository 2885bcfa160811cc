'use client';
/** Deployment types and description documents (≤ 3) of the image application form, as on the OBS form. */
import { DEPLOY_TYPES, type TDeployType } from '@/server/contracts/apps';
import { useI18n } from '../i18n/i18n-provider';
import type { TMessageKey } from '../i18n/messages-en';
import { Field } from '../ui/field';

export type TDoc = { name: string; url: string };
const MAX_DOCS = 3;

export function DeployTypesField({ value, onChange, error }: { value: TDeployType[]; onChange: (types: TDeployType[]) => void; error?: string }) {
  const { t } = useI18n();
  return (
    <Field label={t('appForm.deployTypes')} error={error} required>
      <div className="checks">
        {DEPLOY_TYPES.map((type) => (
          <label key={type}>
            <input type="checkbox" checked={value.includes(type)} onChange={(e) => onChange(e.target.checked ? [...value, type] : value.filter((x) => x !== type))} />
            {t(`apps.deployType.${type}` as TMessageKey)}
          </label>
        ))}
      </div>
    </Field>
  );
}

export function DocsField({ value, onChange, error }: { value: TDoc[]; onChange: (docs: TDoc[]) => void; error?: string }) {
  const { t } = useI18n();
  const edit = (i: number, patch: Partial<TDoc>) => onChange(value.map((d, j) => (j === i ? { ...d, ...patch } : d)));
  return (
    <Field label={t('appForm.docs')} error={error}>
      {value.map((doc, i) => (
        <div className="input-row" key={i}>
          <input aria-label={t('appForm.docName')} placeholder={t('appForm.docName')} value={doc.name} onChange={(e) => edit(i, { name: e.target.value })} />
          <input aria-label={t('appForm.docUrl')} placeholder={t('appForm.docUrl')} value={doc.url} onChange={(e) => edit(i, { url: e.target.value })} />
          <button type="button" className="btn btn-small" onClick={() => onChange(value.filter((_, j) => j !== i))}>
            {t('common.remove')}
          </button>
        </div>
      ))}
      <button type="button" className="btn btn-small" disabled={value.length >= MAX_DOCS} onClick={() => onChange([...value, { name: '', url: '' }])}>
        {t('appForm.addDoc')} ({value.length}/{MAX_DOCS})
      </button>
    </Field>
  );
}
