'use client';
/** The header's bell: unread alarm notifications of the project, live over socket.io; opening it lists them and marks them read. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { useI18n } from '../i18n/i18n-provider';
import { useTRPC } from '../trpc';
import { formatTime } from '../ui/format';

export function NotificationBell() {
  const { t } = useI18n();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [isOpen, setOpen] = useState(false);
  const notifications = useQuery(trpc.alarms.notifications.queryOptions());
  const markRead = useMutation(trpc.alarms.markRead.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.alarms.notifications.queryKey() }) }));
  const unread = notifications.data?.unread ?? 0;
  return (
    <div className="bell">
      <button
        type="button"
        className="btn btn-small"
        aria-label={t('alarms.bell', { n: unread })}
        aria-expanded={isOpen}
        onClick={() => {
          setOpen(!isOpen);
          if (!isOpen && unread > 0) markRead.mutate();
        }}
      >
        🔔{unread > 0 && <span className="bell-count" data-testid="bell-count">{unread}</span>}
      </button>
      {isOpen && (
        <div className="bell-panel" role="region" aria-label={t('alarms.notifications')}>
          {(notifications.data?.items ?? []).length === 0 && <p className="muted">{t('alarms.noNotifications')}</p>}
          <ul>
            {notifications.data?.items.map((n) => (
              <li key={n.id} className={n.readAt ? '' : 'unread'}>
                <strong>{n.title}</strong>
                <div>{n.message}</div>
                <div className="muted">{formatTime(n.createdAt)}</div>
              </li>
            ))}
          </ul>
          <Link href="/alarms" onClick={() => setOpen(false)}>
            {t('alarms.viewAll')}
          </Link>
        </div>
      )}
    </div>
  );
}
