'use client';
import type { ReactNode } from 'react';
import { useI18n } from '../i18n/i18n-provider';

/** A labelled form row with its hint and, when there is one, its error. */
export function Field({ label, hint, error, required, htmlFor, children }: { label: string; hint?: string; error?: string; required?: boolean; htmlFor?: string; children: ReactNode }) {
  const { tServer } = useI18n();
  return (
    <div className={`field${error ? ' field-invalid' : ''}`}>
      <label className="field-label" htmlFor={htmlFor}>
        {required && (
          <span className="required" aria-hidden="true">
            *
          </span>
        )}
        {label}
      </label>
      <div className="field-body">
        {children}
        {hint && !error && <div className="field-hint">{hint}</div>}
        {error && (
          <div className="field-error" role="alert">
            {tServer(error)}
          </div>
        )}
      </div>
    </div>
  );
}
