'use client';
/**
 * One health-check probe of an image application (guide §2.2.4, probe table): an enable switch, a
 * collapsible body with the check method (HTTP URL or EXEC command), period, initial delay, timeout
 * and maximum failures, with the guide's ranges as input constraints.
 */
import { useState } from 'react';
import type { TProbe, TProbeKind } from '@/server/contracts/probes';
import { useI18n } from '../i18n/i18n-provider';
import type { TMessageKey } from '../i18n/messages-en';
import { Field } from '../ui/field';

const INT_MAX = 2147483647;

/** A probe as the form edits it: numbers stay text until submit, so an empty box is an error, not a 0. */
export type TProbeDraft = {
  isEnabled: boolean;
  checkMethod: TProbe['checkMethod'];
  url: string;
  command: string;
  periodSeconds: string;
  initialDelaySeconds: string;
  timeoutSeconds: string;
  failureThreshold: string;
};

export const NEW_PROBE: TProbeDraft = {
  isEnabled: false, checkMethod: 'HTTP', url: '/health', command: '', periodSeconds: '10', initialDelaySeconds: '0', timeoutSeconds: '3', failureThreshold: '3',
};

const NUMBER_FIELDS = [
  { key: 'periodSeconds', label: 'probe.period', min: 1 },
  { key: 'initialDelaySeconds', label: 'probe.delay', min: 0 },
  { key: 'timeoutSeconds', label: 'probe.timeout', min: 0 },
  { key: 'failureThreshold', label: 'probe.failures', min: 1 },
] as const;

/** Text to number; an empty box becomes NaN, which the schema refuses with "Enter the …". */
const toNumber = (text: string) => (text.trim() === '' ? NaN : Number(text));

/** The probe as `ZProbeSchema` takes it (only the URL or the command of its method). */
export function probeInput(d: TProbeDraft): TProbe {
  return {
    checkMethod: d.checkMethod,
    ...(d.checkMethod === 'HTTP' ? { url: d.url } : { command: d.command }),
    periodSeconds: toNumber(d.periodSeconds),
    initialDelaySeconds: toNumber(d.initialDelaySeconds),
    timeoutSeconds: toNumber(d.timeoutSeconds),
    failureThreshold: toNumber(d.failureThreshold),
  };
}

type TProps = {
  kind: TProbeKind;
  draft: TProbeDraft;
  onChange: (draft: TProbeDraft, field: string) => void;
  /** The form's errors, keyed `probes.<kind>.<field>`. */
  errors: Record<string, string>;
};

export function ProbeEditor({ kind, draft, onChange, errors }: TProps) {
  const { t } = useI18n();
  const [isOpen, setOpen] = useState(true);
  const id = (field: string) => `probe-${kind}-${field}`;
  const errorOf = (field: string) => errors[`probes.${kind}.${field}`];
  const hasErrors = Object.keys(errors).some((k) => k.startsWith(`probes.${kind}.`));
  const isShown = draft.isEnabled && (isOpen || hasErrors);
  const set = <K extends keyof TProbeDraft>(key: K, value: TProbeDraft[K]) => onChange({ ...draft, [key]: value }, key);
  const title = t(`probe.${kind}` as TMessageKey);

  return (
    <fieldset className="panel" data-testid={`probe-${kind}`} style={{ marginBottom: 12 }}>
      <div className="panel-head">
        <label className="checks" style={{ paddingTop: 0 }}>
          <input
            type="checkbox"
            role="switch"
            aria-checked={draft.isEnabled}
            checked={draft.isEnabled}
            onChange={(e) => {
              setOpen(true);
              set('isEnabled', e.target.checked);
            }}
          />
          <strong>{title}</strong>
        </label>
        {draft.isEnabled && (
          <button type="button" className="btn-link" aria-expanded={isShown} aria-controls={id('body')} onClick={() => setOpen(!isShown)}>
            {isShown ? t('probe.hide') : t('probe.show')}
          </button>
        )}
      </div>
      <p className="muted">{t(`probe.${kind}Hint` as TMessageKey)}</p>
      {isShown && (
        <div id={id('body')}>
          <Field label={t('probe.method')} required>
            <div className="checks" role="radiogroup" aria-label={`${title}: ${t('probe.method')}`}>
              {(['HTTP', 'EXEC'] as const).map((method) => (
                <label key={method}>
                  <input type="radio" name={id('method')} value={method} checked={draft.checkMethod === method} onChange={() => set('checkMethod', method)} />
                  {t(method === 'HTTP' ? 'probe.http' : 'probe.exec')}
                </label>
              ))}
            </div>
          </Field>
          {draft.checkMethod === 'HTTP' ? (
            <Field label={t('probe.url')} hint={t('probe.urlHint')} error={errorOf('url')} htmlFor={id('url')}>
              <input id={id('url')} value={draft.url} maxLength={256} placeholder="/health" onChange={(e) => set('url', e.target.value)} />
            </Field>
          ) : (
            <Field label={t('probe.command')} hint={t('probe.commandHint')} error={errorOf('command')} required htmlFor={id('command')}>
              <input id={id('command')} className="mono" value={draft.command} maxLength={1024} placeholder="test -f /tmp/ready" onChange={(e) => set('command', e.target.value)} />
            </Field>
          )}
          {NUMBER_FIELDS.map(({ key, label, min }) => (
            <Field key={key} label={t(label)} hint={`${min}-${INT_MAX}`} error={errorOf(key)} required htmlFor={id(key)}>
              <input
                id={id(key)}
                className="input-narrow"
                type="number"
                inputMode="numeric"
                min={min}
                max={INT_MAX}
                step={1}
                value={draft[key]}
                onChange={(e) => set(key, e.target.value)}
              />
            </Field>
          ))}
        </div>
      )}
    </fieldset>
  );
}
