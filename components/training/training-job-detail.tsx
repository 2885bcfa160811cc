'use client';
/**
 * One training job: its definition, its runs (V001, V002, …) with their states and output folders,
 * the selected run's log as it is written, and stop / run again / delete; a succeeded run's output
 * opens the AI-application form with its folder as the source.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useEffect, useRef, useState } from 'react';
import type { TTrainingLogLine } from '@/server/contracts/training';
import { useI18n } from '../i18n/i18n-provider';
import { useTRPC } from '../trpc';
import { ConfirmButton } from '../ui/confirm-button';
import { errorOf } from '../ui/error-text';
import { formatTime } from '../ui/format';
import { StatusBadge } from '../ui/status-badge';
import { TableHead } from '../ui/table-head';

const ACTIVE = ['pending', 'running'];

/** The run's log, fetched from where it left off while the run is active. */
function RunLog({ jobId, runId, status }: { jobId: string; runId: string; status: string }) {
  const isActive = ACTIVE.includes(status);
  const { t } = useI18n();
  const trpc = useTRPC();
  const [lines, setLines] = useState<TTrainingLogLine[]>([]);
  const lastId = lines.at(-1)?.id ?? 0;
  const page = useQuery({ ...trpc.training.logs.queryOptions({ id: jobId, runId, afterId: lastId }), refetchInterval: isActive ? 1000 : false });
  const view = useRef<HTMLPreElement>(null);
  useEffect(() => setLines([]), [runId]);
  // The last lines of a run that just ended were written after the last poll.
  const { refetch } = page;
  useEffect(() => void refetch(), [status, refetch]);
  useEffect(() => {
    const fresh = page.data?.filter((l) => l.id > lastId && l.runId === runId) ?? [];
    if (fresh.length > 0) setLines((all) => [...all, ...fresh]);
  }, [page.data, lastId, runId]);
  useEffect(() => {
    if (view.current) view.current.scrollTop = view.current.scrollHeight;
  }, [lines.length]);
  return (
    <pre ref={view} className="code-block-pre log-view" data-testid="training-log">
      {lines.length === 0 ? t('training.noLog') : lines.map((l) => `${l.stream === 'stderr' ? '! ' : ''}${l.line}`).join('\n')}
    </pre>
  );
}

export function TrainingJobDetail({ id }: { id: string }) {
  const { t, tServer } = useI18n();
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const job = useQuery({ ...trpc.training.get.queryOptions({ id }), refetchInterval: (q) => (q.state.data?.runs.some((r) => ACTIVE.includes(r.status)) ? 1000 : false) });
  const [selected, setSelected] = useState<string>();
  const [error, setError] = useState<string>();
  const refresh = {
    onSuccess: () => {
      setError(undefined);
      setSelected(undefined);
      void queryClient.invalidateQueries({ queryKey: trpc.training.get.queryKey({ id }) });
    },
    onError: (e: unknown) => setError(errorOf(e)?.message),
  };
  const stop = useMutation(trpc.training.stop.mutationOptions(refresh));
  const rerun = useMutation(trpc.training.rerun.mutationOptions(refresh));
  const remove = useMutation(trpc.training.remove.mutationOptions({ onSuccess: () => router.push('/training-jobs'), onError: refresh.onError }));
  if (job.error) return <p className="notice-bad">{tServer(job.error.message)}</p>;
  const j = job.data;
  if (!j) return <p className="muted">{t('common.loading')}</p>;
  const run = j.runs.find((r) => r.id === selected) ?? j.runs[0];
  const isActive = j.runs.some((r) => ACTIVE.includes(r.status));

  return (
    <div className="page">
      <div className="page-head">
        <h1>{j.name}</h1>
        <div className="input-row">
          <button type="button" className="btn" disabled={!isActive || stop.isPending} onClick={() => stop.mutate({ id })}>
            {t('training.stop')}
          </button>
          <button type="button" className="btn" disabled={isActive || rerun.isPending} onClick={() => rerun.mutate({ id })}>
            {t('training.rerun')}
          </button>
          <ConfirmButton label={t('common.delete')} question={t('training.deleteQuestion', { name: j.name })} onConfirm={() => remove.mutate({ id })} />
        </div>
      </div>
      {error && <p className="notice-bad" role="alert">{tServer(error)}</p>}
      <dl className="kv">
        <dt>{t('training.codeDir')}</dt>
        <dd className="mono">{j.codeDir}</dd>
        <dt>{t('training.bootFile')}</dt>
        <dd className="mono">{j.bootFile}</dd>
        <dt>{t('training.outputDir')}</dt>
        <dd className="mono">{j.outputDir}</dd>
        <dt>{t('training.hyperparameters')}</dt>
        <dd className="mono">{j.hyperparameters.map((h) => `--${h.name}=${h.value}`).join(' ') || '–'}</dd>
        <dt>{t('training.flavor')}</dt>
        <dd className="mono">{j.flavor}</dd>
      </dl>
      <h2>{t('training.runs')}</h2>
      <table className="table">
        <TableHead labels={[t('training.version'), t('common.status'), t('training.reason'), t('training.output'), t('training.started'), t('training.ended'), '']} />
        <tbody>
          {j.runs.map((r) => (
            <tr key={r.id} data-testid="training-run" className={r.id === run?.id ? 'selected' : undefined}>
              <td>
                <button type="button" className="btn-link mono" onClick={() => setSelected(r.id)}>
                  {r.versionName}
                </button>
              </td>
              <td>
                <StatusBadge status={r.status} />
              </td>
              <td>{r.statusReason}</td>
              <td className="mono">{r.outputUri}</td>
              <td>{r.startedAt ? formatTime(r.startedAt) : '–'}</td>
              <td>{r.endedAt ? formatTime(r.endedAt) : '–'}</td>
              <td>
                {r.status === 'succeeded' && (
                  <Link href={`/ai-apps/create?source=${encodeURIComponent(r.outputUri.replace(/\/$/, ''))}`}>{t('training.createApp')}</Link>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {run && (
        <>
          <h2>{t('training.log', { version: run.versionName })}</h2>
          <RunLog jobId={id} runId={run.id} status={run.status} />
        </>
      )}
    </div>
  );
}
