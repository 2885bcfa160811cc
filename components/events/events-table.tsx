'use client';
/** Events of an AI application or a service: manual refresh, and live additions over the socket. */
import { formatEventMessage, type TEventRecord } from '@/server/contracts/events';
import { useI18n } from '../i18n/i18n-provider';
import type { TMessageKey } from '../i18n/messages-en';
import { useIsLive } from '../live/socket-provider';
import { formatTime } from '../ui/format';
import { TableHead } from '../ui/table-head';

export function EventsTable({ query }: { query: { data?: TEventRecord[]; refetch: () => unknown } }) {
  const { t, lang } = useI18n();
  const isLive = useIsLive();
  return (
    <div>
      <div className="toolbar">
        <button type="button" className="btn btn-small" onClick={() => void query.refetch()}>
          {t('common.refresh')}
        </button>
        <span className={isLive ? 'live-dot' : 'live-dot live-off'} data-testid="live-state">
          {isLive ? `● ${t('events.live')}` : `○ ${t('events.offline')}`}
        </span>
      </div>
      <table className="table" data-testid="events-table">
        <TableHead labels={[t('common.type'), t('common.message'), t('common.time')]} />
        <tbody>
          {query.data?.map((e) => (
            <tr key={e.id} data-code={e.code}>
              <td>
                <span className={`event-type event-${e.type}`}>{t(`events.type.${e.type}` as TMessageKey)}</span>
              </td>
              <td className="event-message">{formatEventMessage(e.code, e.args, lang)}</td>
              <td className="nowrap">{formatTime(e.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {query.data?.length === 0 && <p className="muted">{t('events.empty')}</p>}
    </div>
  );
}
