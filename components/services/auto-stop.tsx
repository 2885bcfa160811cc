'use client';
/**
 * Auto-stop (guide §3.1.1): the countdown to the stored deadline, in the list and on the detail
 * page, and an editor that switches it on or off on a running service.
 */
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { AUTO_STOP_PRESETS, type TServiceSummary } from '@/server/contracts/services';
import { useI18n } from '../i18n/i18n-provider';
import { useTRPC } from '../trpc';
import { formatRemaining, useNow } from '../ui/use-now';

/** "Stops in 42 min 10 s", or what the setting will do once the service runs. */
export function AutoStopCountdown({ autoStop }: { autoStop: TServiceSummary['autoStop'] }) {
  const { t, lang } = useI18n();
  const now = useNow();
  if (!autoStop.enabled) return <span className="muted">{t('serviceDetail.autoStopOff')}</span>;
  if (autoStop.stopsAt === null) return <span>{t('autoStop.whenRunning', { n: autoStop.hours })}</span>;
  return <span data-testid="auto-stop-countdown">{t('autoStop.stopsIn', { time: formatRemaining(autoStop.stopsAt - now, lang) })}</span>;
}

export function AutoStopEditor({ service, onError }: { service: TServiceSummary; onError: (message: string) => void }) {
  const { t } = useI18n();
  const trpc = useTRPC();
  const [isEditing, setEditing] = useState(false);
  const [enabled, setEnabled] = useState(service.autoStop.enabled);
  const [hours, setHours] = useState(String(service.autoStop.hours));
  const save = useMutation(trpc.services.setAutoStop.mutationOptions({ onSuccess: () => setEditing(false), onError: (e) => onError(e.message) }));
  if (!isEditing) {
    return (
      <span className="ops">
        <AutoStopCountdown autoStop={service.autoStop} />
        <button type="button" className="btn btn-link" aria-label={t('autoStop.edit')} onClick={() => setEditing(true)}>
          {t('common.edit')}
        </button>
      </span>
    );
  }
  return (
    <span className="ops" data-testid="auto-stop-editor">
      <label>
        <input type="checkbox" aria-label={t('deployForm.autoStop')} checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
      </label>
      {enabled && (
        <select aria-label={t('deployForm.autoStopAfter')} value={hours} onChange={(e) => setHours(e.target.value)}>
          {Array.from({ length: 24 }, (_, i) => i + 1).map((h) => (
            <option key={h} value={h}>
              {t('deployForm.autoStopHours', { n: h })}
              {(AUTO_STOP_PRESETS as readonly number[]).includes(h) ? '' : ` (${t('deployForm.autoStopCustom')})`}
            </option>
          ))}
        </select>
      )}
      <button type="button" className="btn btn-primary" disabled={save.isPending} onClick={() => save.mutate({ id: service.id, autoStop: { enabled, hours: Number(hours) } })}>
        {t('common.save')}
      </button>
      <button type="button" className="btn" onClick={() => setEditing(false)}>
        {t('common.cancel')}
      </button>
    </span>
  );
}
