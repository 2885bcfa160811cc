'use client';
import { useI18n } from '../i18n/i18n-provider';
import type { TMessageKey } from '../i18n/messages-en';

const TONE: Record<string, string> = {
  normal: 'ok', running: 'ok', ready: 'ok', succeeded: 'ok',
  building: 'busy', deploying: 'busy', starting: 'busy', pending: 'busy', stopping: 'busy', deleting: 'busy',
  failed: 'bad', exited: 'bad', concerning: 'warn', waiting: 'warn', unready: 'warn', stopped: 'idle',
};

/** Labels that differ by resource: a failed service is the guide's 异常 "Abnormal" (GUIDE-INDEX §A decision 18). */
const KIND_LABELS: Partial<Record<TStatusKind, Record<string, TMessageKey>>> = {
  service: { failed: 'status.service.failed' },
};

export type TStatusKind = 'app' | 'service' | 'instance';

export function StatusBadge({ status, kind = 'app' }: { status: string; kind?: TStatusKind }) {
  const { t } = useI18n();
  return (
    <span className={`status status-${TONE[status] ?? 'idle'}`} data-status={status}>
      {t(KIND_LABELS[kind]?.[status] ?? (`status.${status}` as TMessageKey))}
    </span>
  );
}
