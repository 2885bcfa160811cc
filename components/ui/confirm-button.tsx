'use client';
import { useState } from 'react';
import { useI18n } from '../i18n/i18n-provider';

/** A button that asks for confirmation in a small dialog before it acts. */
export function ConfirmButton({ label, question, onConfirm, danger, disabled, title }: { label: string; question: string; onConfirm: () => void; danger?: boolean; disabled?: boolean; title?: string }) {
  const { t } = useI18n();
  const [isOpen, setOpen] = useState(false);
  return (
    <>
      <button type="button" className={`btn btn-link${danger ? ' btn-danger' : ''}`} disabled={disabled} title={title} onClick={() => setOpen(true)}>
        {label}
      </button>
      {isOpen && (
        <div className="dialog-backdrop">
          <div className="dialog" role="dialog" aria-modal="true">
            <p>{question}</p>
            <div className="dialog-actions">
              <button type="button" className="btn" onClick={() => setOpen(false)}>
                {t('common.cancel')}
              </button>
              <button
                type="button"
                className={`btn btn-primary${danger ? ' btn-danger' : ''}`}
                onClick={() => {
                  setOpen(false);
                  onConfirm();
                }}
              >
                {t('common.confirm')}
              </button>
            </div>
          </div>
        </div>
      )}
    </>
  );
}
