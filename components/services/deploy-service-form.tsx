'use client';
/** Deploy an AI application as an online service (guide §3.1.1, tables 3-1 and 3-2). */
import { useMutation, useQuery } from '@tanstack/react-query';
import { useRouter, useSearchParams } from 'next/navigation';
import { useMemo, useState } from 'react';
import { AUTO_STOP_PRESETS, ZCreateServiceSchema } from '@/server/contracts/services';
import { useI18n } from '../i18n/i18n-provider';
import { useTRPC } from '../trpc';
import { Field } from '../ui/field';
import { useFieldErrors } from '../ui/use-field-errors';
import { DeployAccessFields } from './deploy-access-fields';

const randomName = () => `service-${Math.random().toString(16).slice(2, 6)}`;

export function DeployServiceForm() {
  const { t, tServer } = useI18n();
  const trpc = useTRPC();
  const router = useRouter();
  const params = useSearchParams();
  const apps = useQuery(trpc.apps.list.queryOptions());
  const pools = useQuery(trpc.pools.list.queryOptions());
  const [form, setForm] = useState({
    name: randomName(),
    description: '',
    autoStopEnabled: true,
    autoStopChoice: '1' as string,
    customHours: '1',
    appName: '',
    appId: params.get('appId') ?? '',
    pool: '',
    flavor: '',
    instanceCount: '1',
    envs: [] as { key: string; value: string }[],
    deployTimeoutMinutes: '20',
    qpsLimit: '',
    websocket: false,
    appAuth: false,
    authAppIds: [] as string[],
  });
  const { errors, validate, fromServer, clear } = useFieldErrors();
  const set = <K extends keyof typeof form>(key: K, value: (typeof form)[K]) => {
    setForm((f) => ({ ...f, [key]: value }));
    clear(key);
  };

  // Only normal versions that allow online deployment (guide §3.1.1).
  const deployable = useMemo(
    () =>
      (apps.data ?? [])
        .map((g) => ({ name: g.name, versions: g.versions.filter((v) => v.status === 'normal' && v.deployTypes.includes('online')) }))
        .filter((g) => g.versions.length > 0),
    [apps.data],
  );
  // With a single deployable application there is nothing to choose: preselect its newest version.
  const only = deployable.length === 1 ? deployable[0] : undefined;
  const appName = form.appName || deployable.find((g) => g.versions.some((v) => v.id === form.appId))?.name || only?.name || '';
  const versions = deployable.find((g) => g.name === appName)?.versions ?? [];
  const appId = form.appId || (only && appName === only.name ? only.versions[0].id : '');
  // The default pool is preselected; the flavors are those of the chosen pool (greyed where no node can hold one).
  const pool = form.pool || pools.data?.find((p) => p.isDefault)?.id || '';
  const flavors = useQuery(trpc.services.flavors.queryOptions({ poolId: pool }, { enabled: !!pool }));
  const isFlavorAvailable = flavors.data?.some((f) => f.id === form.flavor && f.isAvailable);
  const flavor = (isFlavorAvailable ? form.flavor : '') || flavors.data?.find((f) => f.isAvailable)?.id || '';

  const create = useMutation(
    trpc.services.create.mutationOptions({
      onSuccess: (s) => router.push(`/services/${s.id}`),
      onError: fromServer,
    }),
  );

  function submit(e: React.FormEvent) {
    e.preventDefault();
    const hours = form.autoStopChoice === 'custom' ? Number(form.customHours) : Number(form.autoStopChoice);
    const input = {
      name: form.name,
      description: form.description,
      autoStop: { enabled: form.autoStopEnabled, hours: form.autoStopEnabled ? hours : 1 },
      pool,
      appId,
      trafficWeight: 100 as const,
      flavor,
      instanceCount: Number(form.instanceCount),
      envs: form.envs,
      deployTimeoutMinutes: Number(form.deployTimeoutMinutes),
      qpsLimit: form.qpsLimit === '' || form.websocket ? null : Number(form.qpsLimit),
      websocket: form.websocket,
      appAuth: form.appAuth,
      authAppIds: form.appAuth ? form.authAppIds : [],
    };
    if (validate(ZCreateServiceSchema, input)) create.mutate(input);
  }

  return (
    <form className="page form-page" onSubmit={submit} noValidate>
      <div className="page-head">
        <h1>{t('services.deploy')}</h1>
      </div>
      <section className="panel">
        <h2>{t('deployForm.basic')}</h2>
        <Field label={t('deployForm.name')} error={errors.name} required htmlFor="svc-name">
          <input id="svc-name" value={form.name} maxLength={64} onChange={(e) => set('name', e.target.value)} />
        </Field>
        <Field label={t('deployForm.autoStop')} hint={t('deployForm.autoStopNote')} error={errors.autoStop}>
          <div className="input-row">
            <label className="switch">
              <input type="checkbox" aria-label={t('deployForm.autoStop')} checked={form.autoStopEnabled} onChange={(e) => set('autoStopEnabled', e.target.checked)} />
            </label>
            {form.autoStopEnabled && (
              <>
                <select aria-label={t('deployForm.autoStopAfter')} value={form.autoStopChoice} onChange={(e) => set('autoStopChoice', e.target.value)}>
                  {AUTO_STOP_PRESETS.map((h) => (
                    <option key={h} value={String(h)}>
                      {t('deployForm.autoStopHours', { n: h })}
                    </option>
                  ))}
                  <option value="custom">{t('deployForm.autoStopCustom')}</option>
                </select>
                {form.autoStopChoice === 'custom' && (
                  <input aria-label={t('deployForm.autoStopCustomHours')} className="input-narrow" type="number" min={1} max={24} value={form.customHours} onChange={(e) => set('customHours', e.target.value)} />
                )}
              </>
            )}
          </div>
        </Field>
        <Field label={t('deployForm.description')} error={errors.description} htmlFor="svc-description">
          <textarea id="svc-description" rows={2} value={form.description} onChange={(e) => set('description', e.target.value)} />
        </Field>
      </section>
      <section className="panel">
        <h2>{t('deployForm.appConfig')}</h2>
        <Field label={t('deployForm.pool')} hint={t('deployForm.poolHint')} error={errors.pool} required htmlFor="svc-pool">
          <select id="svc-pool" value={pool} onChange={(e) => set('pool', e.target.value)}>
            {!pool && <option value="">{t('deployForm.choosePool')}</option>}
            {pools.data?.map((p) => (
              <option key={p.id} value={p.id} disabled={!!p.unavailableReason} title={p.description}>
                {p.unavailableReason
                  ? t('deployForm.poolUnavailable', { id: p.id, reason: tServer(p.unavailableReason) })
                  : p.isDefault
                    ? t('deployForm.poolDefault', { id: p.id })
                    : p.id}
              </option>
            ))}
          </select>
        </Field>
        {apps.data && deployable.length === 0 && <p className="notice-bad">{t('deployForm.noApps')}</p>}
        <Field label={t('deployForm.app')} error={errors.appId} required htmlFor="svc-app">
          <div className="input-row">
            <select id="svc-app" value={appName} onChange={(e) => setForm((f) => ({ ...f, appName: e.target.value, appId: deployable.find((g) => g.name === e.target.value)?.versions[0]?.id ?? '' }))}>
              <option value="">{t('deployForm.chooseApp')}</option>
              {deployable.map((g) => (
                <option key={g.name} value={g.name}>
                  {g.name}
                </option>
              ))}
            </select>
            <select aria-label={t('deployForm.version')} value={appId} onChange={(e) => set('appId', e.target.value)}>
              <option value="">{t('deployForm.chooseVersion')}</option>
              {versions.map((v) => (
                <option key={v.id} value={v.id}>
                  {v.version}
                </option>
              ))}
            </select>
          </div>
        </Field>
        <Field label={t('deployForm.traffic')}>
          <input className="input-narrow" readOnly value="100" />
        </Field>
        <Field label={t('deployForm.flavor')} error={errors.flavor} required>
          <div className="flavors" role="radiogroup">
            {flavors.data?.map((f) => (
              <label key={f.id} className={`flavor${f.isAvailable ? '' : ' flavor-disabled'}`} title={f.unavailableReason}>
                <input type="radio" name="flavor" value={f.id} disabled={!f.isAvailable} checked={flavor === f.id} onChange={() => set('flavor', f.id)} />
                <span className="mono">{f.id}</span>
                <span className="muted">{t(f.gpu ? 'deployForm.flavorGpu' : 'deployForm.flavorDesc', { cpu: f.cpu, mem: f.memoryGiB, gpu: f.gpu })}</span>
                {!f.isAvailable && f.unavailableReason && <span className="muted">{t('deployForm.flavorUnavailable', { reason: tServer(f.unavailableReason) })}</span>}
                {f.isAvailable && f.freeInstances !== undefined && (
                  <span className={f.freeInstances > 0 ? 'muted' : 'flavor-full'} data-testid={`flavor-free-${f.id}`}>
                    {f.freeInstances > 0 ? t('deployForm.flavorFree', { n: f.freeInstances }) : t('deployForm.flavorFull')}
                  </span>
                )}
              </label>
            ))}
          </div>
        </Field>
        <Field label={t('deployForm.instanceCount')} error={errors.instanceCount} required htmlFor="svc-count">
          <input id="svc-count" className="input-narrow" type="number" min={1} value={form.instanceCount} onChange={(e) => set('instanceCount', e.target.value)} />
        </Field>
        <Field label={t('deployForm.envs')} hint={t('deployForm.envsWarning')} error={errors.envs}>
          {form.envs.map((env, i) => (
            <div className="input-row" key={i}>
              <input aria-label={t('deployForm.envKey')} placeholder={t('deployForm.envKey')} value={env.key} onChange={(e) => set('envs', form.envs.map((x, j) => (j === i ? { ...x, key: e.target.value } : x)))} />
              <input aria-label={t('deployForm.envValue')} placeholder={t('deployForm.envValue')} value={env.value} onChange={(e) => set('envs', form.envs.map((x, j) => (j === i ? { ...x, value: e.target.value } : x)))} />
              <button type="button" className="btn btn-small" onClick={() => set('envs', form.envs.filter((_, j) => j !== i))}>
                {t('common.remove')}
              </button>
            </div>
          ))}
          <button type="button" className="btn btn-small" onClick={() => set('envs', [...form.envs, { key: '', value: '' }])}>
            {t('deployForm.addEnv')}
          </button>
        </Field>
        <Field label={t('deployForm.timeout')} hint={t('deployForm.timeoutHint')} error={errors.deployTimeoutMinutes} required htmlFor="svc-timeout">
          <input id="svc-timeout" className="input-narrow" type="number" min={3} max={120} value={form.deployTimeoutMinutes} onChange={(e) => set('deployTimeoutMinutes', e.target.value)} />
        </Field>
      </section>
      <DeployAccessFields
        value={{ qpsLimit: form.qpsLimit, websocket: form.websocket, appAuth: form.appAuth, authAppIds: form.authAppIds }}
        errors={errors}
        onChange={(key, value) => set(key, value as never)}
      />
      {errors.form && <p className="notice-bad" role="alert">{tServer(errors.form)}</p>}
      <div className="form-actions">
        <button type="button" className="btn" onClick={() => router.push('/services')}>
          {t('common.cancel')}
        </button>
        <button type="submit" className="btn btn-primary" disabled={create.isPending}>
          {t('deployForm.submit')}
        </button>
      </div>
    </form>
  );
}
