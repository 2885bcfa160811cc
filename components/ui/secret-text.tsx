'use client';
import { useState } from 'react';
import { useI18n } from '../i18n/i18n-provider';
import { CopyButton } from './copy-button';

/** A secret shown masked, with an eye to show it in plain text ("查询明文") and a copy button. */
export function SecretText({ value, label }: { value: string; label: string }) {
  const { t } = useI18n();
  const [isShown, setShown] = useState(false);
  return (
    <span className="input-row">
      <code data-testid={`secret-${label}`} aria-label={label}>
        {isShown ? value : '•'.repeat(Math.min(24, value.length))}
      </code>
      <button type="button" className="btn btn-small" aria-pressed={isShown} aria-label={`${isShown ? t('secret.hide') : t('secret.show')} ${label}`} onClick={() => setShown(!isShown)}>
        {isShown ? t('secret.hide') : t('secret.show')}
      </button>
      <CopyButton text={value} />
    </span>
  );
}
