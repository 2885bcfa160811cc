'use client';
/** Logs tab (guide §3.1.2): instance stdout/stderr by time range with keyword search. */
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { TLogQuery } from '@/server/contracts/services';
import { useI18n } from '../i18n/i18n-provider';
import { useTRPC } from '../trpc';
import { formatTime } from '../ui/format';

type TRange = '5' | '30' | '60' | 'custom';
const toInput = (ms: number) => new Date(ms - new Date().getTimezoneOffset() * 60_000).toISOString().slice(0, 16);

export function LogsPanel({ serviceId }: { serviceId: string }) {
  const { t } = useI18n();
  const trpc = useTRPC();
  const [range, setRange] = useState<TRange>('30');
  const [from, setFrom] = useState(() => toInput(Date.now() - 3600_000));
  const [to, setTo] = useState(() => toInput(Date.now()));
  const [keyword, setKeyword] = useState('');
  const [query, setQuery] = useState<TLogQuery>({ serviceId, range: { kind: 'last', minutes: 30 }, keyword: '' });
  const logs = useQuery(trpc.services.logs.queryOptions(query));

  function search(next: TRange = range) {
    const r: TLogQuery['range'] =
      next === 'custom'
        ? { kind: 'custom', from: new Date(from).getTime(), to: new Date(to).getTime() }
        : { kind: 'last', minutes: Number(next) as 5 | 30 | 60 };
    setQuery({ serviceId, range: r, keyword });
    void logs.refetch();
  }

  return (
    <div className="logs">
      <div className="toolbar">
        <select
          aria-label={t('common.time')}
          value={range}
          onChange={(e) => {
            const next = e.target.value as TRange;
            setRange(next);
            if (next !== 'custom') search(next);
          }}
        >
          <option value="5">{t('logs.last5')}</option>
          <option value="30">{t('logs.last30')}</option>
          <option value="60">{t('logs.last60')}</option>
          <option value="custom">{t('logs.custom')}</option>
        </select>
        {range === 'custom' && (
          <>
            <input aria-label={t('logs.from')} type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} />
            <input aria-label={t('logs.to')} type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} />
          </>
        )}
        <input aria-label={t('logs.keyword')} placeholder={t('logs.keywordHint')} value={keyword} onChange={(e) => setKeyword(e.target.value)} onKeyDown={(e) => e.key === 'Enter' && search()} />
        <button type="button" className="btn" onClick={() => search()}>
          {t('common.search')}
        </button>
      </div>
      {logs.data?.truncated && <p className="muted">{t('logs.truncated', { n: logs.data.lines.length })}</p>}
      <div className="log-view" data-testid="log-view">
        {logs.data?.lines.map((l) => (
          <div key={l.id} className={`log-line log-${l.stream}`}>
            <span className="log-time">{formatTime(l.ts)}</span>
            <span className="log-instance" title={l.instanceId}>
              {l.instanceId.slice(0, 8)}
            </span>
            <span className="log-text">{l.line}</span>
          </div>
        ))}
        {logs.data?.lines.length === 0 && <p className="muted">{t('logs.empty')}</p>}
      </div>
    </div>
  );
}
