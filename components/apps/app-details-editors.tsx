'use client';
/**
 * The application page's editable details (guide §2.4): up to 3 documentation links, and the model
 * precision (table 4-2) as text, kept to 17 decimal places by the server. Errors show on the field.
 */
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import type { TMetrics } from '@/server/contracts/apps';
import { useI18n } from '../i18n/i18n-provider';
import type { TMessageKey } from '../i18n/messages-en';
import { errorOf } from '../ui/error-text';

type TDoc = { name: string; url: string };
const METRIC_KEYS = ['recall', 'precision', 'accuracy', 'f1'] as const;

function useSave(onSave: (input: unknown) => Promise<unknown>, onDone: () => void) {
  const [error, setError] = useState<{ field?: string; message: string }>();
  const save = useMutation({
    mutationFn: onSave,
    onSuccess: () => {
      setError(undefined);
      onDone();
    },
    onError: (e) => setError(errorOf(e) ?? { message: e.message }),
  });
  return { save, error };
}

function SaveCancel({ isPending, onCancel }: { isPending: boolean; onCancel: () => void }) {
  const { t } = useI18n();
  return (
    <div className="input-row">
      <button type="submit" className="btn btn-small btn-primary" disabled={isPending}>
        {t('common.save')}
      </button>
      <button type="button" className="btn btn-small" onClick={onCancel}>
        {t('common.cancel')}
      </button>
    </div>
  );
}

export function DocsEditor({ docs, onSave }: { docs: TDoc[]; onSave: (docs: TDoc[]) => Promise<unknown> }) {
  const { t, tServer } = useI18n();
  const [draft, setDraft] = useState<TDoc[]>();
  const { save, error } = useSave((d) => onSave(d as TDoc[]), () => setDraft(undefined));
  if (draft === undefined) {
    return (
      <button type="button" className="btn-link" onClick={() => setDraft(docs.map((d) => ({ ...d })))}>
        {t('appDetail.editDocs')}
      </button>
    );
  }
  const set = (i: number, key: keyof TDoc, value: string) => setDraft(draft.map((d, j) => (j === i ? { ...d, [key]: value } : d)));
  return (
    <form
      className="docs-editor"
      data-testid="docs-editor"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate(draft);
      }}
    >
      {draft.map((d, i) => (
        <div key={i} className="input-row">
          <input aria-label={t('appDetail.docName', { n: i + 1 })} value={d.name} onChange={(e) => set(i, 'name', e.target.value)} />
          <input aria-label={t('appDetail.docUrl', { n: i + 1 })} placeholder="https://…" value={d.url} onChange={(e) => set(i, 'url', e.target.value)} aria-invalid={error?.field?.startsWith(`docs.${i}`)} />
          <button type="button" className="btn-link" onClick={() => setDraft(draft.filter((_, j) => j !== i))}>
            {t('common.delete')}
          </button>
        </div>
      ))}
      {draft.length < 3 && (
        <button type="button" className="btn btn-small" onClick={() => setDraft([...draft, { name: '', url: '' }])}>
          {t('appDetail.addDoc')}
        </button>
      )}
      <SaveCancel isPending={save.isPending} onCancel={() => setDraft(undefined)} />
      {error && (
        <p className="field-error" role="alert">
          {tServer(error.message)}
        </p>
      )}
    </form>
  );
}

export function PrecisionEditor({ metrics, onSave }: { metrics: TMetrics; onSave: (metrics: Record<string, string>) => Promise<unknown> }) {
  const { t, tServer } = useI18n();
  const [draft, setDraft] = useState<Record<string, string>>();
  const { save, error } = useSave((m) => onSave(m as Record<string, string>), () => setDraft(undefined));
  const keys = METRIC_KEYS.filter((k) => k in metrics);
  if (draft === undefined) {
    return (
      <div>
        {keys.length === 0 ? (
          <p className="muted">{t('appDetail.noMetrics')}</p>
        ) : (
          <dl className="kv">
            {keys.map((k) => (
              <div key={k} className="kv-pair">
                <dt>{t(`appDetail.metric.${k}` as TMessageKey)}</dt>
                <dd className="mono" data-testid={`metric-${k}`}>
                  {metrics[k]}
                </dd>
              </div>
            ))}
          </dl>
        )}
        <button type="button" className="btn-link" onClick={() => setDraft(Object.fromEntries(METRIC_KEYS.map((k) => [k, String(metrics[k] ?? '')])))}>
          {t('appDetail.editPrecision')}
        </button>
      </div>
    );
  }
  return (
    <form
      data-testid="precision-editor"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate(draft);
      }}
    >
      {METRIC_KEYS.map((k) => (
        <div key={k} className="field">
          <label className="field-label" htmlFor={`metric-${k}`}>
            {t(`appDetail.metric.${k}` as TMessageKey)}
          </label>
          <div className="field-body">
            <input id={`metric-${k}`} inputMode="decimal" value={draft[k]} onChange={(e) => setDraft({ ...draft, [k]: e.target.value })} aria-invalid={error?.field === `metrics.${k}`} />
            {error?.field === `metrics.${k}` && (
              <div className="field-error" role="alert">
                {tServer(error.message)}
              </div>
            )}
          </div>
        </div>
      ))}
      <p className="muted">{t('appDetail.precisionHint')}</p>
      <SaveCancel isPending={save.isPending} onCancel={() => setDraft(undefined)} />
      {error && !error.field?.startsWith('metrics.') && (
        <p className="field-error" role="alert">
          {tServer(error.message)}
        </p>
      )}
    </form>
  );
}
