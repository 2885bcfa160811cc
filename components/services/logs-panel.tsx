'use client';
/**
 * Logs tab (guide §3.1.2): instance stdout/stderr by time range, one instance or all, with the
 * guide's keyword syntax (matches marked), a download of what is shown, and a live tail over
 * socket.io that can be paused (lines keep arriving in a buffer) and resumed.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useRef, useState } from 'react';
import type { TLiveLogLine, TLogQuery } from '@/server/contracts/services';
import { useI18n } from '../i18n/i18n-provider';
import { useLogLines } from '../live/socket-provider';
import { useTRPC } from '../trpc';
import { formatTime } from '../ui/format';
import { highlighter, markPieces } from './log-highlight';
import { LogExportForm } from './log-export-form';

type TRange = '5' | '30' | '60' | 'custom';
const toInput = (ms: number) => new Date(ms - new Date().getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
/** The live tail keeps the newest lines only. */
const MAX_TAIL = 1000;

function LogLine({ line, marks }: { line: TLiveLogLine; marks: RegExp | null }) {
  return (
    <div className={`log-line log-${line.stream}`}>
      <span className="log-time">{formatTime(line.ts)}</span>
      <span className="log-instance" title={line.instanceId}>
        {line.instanceId.slice(0, 8)}
      </span>
      <span className="log-text">
        {markPieces(line.line, marks).map((p, i) => (p.isMark ? <mark key={i}>{p.text}</mark> : p.text))}
      </span>
    </div>
  );
}

export function LogsPanel({ serviceId, instanceIds }: { serviceId: string; instanceIds: string[] }) {
  const { t } = useI18n();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [range, setRange] = useState<TRange>('30');
  const [from, setFrom] = useState(() => toInput(Date.now() - 3600_000));
  const [to, setTo] = useState(() => toInput(Date.now()));
  const [keyword, setKeyword] = useState('');
  const [instanceId, setInstanceId] = useState('');
  const [query, setQuery] = useState<TLogQuery>({ serviceId, range: { kind: 'last', minutes: 30 }, keyword: '' });
  const logs = useQuery(trpc.services.logs.queryOptions(query));
  const marks = useMemo(() => highlighter(query.keyword ?? ''), [query.keyword]);

  const [isTailing, setTailing] = useState(false);
  const [isPaused, setPaused] = useState(false);
  const [tail, setTail] = useState<TLiveLogLine[]>([]);
  const held = useRef<TLiveLogLine[]>([]);
  const [heldCount, setHeldCount] = useState(0);
  useLogLines(
    serviceId,
    (lines) => {
      const wanted = instanceId ? lines.filter((l) => l.instanceId === instanceId) : lines;
      if (isPaused) {
        held.current = [...held.current, ...wanted].slice(-MAX_TAIL);
        setHeldCount(held.current.length);
      } else setTail((old) => [...old, ...wanted].slice(-MAX_TAIL));
    },
    isTailing,
  );

  function search(next: TRange = range, nextInstance = instanceId) {
    const r: TLogQuery['range'] =
      next === 'custom' ? { kind: 'custom', from: new Date(from).getTime(), to: new Date(to).getTime() } : { kind: 'last', minutes: Number(next) as 5 | 30 | 60 };
    setQuery({ serviceId, range: r, keyword, ...(nextInstance ? { instanceId: nextInstance } : {}) });
    void logs.refetch();
  }

  async function download() {
    const { text } = await queryClient.fetchQuery(trpc.services.logsText.queryOptions(query));
    const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `logs-${serviceId.slice(0, 8)}-${new Date().toISOString().replace(/[:.]/g, '-')}.log`;
    a.click();
    URL.revokeObjectURL(url);
  }

  return (
    <div className="logs">
      <LogExportForm serviceId={serviceId} />
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
        <select
          aria-label={t('logs.instance')}
          value={instanceId}
          onChange={(e) => {
            setInstanceId(e.target.value);
            search(range, e.target.value);
          }}
        >
          <option value="">{t('logs.allInstances')}</option>
          {instanceIds.map((id) => (
            <option key={id} value={id}>
              {id.slice(0, 8)}
            </option>
          ))}
        </select>
        <input aria-label={t('logs.keyword')} placeholder={t('logs.keywordHint')} value={keyword} onChange={(e) => setKeyword(e.target.value)} onKeyDown={(e) => e.key === 'Enter' && search()} />
        <button type="button" className="btn" onClick={() => search()}>
          {t('common.search')}
        </button>
        <button type="button" className="btn" onClick={() => void download()}>
          {t('logs.download')}
        </button>
        <label>
          <input
            type="checkbox"
            checked={isTailing}
            onChange={(e) => {
              setTailing(e.target.checked);
              setPaused(false);
              setTail([]);
              held.current = [];
              setHeldCount(0);
            }}
          />{' '}
          {t('logs.liveTail')}
        </label>
        {isTailing && (
          <button
            type="button"
            className="btn btn-small"
            onClick={() => {
              if (isPaused) {
                // The updater runs later: hand it the held lines, not the ref that is cleared now.
                const pending = held.current;
                setTail((old) => [...old, ...pending].slice(-MAX_TAIL));
                held.current = [];
                setHeldCount(0);
              }
              setPaused(!isPaused);
            }}
          >
            {isPaused ? t('logs.resume', { n: heldCount }) : t('logs.pause')}
          </button>
        )}
      </div>
      {!isTailing && logs.data?.truncated && <p className="muted">{t('logs.truncated', { n: logs.data.lines.length })}</p>}
      <div className="log-view" data-testid="log-view">
        {isTailing ? (
          <>
            {tail.map((l, i) => (
              <LogLine key={i} line={l} marks={null} />
            ))}
            {tail.length === 0 && <p className="muted">{t('logs.waiting')}</p>}
          </>
        ) : (
          <>
            {logs.data?.lines.map((l) => (
              <LogLine key={l.id} line={l} marks={marks} />
            ))}
            {logs.data?.lines.length === 0 && <p className="muted">{t('logs.empty')}</p>}
          </>
        )}
      </div>
    </div>
  );
}
