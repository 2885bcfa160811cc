'use client';
import { useState } from 'react';
import { useI18n } from '../i18n/i18n-provider';

export function CopyButton({ text }: { text: string }) {
  const { t } = useI18n();
  const [isCopied, setCopied] = useState(false);
  return (
    <button
      type="button"
      className="btn btn-small"
      onClick={() => {
        void navigator.clipboard?.writeText(text).then(() => {
          setCopied(true);
          setTimeout(() => setCopied(false), 1500);
        });
      }}
    >
      {isCopied ? t('common.copied') : t('common.copy')}
    </button>
  );
}
