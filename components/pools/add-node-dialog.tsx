'use client';
/**
 * Add a Docker Engine node: pool, name, endpoint, and for tcp:// the TLS client certificates; the
 * server checks that the engine answers before it keeps the node. Errors show under their field.
 */
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { ZAddNodeSchema, type TPoolView } from '@/server/contracts/pools';
import { useI18n } from '../i18n/i18n-provider';
import { useTRPC } from '../trpc';
import { DialogFooter } from '../ui/dialog-footer';
import { Field } from '../ui/field';
import { AllocatableFields, allocatableOf } from './allocatable-fields';
import { useFieldErrors } from '../ui/use-field-errors';

type TProps = { pools: TPoolView[]; poolId?: string; onDone: () => void; onCancel: () => void };

export function AddNodeDialog({ pools, poolId, onDone, onCancel }: TProps) {
  const { t } = useI18n();
  const trpc = useTRPC();
  const dockerPools = pools.filter((p) => p.runtime === 'docker');
  const [form, setForm] = useState({ poolId: poolId ?? dockerPools[0]?.id ?? '', name: '', endpoint: '', ca: '', cert: '', key: '' });
  const [allocatable, setAllocatable] = useState({ cpus: '', memoryGiB: '' });
  const { errors, validate, fromServer, clear } = useFieldErrors({ byPath: true });
  const add = useMutation(trpc.pools.addNode.mutationOptions({ onSuccess: onDone, onError: fromServer }));
  const isTcp = form.endpoint.trim().startsWith('tcp://');
  const set = (key: keyof typeof form, value: string, field: string = key) => {
    setForm((f) => ({ ...f, [key]: value }));
    clear(field);
  };
  const pem = (key: 'ca' | 'cert' | 'key', label: string) => (
    <Field label={label} error={errors[`tls.${key}`]} required htmlFor={`node-tls-${key}`}>
      <textarea id={`node-tls-${key}`} className="mono" rows={3} spellCheck={false} placeholder="-----BEGIN …-----" value={form[key]} onChange={(e) => set(key, e.target.value, `tls.${key}`)} />
    </Field>
  );

  function submit(e: React.FormEvent) {
    e.preventDefault();
    const input = {
      poolId: form.poolId,
      name: form.name,
      endpoint: form.endpoint,
      ...(isTcp ? { tls: { ca: form.ca, cert: form.cert, key: form.key } } : {}),
      allocatable: allocatableOf(allocatable),
    };
    if (validate(ZAddNodeSchema, input)) add.mutate(input);
  }

  return (
    <div className="dialog-backdrop">
      <form className="dialog dialog-wide" role="dialog" aria-label={t('pools.addNode')} noValidate onSubmit={submit}>
        <h3>{t('pools.addNode')}</h3>
        <Field label={t('pools.pool')} error={errors.poolId ?? (dockerPools.length ? undefined : t('pools.noDockerPool'))} required htmlFor="node-pool">
          <select id="node-pool" value={form.poolId} onChange={(e) => set('poolId', e.target.value)}>
            {dockerPools.map((p) => (
              <option key={p.id} value={p.id}>
                {p.id}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('pools.nodeName')} error={errors.name} required htmlFor="node-name">
          <input id="node-name" autoFocus autoComplete="off" value={form.name} onChange={(e) => set('name', e.target.value)} />
        </Field>
        <Field label={t('pools.endpoint')} hint={t('pools.endpointHint')} error={errors.endpoint} required htmlFor="node-endpoint">
          <input id="node-endpoint" className="mono" autoComplete="off" placeholder="tcp://10.0.0.5:2376" value={form.endpoint} onChange={(e) => set('endpoint', e.target.value)} />
        </Field>
        {isTcp && (
          <>
            {pem('ca', t('pools.tlsCa'))}
            {pem('cert', t('pools.tlsCert'))}
            {pem('key', t('pools.tlsKey'))}
          </>
        )}
        <AllocatableFields value={allocatable} errors={errors} onChange={(v) => (setAllocatable(v), clear('allocatable'))} />
        <DialogFooter formError={errors.form} isPending={add.isPending} onCancel={onCancel} />
      </form>
    </div>
  );
}
