'use client';
/**
 * Traces tab: the service's newest requests (time, status, latency, caller, version, instance,
 * bytes), its tracing settings (sampling, payload capture), and one trace opened with its headers,
 * bodies (when captured), the instance's log lines of the same seconds and nearby events; a
 * captured JSON request can be replayed in the prediction tab.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useI18n } from '../i18n/i18n-provider';
import { useTRPC } from '../trpc';
import { formatTime } from '../ui/format';
import { TableHead } from '../ui/table-head';
import type { TReplay } from './prediction-panel';

function TraceDetail({ serviceId, requestId, onReplay }: { serviceId: string; requestId: string; onReplay: (r: TReplay) => void }) {
  const { t } = useI18n();
  const trpc = useTRPC();
  const detail = useQuery(trpc.services.trace.queryOptions({ serviceId, requestId }));
  const d = detail.data;
  if (!d) return <p className="muted">{detail.error ? detail.error.message : t('common.loading')}</p>;
  const { trace } = d;
  const canReplay = trace.requestBody !== undefined && !trace.isCut && /json/i.test(trace.contentType);
  const apiUrl = trace.path.split('?')[0] || '/';
  return (
    <section className="trace-detail" aria-label={t('traces.detail')}>
      <h4>
        {trace.method} {trace.path} · {trace.status} · {trace.latencyMs.toFixed(1)} ms
      </h4>
      <button type="button" className="btn btn-small" disabled={!canReplay} title={canReplay ? '' : t('traces.noReplay')} onClick={() => onReplay({ apiUrl, body: trace.requestBody! })}>
        {t('traces.replay')}
      </button>
      <dl className="kv">
        {Object.entries(trace.requestHeaders).map(([k, v]) => (
          <div key={k}>
            <dt className="mono">{k}</dt>
            <dd className="mono">{v}</dd>
          </div>
        ))}
      </dl>
      {trace.requestBody === undefined ? (
        <p className="muted">{t('traces.noPayload')}</p>
      ) : (
        <div className="predict-grid">
          <div>
            <h4>{t('traces.request')}</h4>
            <pre className="code-editor" data-testid="trace-request">{trace.requestBody}</pre>
          </div>
          <div>
            <h4>{t('traces.response')}</h4>
            <pre className="code-editor" data-testid="trace-response">{trace.responseBody}</pre>
          </div>
        </div>
      )}
      {trace.isCut && <p className="muted">{t('traces.cut')}</p>}
      <h4>{t('traces.logs')}</h4>
      <div className="log-view" data-testid="trace-logs">
        {d.logs.map((l) => (
          <div key={l.id} className={`log-line log-${l.stream}`}>
            <span className="log-time">{formatTime(l.ts)}</span>
            <span className="log-text">{l.line}</span>
          </div>
        ))}
        {d.logs.length === 0 && <p className="muted">{t('traces.noLogs')}</p>}
      </div>
      <h4>{t('traces.events')}</h4>
      <ul>
        {d.events.map((e) => (
          <li key={e.id}>
            {formatTime(e.createdAt)} {e.message}
          </li>
        ))}
      </ul>
    </section>
  );
}

export function TracesPanel({ serviceId, onReplay }: { serviceId: string; onReplay: (r: TReplay) => void }) {
  const { t } = useI18n();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useQuery({ ...trpc.services.traces.queryOptions({ id: serviceId }), refetchInterval: 5000 });
  const key = trpc.services.traces.queryKey({ id: serviceId });
  // The switch shows the new value at once; the answer (the settings now) replaces it in the cache.
  const [draft, setDraft] = useState<NonNullable<typeof list.data>['settings']>();
  const save = useMutation(
    trpc.services.setTraceSettings.mutationOptions({
      onSuccess: (next) => queryClient.setQueryData(key, (old: typeof list.data) => (old ? { ...old, settings: next } : old)),
      onSettled: () => setDraft(undefined),
    }),
  );
  const [open, setOpen] = useState<string>();
  const settings = draft ?? list.data?.settings;
  const change = (next: NonNullable<typeof settings>) => {
    setDraft(next);
    save.mutate({ id: serviceId, settings: next });
  };
  return (
    <div className="traces">
      {settings && (
        <div className="toolbar">
          <label>
            <input type="checkbox" checked={settings.capturePayloads} onChange={(e) => change({ ...settings, capturePayloads: e.target.checked })} />{' '}
            {t('traces.capture', { kib: Math.round(settings.maxPayloadBytes / 1024) })}
          </label>
          <label>
            {t('traces.sampling')}{' '}
            <select aria-label={t('traces.sampling')} value={String(settings.sampleRate)} onChange={(e) => change({ ...settings, sampleRate: Number(e.target.value) })}>
              {['1', '0.5', '0.1', '0.01', '0'].map((r) => (
                <option key={r} value={r}>
                  {Number(r) * 100}%
                </option>
              ))}
            </select>
          </label>
          <span className="muted">{t('traces.kept', { n: settings.capacity })}</span>
        </div>
      )}
      <table className="table">
        <TableHead labels={[t('common.time'), t('traces.status'), t('traces.latency'), t('traces.caller'), t('traces.instance'), t('traces.bytes')]} />
        <tbody>
          {list.data?.traces.map((tr) => (
            <tr key={tr.requestId} data-testid="trace" className={open === tr.requestId ? 'selected' : ''} onClick={() => setOpen(open === tr.requestId ? undefined : tr.requestId)} style={{ cursor: 'pointer' }}>
              <td>{formatTime(tr.ts)}</td>
              <td className={tr.status >= 400 ? 'status-bad' : ''}>{tr.status}</td>
              <td>{tr.latencyMs.toFixed(1)} ms</td>
              <td>{tr.caller || tr.callerKind || '–'}</td>
              <td className="mono">{tr.instanceId ? tr.instanceId.slice(0, 8) : '–'}</td>
              <td className="mono">
                {tr.bytesIn} / {tr.bytesOut}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {list.data?.traces.length === 0 && <p className="muted">{t('traces.none')}</p>}
      {open && <TraceDetail serviceId={serviceId} requestId={open} onReplay={onReplay} />}
    </div>
  );
}
