'use client';
/** An editable description (AI applications guide §2.4, services table 3-4): shown, or edited in place. */
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useI18n } from '../i18n/i18n-provider';

export function DescriptionEditor({ description, onSave }: { description: string; onSave: (description: string) => Promise<unknown> }) {
  const { t, tServer } = useI18n();
  const [draft, setDraft] = useState<string>();
  const save = useMutation({ mutationFn: onSave, onSuccess: () => setDraft(undefined) });
  if (draft === undefined) {
    return (
      <span className="input-row">
        <span data-testid="description">{description || '-'}</span>
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
        save.mutate(draft);
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
