'use client';
/** The editable description of an AI-application version (guide §2.4; saving records "Model description updated."). */
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useI18n } from '../i18n/i18n-provider';
import { useTRPC } from '../trpc';

export function DescriptionEditor({ id, description }: { id: string; description: string }) {
  const { t, tServer } = useI18n();
  const trpc = useTRPC();
  const [draft, setDraft] = useState<string>();
  const save = useMutation(trpc.apps.updateDescription.mutationOptions({ onSuccess: () => setDraft(undefined) }));
  if (draft === undefined) {
    return (
      <span className="input-row">
        <span data-testid="app-description">{description || '-'}</span>
        <button type="button" className="btn-link" onClick={() => setDraft(description)}>
          {t('common.edit')}
        </button>
      </span>
    );
  }
  return (
    <form
      className="input-row"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate({ id, description: draft });
      }}
    >
      <input aria-label={t('common.description')} value={draft} maxLength={500} onChange={(e) => setDraft(e.target.value)} autoFocus />
      <button type="submit" className="btn btn-small btn-primary" disabled={save.isPending}>
        {t('common.save')}
      </button>
      <button type="button" className="btn btn-small" onClick={() => setDraft(undefined)}>
        {t('common.cancel')}
      </button>
      {save.error && (
        <span className="field-error" role="alert">
          {tServer(save.error.message)}
        </span>
      )}
    </form>
  );
}
