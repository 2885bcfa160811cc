'use client';
import { useI18n } from '../i18n/i18n-provider';
import type { TMessageKey } from '../i18n/messages-en';

const TONE: Record<string, string> = {
  normal: 'ok', running: 'ok', ready: 'ok',
  importing: 'busy', deploying: 'busy', starting: 'busy', pending: 'busy', stopping: 'busy', deleting: 'busy',
  failed: 'bad', exited: 'bad', concerning: 'warn', stopped: 'idle',
};

export function StatusBadge({ status }: { status: string }) {
  const { t } = useI18n();
  return (
    <span className={`status status-${TONE[status] ?? 'idle'}`} data-status={status}>
      {t(`status.${status}` as TMessageKey)}
    </span>
  );
}
