'use client';
/**
 * Create an AI application from object storage (guide §2.2.3): basic info, meta model, engine, apis,
 * deploy types. With `?from=<version id>` it creates a new version, pre-filled from that one (§2.5).
 */
import { useMutation, useQuery } from '@tanstack/react-query';
import { useRouter, useSearchParams } from 'next/navigation';
import { useEffect, useState } from 'react';
import { DEPLOY_TYPES, REQUEST_MODES, ZCreateAppSchema, type TCreateApp, type TDeployType, type TRequestMode } from '@/server/contracts/apps';
import { nextVersion } from '@/server/contracts/versions';
import { useI18n } from '../i18n/i18n-provider';
import type { TMessageKey } from '../i18n/messages-en';
import { DirectoryPicker } from '../obs/directory-picker';
import { useTRPC } from '../trpc';
import { errorOf } from '../ui/error-text';
import { Field } from '../ui/field';
import { useFieldErrors } from '../ui/use-field-errors';
import { ApiParams } from './api-params';
import { AppBasicsSection, AppSourceChoice } from './app-form-common';

type TForm = Required<Pick<TCreateApp, 'name' | 'version' | 'description' | 'sourceUri' | 'runtime'>> & {
  deployTypes: TDeployType[];
  requestMode: TRequestMode;
  docs: { name: string; url: string }[];
};

export function CreateAppForm() {
  const { t, tServer } = useI18n();
  const trpc = useTRPC();
  const router = useRouter();
  const [form, setForm] = useState<TForm>({ name: '', version: '0.0.1', description: '', sourceUri: '', runtime: '', deployTypes: ['online'], requestMode: 'sync', docs: [] });
  const { errors, validate, fromServer, clear } = useFieldErrors();
  const [isPicking, setPicking] = useState(false);
  const params = useSearchParams();
  const fromId = params.get('from');
  // From a training job (guide §2.2.1): ?source=job lists the succeeded runs; a run's page links with ?source=<its output folder>.
  const sourceParam = params.get('source');
  const isFromJob = !fromId && !!sourceParam && (sourceParam === 'job' || sourceParam.startsWith('obs://'));
  const jobs = useQuery({ ...trpc.training.list.queryOptions(), enabled: isFromJob, refetchOnMount: 'always' });
  const runOutputs = (jobs.data ?? []).flatMap((j) => j.runs.filter((r) => r.status === 'succeeded').map((r) => ({ label: `${j.name} ${r.versionName}`, uri: r.outputUri.replace(/\/$/, '') })));
  useEffect(() => {
    if (sourceParam?.startsWith('obs://')) setForm((f) => (f.sourceUri ? f : { ...f, sourceUri: sourceParam }));
  }, [sourceParam]);
  const from = useQuery({ ...trpc.apps.get.queryOptions({ id: fromId ?? '' }), enabled: !!fromId });
  const apps = useQuery({ ...trpc.apps.list.queryOptions(), enabled: !!fromId });
  // A new version starts from the previous one: everything but the version number (guide §2.5).
  const [isPrefilled, setPrefilled] = useState(false);
  useEffect(() => {
    const prev = from.data;
    const group = apps.data?.find((g) => g.name === prev?.name);
    if (!prev || !group || isPrefilled) return;
    setPrefilled(true);
    setForm({
      name: prev.name, version: nextVersion(group.versions.map((v) => v.version)), description: prev.description,
      sourceUri: prev.sourceUri, runtime: prev.runtime, deployTypes: prev.deployTypes, requestMode: prev.requestMode, docs: prev.docs,
    });
  }, [from.data, apps.data, isPrefilled]);
  const inspect = useQuery({ ...trpc.apps.inspect.queryOptions({ sourceUri: form.sourceUri }), enabled: !!form.sourceUri, retry: false });
  const create = useMutation(
    trpc.apps.create.mutationOptions({
      onSuccess: () => router.push('/ai-apps'),
      onError: fromServer,
    }),
  );
  const set = <K extends keyof TForm>(key: K, value: TForm[K]) => {
    setForm((f) => ({ ...f, [key]: value }));
    clear(key);
  };
  const dirError = errors.sourceUri ?? errorOf(inspect.error)?.message;

  function submit(e: React.FormEvent) {
    e.preventDefault();
    const input = { ...form, runtime: form.runtime || undefined };
    if (validate(ZCreateAppSchema, input)) create.mutate(input);
  }

  return (
    <form className="page form-page" onSubmit={submit} noValidate>
      <div className="page-head">
        <h1>{fromId ? t('apps.createVersion') : t('apps.create')}</h1>
      </div>
      <AppBasicsSection form={form} errors={errors} onChange={set} isNameFixed={!!fromId} />
      <section className="panel">
        <h2>{t('appForm.source')}</h2>
        <AppSourceChoice current={isFromJob ? 'job' : 'obs'} canSwitch={!fromId} />
        {isFromJob && (
          <Field label={t('appForm.jobOutput')} hint={t('appForm.jobOutputHint')} htmlFor="app-job-output">
            <select id="app-job-output" value={runOutputs.some((o) => o.uri === form.sourceUri) ? form.sourceUri : ''} onChange={(e) => set('sourceUri', e.target.value)}>
              <option value="">{runOutputs.length === 0 ? t('appForm.noJobOutput') : '—'}</option>
              {runOutputs.map((o) => (
                <option key={o.uri} value={o.uri}>
                  {o.label}
                </option>
              ))}
            </select>
          </Field>
        )}
        <Field label={t('appForm.modelDir')} hint={t('appForm.modelDirHint')} error={dirError} required htmlFor="app-source">
          <div className="input-row">
            <input id="app-source" readOnly value={form.sourceUri} placeholder="obs://bucket/path" />
            <button type="button" className="btn" onClick={() => setPicking(true)}>
              {t('appForm.chooseDir')}
            </button>
          </div>
        </Field>
        {inspect.data && (
          <>
            <Field label={t('appForm.engine')} hint={t('appForm.engineAuto')}>
              <input readOnly value={inspect.data.modelType} data-testid="app-engine" />
            </Field>
            <Field label={t('appForm.runtime')} error={errors.runtime} htmlFor="app-runtime">
              <select id="app-runtime" value={form.runtime || inspect.data.runtime} onChange={(e) => set('runtime', e.target.value)}>
                {inspect.data.runtimes.map((r) => (
                  <option key={r.name} value={r.name}>
                    {r.name}
                    {r.status ? ` (${t(`appForm.${r.status}` as TMessageKey)})` : ''}
                  </option>
                ))}
              </select>
            </Field>
            {inspect.data.issues.length > 0 && (
              <div className="notice-bad" role="alert" data-testid="config-issues">
                {t('appForm.configIssues')}
                <ul>
                  {inspect.data.issues.map((i) => (
                    <li key={i.field + i.message}>
                      <code>{i.field}</code>: {i.message}
                    </li>
                  ))}
                </ul>
              </div>
            )}
            <Field label={t('appForm.apis')}>
              {inspect.data.apis.map((api) => (
                <ApiParams key={api.url} api={api} />
              ))}
            </Field>
          </>
        )}
        <Field label={t('appForm.deployTypes')} error={errors.deployTypes} required>
          <div className="checks">
            {DEPLOY_TYPES.map((type) => (
              <label key={type}>
                <input
                  type="checkbox"
                  checked={form.deployTypes.includes(type)}
                  onChange={(e) => set('deployTypes', e.target.checked ? [...form.deployTypes, type] : form.deployTypes.filter((x) => x !== type))}
                />
                {t(`apps.deployType.${type}` as TMessageKey)}
              </label>
            ))}
          </div>
        </Field>
        <Field label={t('apps.requestMode')} hint={t('apps.requestModeHint')} error={errors.requestMode} htmlFor="app-request-mode">
          <select id="app-request-mode" value={form.requestMode} onChange={(e) => set('requestMode', e.target.value as TRequestMode)}>
            {REQUEST_MODES.map((mode) => (
              <option key={mode} value={mode}>
                {t(`apps.requestMode.${mode}`)}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('appForm.docs')} error={errors.docs}>
          {form.docs.map((doc, i) => (
            <div className="input-row" key={i}>
              <input placeholder={t('appForm.docName')} value={doc.name} onChange={(e) => set('docs', form.docs.map((d, j) => (j === i ? { ...d, name: e.target.value } : d)))} />
              <input placeholder={t('appForm.docUrl')} value={doc.url} onChange={(e) => set('docs', form.docs.map((d, j) => (j === i ? { ...d, url: e.target.value } : d)))} />
              <button type="button" className="btn btn-small" onClick={() => set('docs', form.docs.filter((_, j) => j !== i))}>
                {t('common.remove')}
              </button>
            </div>
          ))}
          <button type="button" className="btn btn-small" disabled={form.docs.length >= 3} onClick={() => set('docs', [...form.docs, { name: '', url: '' }])}>
            {t('appForm.addDoc')} ({form.docs.length}/3)
          </button>
        </Field>
      </section>
      {errors.form && <p className="notice-bad" role="alert">{tServer(errors.form)}</p>}
      <div className="form-actions">
        <button type="button" className="btn" onClick={() => router.push('/ai-apps')}>
          {t('common.cancel')}
        </button>
        <button type="submit" className="btn btn-primary" disabled={create.isPending}>
          {t('appForm.submit')}
        </button>
      </div>
      {isPicking && (
        <DirectoryPicker
          onCancel={() => setPicking(false)}
          onChoose={(uri) => {
            setPicking(false);
            clear('sourceUri');
            setForm((f) => ({ ...f, sourceUri: uri, runtime: '' }));
          }}
        />
      )}
    </form>
  );
}
