'use client';
/**
 * Training jobs (guide §2.2.1): the project's jobs with the state of their newest run, and the
 * create form (code folder, boot file, output folder, hyperparameters, specification).
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { ZTrainingJobSchema } from '@/server/contracts/training';
import { useI18n } from '../i18n/i18n-provider';
import { useTRPC } from '../trpc';
import { Field } from '../ui/field';
import { FormDialog } from '../ui/form-dialog';
import { formatTime } from '../ui/format';
import { StatusBadge } from '../ui/status-badge';
import { TableHead } from '../ui/table-head';
import { useFieldErrors } from '../ui/use-field-errors';

type TForm = { name: string; description: string; codeDir: string; bootFile: string; outputDir: string; flavor: string; pool: string; hyperparameters: { name: string; value: string }[] };
const FLAVORS = ['cpu.1u2g', 'cpu.2u8g', 'cpu.8u32g'];

function CreateJobDialog({ onCancel }: { onCancel: () => void }) {
  const { t } = useI18n();
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [form, setForm] = useState<TForm>({ name: '', description: '', codeDir: '', bootFile: 'train.py', outputDir: '', flavor: 'cpu.1u2g', pool: 'local', hyperparameters: [] });
  const pools = useQuery(trpc.pools.list.queryOptions());
  const { errors, validate, fromServer, clear } = useFieldErrors();
  const create = useMutation(
    trpc.training.create.mutationOptions({
      onSuccess: (job) => {
        void queryClient.invalidateQueries({ queryKey: trpc.training.list.queryKey() });
        router.push(`/training-jobs/${job.id}`);
      },
      onError: fromServer,
    }),
  );
  const set = <K extends keyof TForm>(key: K, value: TForm[K]) => {
    setForm((f) => ({ ...f, [key]: value }));
    clear(key);
  };
  const input = { ...form, envs: [] };
  const text = (key: 'name' | 'description' | 'codeDir' | 'bootFile' | 'outputDir', label: string, hint?: string, placeholder?: string) => (
    <Field label={label} hint={hint} error={errors[key]} required={key !== 'description'} htmlFor={`job-${key}`}>
      <input id={`job-${key}`} value={form[key]} placeholder={placeholder} onChange={(e) => set(key, e.target.value)} />
    </Field>
  );
  return (
    <FormDialog title={t('training.create')} isWide onSubmit={() => validate(ZTrainingJobSchema, input) && create.mutate(input)} onCancel={onCancel} formError={errors.form} isPending={create.isPending}>
      <div className="dialog-grid">
        {text('name', t('training.name'), t('training.nameHint'))}
        {text('description', t('training.description'))}
        {text('codeDir', t('training.codeDir'), t('training.codeDirHint'), 'obs://bucket/code/')}
        {text('bootFile', t('training.bootFile'), t('training.bootFileHint'))}
        {text('outputDir', t('training.outputDir'), t('training.outputDirHint'), 'obs://bucket/output/')}
        <Field label={t('training.pool')} hint={t('training.poolHint')} error={errors.pool} required htmlFor="job-pool">
          <select id="job-pool" value={form.pool} onChange={(e) => set('pool', e.target.value)}>
            {(pools.data ?? [{ id: 'local' }]).map((p) => (
              <option key={p.id} value={p.id}>
                {p.id}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('training.flavor')} error={errors.flavor} required htmlFor="job-flavor">
          <select id="job-flavor" value={form.flavor} onChange={(e) => set('flavor', e.target.value)}>
            {FLAVORS.map((f) => (
              <option key={f} value={f}>
                {f}
              </option>
            ))}
          </select>
        </Field>
      </div>
      <Field label={t('training.hyperparameters')} hint={t('training.hyperparametersHint')} error={errors.hyperparameters}>
        {form.hyperparameters.map((h, i) => (
          <div key={i} className="input-row" data-testid="hyperparameter">
            <input aria-label={t('training.hyperName')} value={h.name} onChange={(e) => set('hyperparameters', form.hyperparameters.map((x, j) => (j === i ? { ...x, name: e.target.value } : x)))} />
            <input aria-label={t('training.hyperValue')} value={h.value} onChange={(e) => set('hyperparameters', form.hyperparameters.map((x, j) => (j === i ? { ...x, value: e.target.value } : x)))} />
            <button type="button" className="btn-link" onClick={() => set('hyperparameters', form.hyperparameters.filter((_, j) => j !== i))}>
              {t('common.delete')}
            </button>
          </div>
        ))}
        <button type="button" className="btn btn-small" onClick={() => set('hyperparameters', [...form.hyperparameters, { name: '', value: '' }])}>
          {t('training.addHyperparameter')}
        </button>
      </Field>
    </FormDialog>
  );
}

export function TrainingJobsPage() {
  const { t } = useI18n();
  const trpc = useTRPC();
  const [isCreating, setCreating] = useState(false);
  // The newest run's state changes by itself while a job runs.
  const jobs = useQuery({ ...trpc.training.list.queryOptions(), refetchInterval: (q) => (q.state.data?.some((j) => ['pending', 'running'].includes(j.runs[0]?.status)) ? 1000 : false) });
  return (
    <div>
      <div className="page-head">
        <h1>{t('training.title')}</h1>
        <button type="button" className="btn btn-primary" onClick={() => setCreating(true)}>
          {t('training.create')}
        </button>
      </div>
      <p className="muted">{t('training.intro')}</p>
      <table className="table">
        <TableHead labels={[t('training.name'), t('common.status'), t('training.version'), t('training.bootFile'), t('training.outputDir'), t('common.created')]} />
        <tbody>
          {(jobs.data ?? []).map((j) => (
            <tr key={j.id} data-testid="training-job">
              <td>
                <Link href={`/training-jobs/${j.id}`}>{j.name}</Link>
              </td>
              <td>{j.runs[0] && <StatusBadge status={j.runs[0].status} />}</td>
              <td className="mono">{j.runs[0]?.versionName}</td>
              <td className="mono">{j.bootFile}</td>
              <td className="mono">{j.outputDir}</td>
              <td>{formatTime(j.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {jobs.data?.length === 0 && <p className="muted">{t('training.none')}</p>}
      {isCreating && <CreateJobDialog onCancel={() => setCreating(false)} />}
    </div>
  );
}
