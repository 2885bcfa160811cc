'use client';
import { useI18n } from '../i18n/i18n-provider';

/** The end of a form dialog: the form-level error, if any, then Cancel and Confirm (submit). */
export function DialogFooter({ formError, isPending, onCancel }: { formError?: string; isPending?: boolean; onCancel: () => void }) {
  const { t, tServer } = useI18n();
  return (
    <>
      {formError && (
        <p className="notice-bad" role="alert">
          {tServer(formError)}
        </p>
      )}
      <div className="dialog-actions">
        <button type="button" className="btn" onClick={onCancel}>
          {t('common.cancel')}
        </button>
        <button type="submit" className="btn btn-primary" disabled={isPending}>
          {t('common.confirm')}
        </button>
      </div>
    </>
  );
}
