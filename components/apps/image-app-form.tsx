'use client';
/**
 * Create an AI application from a container image (guide §2.2.4, table 2-10): basic info, an image of
 * the project's repository, the container call interface, start command, apis definition, the three
 * health-check probes, deploy types and documents. Field errors show under each field, probe fields
 * included; after creation the application's page follows its import.
 */
import { useMutation } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { ZCreateImageAppSchema, type TCreateImageApp, type TDeployType } from '@/server/contracts/apps';
import { PROBE_KINDS, type TProbeKind } from '@/server/contracts/probes';
import { useI18n } from '../i18n/i18n-provider';
import { useTRPC } from '../trpc';
import { Field } from '../ui/field';
import { AppBasicsSection, AppSourceChoice } from './app-form-common';
import { ImagePicker, type TImageChoice } from './image-app-form-image';
import { DeployTypesField, DocsField, type TDoc } from './image-app-form-extras';
import { NEW_PROBE, ProbeEditor, probeInput, type TProbeDraft } from './probe-editor';
import { useImageAppErrors } from './use-image-app-errors';

/** The apis definition the form starts with: one JSON API at POST / (config.json `apis`, guide §4.1.2). */
export const EXAMPLE_APIS = JSON.stringify(
  [
    {
      url: '/',
      method: 'post',
      request: { 'Content-type': 'application/json', data: { type: 'object', properties: { data: { type: 'array', items: { type: 'number' } } } } },
      response: { 'Content-type': 'application/json', data: { type: 'object', properties: { result: { type: 'number' } } } },
    },
  ],
  null,
  2,
);

type TForm = {
  name: string;
  version: string;
  description: string;
  image: TImageChoice;
  port: string;
  startCommand: string;
  apis: string;
  probes: Record<TProbeKind, TProbeDraft>;
  deployTypes: TDeployType[];
  docs: TDoc[];
};

const INITIAL: TForm = {
  name: '', version: '0.0.1', description: '', image: { repository: '', tag: '' }, port: '8080', startCommand: '', apis: EXAMPLE_APIS,
  probes: { startup: NEW_PROBE, readiness: NEW_PROBE, liveness: NEW_PROBE }, deployTypes: ['online'], docs: [],
};

/** The form as `ZCreateImageAppSchema` takes it; only enabled probes are sent. */
function toInput(f: TForm): TCreateImageApp {
  return {
    name: f.name,
    version: f.version,
    description: f.description,
    image: f.image.repository && f.image.tag ? `${f.image.repository}:${f.image.tag}` : '',
    protocol: 'HTTP',
    port: f.port.trim() === '' ? NaN : Number(f.port),
    startCommand: f.startCommand.trim() || undefined,
    apis: f.apis,
    probes: Object.fromEntries(PROBE_KINDS.filter((k) => f.probes[k].isEnabled).map((k) => [k, probeInput(f.probes[k])])),
    deployTypes: f.deployTypes,
    docs: f.docs,
  };
}

export function ImageAppForm() {
  const { t, tServer } = useI18n();
  const trpc = useTRPC();
  const router = useRouter();
  const [form, setForm] = useState<TForm>(INITIAL);
  const { errors, validate, fromServer, clear } = useImageAppErrors();
  const create = useMutation(trpc.apps.createFromImage.mutationOptions({ onSuccess: (app) => router.push(`/ai-apps/${app.id}`), onError: fromServer }));
  const set = <K extends keyof TForm>(key: K, value: TForm[K]) => {
    setForm((f) => ({ ...f, [key]: value }));
    clear(key);
  };
  const setProbe = (kind: TProbeKind, draft: TProbeDraft, field: string) => {
    setForm((f) => ({ ...f, probes: { ...f.probes, [kind]: draft } }));
    clear(field === 'isEnabled' || field === 'checkMethod' ? `probes.${kind}` : `probes.${kind}.${field}`);
  };

  function submit(e: React.FormEvent) {
    e.preventDefault();
    const input = toInput(form);
    if (validate(ZCreateImageAppSchema, input)) create.mutate(input);
  }

  return (
    <form className="page form-page" onSubmit={submit} noValidate>
      <div className="page-head">
        <h1>{t('apps.create')}</h1>
      </div>
      <AppBasicsSection form={form} errors={errors} onChange={set} />
      <section className="panel">
        <h2>{t('appForm.source')}</h2>
        <AppSourceChoice current="image" />
        <Field label={t('imageForm.image')} hint={t('imageForm.imageHint')} error={errors.image} required htmlFor="image-repository">
          <ImagePicker value={form.image} onChange={(image) => set('image', image)} />
        </Field>
        <Field label={t('imageForm.callInterface')} hint={t('imageForm.callHint')} error={errors.protocol ?? errors.port} required htmlFor="image-port">
          <div className="input-row">
            <select aria-label={t('imageForm.protocol')} value="HTTP" disabled>
              <option value="HTTP">HTTP</option>
            </select>
            <input id="image-port" aria-label={t('imageForm.port')} className="input-narrow" style={{ flex: 'none' }} type="number" inputMode="numeric" min={1} max={65535} step={1} value={form.port} onChange={(e) => set('port', e.target.value)} />
          </div>
        </Field>
        <Field label={t('imageForm.startCommand')} hint={t('imageForm.startCommandHint')} error={errors.startCommand} htmlFor="image-start-command">
          <input id="image-start-command" className="mono" maxLength={1024} value={form.startCommand} placeholder="python3 /opt/app/server.py" onChange={(e) => set('startCommand', e.target.value)} />
        </Field>
        <Field label={t('imageForm.apis')} hint={t('imageForm.apisHint')} error={errors.apis} htmlFor="image-apis">
          <textarea id="image-apis" className="code-editor" spellCheck={false} rows={14} value={form.apis} onChange={(e) => set('apis', e.target.value)} />
        </Field>
      </section>
      <section className="panel">
        <h2>{t('imageForm.health')}</h2>
        <p className="muted">{t('imageForm.healthHint')}</p>
        {PROBE_KINDS.map((kind) => (
          <ProbeEditor key={kind} kind={kind} draft={form.probes[kind]} errors={errors} onChange={(draft, field) => setProbe(kind, draft, field)} />
        ))}
      </section>
      <section className="panel">
        <DeployTypesField value={form.deployTypes} error={errors.deployTypes} onChange={(types) => set('deployTypes', types)} />
        <DocsField value={form.docs} error={errors.docs} onChange={(docs) => set('docs', docs)} />
      </section>
      {errors.form && (
        <p className="notice-bad" role="alert">
          {tServer(errors.form)}
        </p>
      )}
      <div className="form-actions">
        <button type="button" className="btn" onClick={() => router.push('/ai-apps')}>
          {t('common.cancel')}
        </button>
        <button type="submit" className="btn btn-primary" disabled={create.isPending}>
          {t('appForm.submit')}
        </button>
      </div>
    </form>
  );
}
