'use client';
/**
 * Alarms (guide §5.2): the project's alarm rules (create on every service, one service or one
 * version; enable, disable, delete; the webhook secret on request) and its alarms, firing first.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useSearchParams } from 'next/navigation';
import { useState } from 'react';
import { ALARM_COMPARISONS, ALARM_SEVERITIES, ALARM_STATISTICS, ZAlarmRuleSchema, type TAlarmRule } from '@/server/contracts/alarms';
import type { TMessageKey } from '../i18n/messages-en';
import { useI18n } from '../i18n/i18n-provider';
import { useTRPC } from '../trpc';
import { ConfirmButton } from '../ui/confirm-button';
import { Field } from '../ui/field';
import { FormDialog } from '../ui/form-dialog';
import { formatTime } from '../ui/format';
import { SecretText } from '../ui/secret-text';
import { TableHead } from '../ui/table-head';
import { useFieldErrors } from '../ui/use-field-errors';

const METRICS = ['req_count_4xx', 'req_count_5xx', 'failed_called_times', 'total_called_times', 'avg_latency', 'latency_p99', 'cpu_usage', 'mem_usage', 'gpu_util', 'gpu_mem_usage', 'inflight_requests'];

type TForm = {
  name: string; scope: 'all' | 'service' | 'version'; serviceId: string; versionId: string; metric: string; statistic: (typeof ALARM_STATISTICS)[number];
  comparison: (typeof ALARM_COMPARISONS)[number]; threshold: string; periodMinutes: string; consecutivePeriods: string; severity: (typeof ALARM_SEVERITIES)[number];
  notifyConsole: boolean; webhookUrl: string;
};

const toRule = (f: TForm) => ({
  name: f.name, scope: f.scope, serviceId: f.scope === 'all' ? undefined : f.serviceId || undefined, versionId: f.scope === 'version' ? f.versionId || undefined : undefined,
  metric: f.metric, statistic: f.statistic, comparison: f.comparison, threshold: f.threshold.trim() === '' ? NaN : Number(f.threshold),
  periodMinutes: Number(f.periodMinutes), consecutivePeriods: Number(f.consecutivePeriods), severity: f.severity, enabled: true, notifyConsole: f.notifyConsole, webhookUrl: f.webhookUrl.trim(),
});

function CreateRuleDialog({ initialServiceId, onDone, onCancel }: { initialServiceId?: string; onDone: (secret: string) => void; onCancel: () => void }) {
  const { t } = useI18n();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const services = useQuery(trpc.services.list.queryOptions());
  const [form, setForm] = useState<TForm>({
    name: '', scope: initialServiceId ? 'service' : 'all', serviceId: initialServiceId ?? '', versionId: '', metric: 'req_count_5xx', statistic: 'sum', comparison: '>', threshold: '0',
    periodMinutes: '1', consecutivePeriods: '3', severity: 'major', notifyConsole: true, webhookUrl: '',
  });
  const detail = useQuery({ ...trpc.services.get.queryOptions({ id: form.serviceId }), enabled: form.scope === 'version' && !!form.serviceId });
  const { errors, validate, fromServer, clear } = useFieldErrors();
  const create = useMutation(
    trpc.alarms.createRule.mutationOptions({
      onSuccess: (r) => {
        void queryClient.invalidateQueries({ queryKey: trpc.alarms.rules.queryKey() });
        onDone(r.webhookSecret);
      },
      onError: fromServer,
    }),
  );
  const set = <K extends keyof TForm>(key: K, value: TForm[K]) => {
    setForm((f) => ({ ...f, [key]: value }));
    clear(key);
  };
  const select = <K extends keyof TForm>(key: K, label: string, options: [string, string][]) => (
    <Field label={label} error={errors[key]} htmlFor={`rule-${key}`}>
      <select id={`rule-${key}`} value={String(form[key])} onChange={(e) => set(key, e.target.value as TForm[K])}>
        {options.map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </select>
    </Field>
  );
  return (
    <FormDialog title={t('alarms.createRule')} isWide onSubmit={() => validate(ZAlarmRuleSchema, toRule(form)) && create.mutate(toRule(form))} onCancel={onCancel} formError={errors.form} isPending={create.isPending}>
      <div className="dialog-grid">
      <Field label={t('alarms.ruleName')} error={errors.name} required htmlFor="rule-name">
        <input id="rule-name" autoFocus value={form.name} onChange={(e) => set('name', e.target.value)} />
      </Field>
      {select('scope', t('alarms.scope'), [['all', t('alarms.scope.all')], ['service', t('alarms.scope.service')], ['version', t('alarms.scope.version')]])}
      {form.scope !== 'all' && select('serviceId', t('alarms.service'), [['', '—'], ...(services.data ?? []).map((s): [string, string] => [s.id, s.name])])}
      {form.scope === 'version' && select('versionId', t('alarms.version'), [['', '—'], ...(detail.data?.versions ?? []).map((v): [string, string] => [v.id, `${v.appName} ${v.appVersion}`])])}
      {select('metric', t('alarms.metric'), METRICS.map((m) => [m, m]))}
      {select('statistic', t('alarms.statistic'), ALARM_STATISTICS.map((s) => [s, s]))}
      {select('comparison', t('alarms.comparison'), ALARM_COMPARISONS.map((c) => [c, c]))}
      <Field label={t('alarms.threshold')} error={errors.threshold} required htmlFor="rule-threshold">
        <input id="rule-threshold" inputMode="decimal" value={form.threshold} onChange={(e) => set('threshold', e.target.value)} />
      </Field>
      {select('periodMinutes', t('alarms.period'), ['1', '5', '10', '30', '60'].map((m) => [m, t('alarms.minutes', { n: m })]))}
      <Field label={t('alarms.consecutive')} hint={t('alarms.consecutiveHint')} error={errors.consecutivePeriods} required htmlFor="rule-consecutive">
        <input id="rule-consecutive" inputMode="numeric" value={form.consecutivePeriods} onChange={(e) => set('consecutivePeriods', e.target.value)} />
      </Field>
      {select('severity', t('alarms.severity'), ALARM_SEVERITIES.map((s) => [s, t(`alarms.severity.${s}` as TMessageKey)]))}
      <Field label={t('alarms.notify')} htmlFor="rule-console">
        <label>
          <input id="rule-console" type="checkbox" checked={form.notifyConsole} onChange={(e) => set('notifyConsole', e.target.checked)} /> {t('alarms.notifyConsole')}
        </label>
      </Field>
      <Field label={t('alarms.webhook')} hint={t('alarms.webhookHint')} error={errors.webhookUrl} htmlFor="rule-webhook">
        <input id="rule-webhook" placeholder="https://…" value={form.webhookUrl} onChange={(e) => set('webhookUrl', e.target.value)} />
      </Field>
      </div>
    </FormDialog>
  );
}

function ruleCondition(r: TAlarmRule): string {
  return `${r.metric} ${r.statistic} ${r.comparison} ${r.threshold} · ${r.consecutivePeriods} × ${r.periodMinutes} min`;
}

export function AlarmsPage() {
  const { t } = useI18n();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const params = useSearchParams();
  const [isCreating, setCreating] = useState(params.get('create') === '1');
  const [secret, setSecret] = useState<string | null>(null);
  const rules = useQuery(trpc.alarms.rules.queryOptions());
  const alarms = useQuery(trpc.alarms.list.queryOptions());
  const services = useQuery(trpc.services.list.queryOptions());
  const serviceName = (id: string) => services.data?.find((s) => s.id === id)?.name ?? id.slice(0, 8);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.alarms.rules.queryKey() });
  const update = useMutation(trpc.alarms.updateRule.mutationOptions({ onSuccess: refresh }));
  const remove = useMutation(trpc.alarms.deleteRule.mutationOptions({ onSuccess: refresh }));

  return (
    <div>
      <h1>{t('alarms.title')}</h1>
      <section className="panel" aria-label={t('alarms.rules')}>
        <div className="panel-head">
          <h2>{t('alarms.rules')}</h2>
          <button type="button" className="btn btn-primary" onClick={() => setCreating(true)}>
            {t('alarms.createRule')}
          </button>
        </div>
        {secret && (
          <div className="notice" role="status">
            {t("alarms.secretShown")} <SecretText value={secret} label={t("alarms.webhookSecret")} />
          </div>
        )}
        <table className="table">
          <TableHead labels={[t('alarms.ruleName'), t('alarms.scope'), t('alarms.condition'), t('alarms.severity'), t('alarms.state'), '']} />
          <tbody>
            {(rules.data ?? []).map((r) => (
              <tr key={r.id} data-testid="alarm-rule">
                <td>{r.name}</td>
                <td>{r.scope === 'all' ? t('alarms.scope.all') : serviceName(r.serviceId!)}</td>
                <td className="mono">{ruleCondition(r)}</td>
                <td>{t(`alarms.severity.${r.severity}` as TMessageKey)}</td>
                <td>{!r.enabled ? t('alarms.disabled') : r.firing > 0 ? <span className="status status-bad">{t('alarms.firing')}</span> : t('alarms.ok')}</td>
                <td>
                  <button type="button" className="btn-link" onClick={() => update.mutate({ id: r.id, rule: { ...r, enabled: !r.enabled } })}>
                    {r.enabled ? t('alarms.disable') : t('alarms.enable')}
                  </button>{' '}
                  <ConfirmButton label={t('common.delete')} question={t('alarms.deleteQuestion', { name: r.name })} onConfirm={() => remove.mutate({ id: r.id })} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {rules.data?.length === 0 && <p className="muted">{t('alarms.noRules')}</p>}
      </section>
      <section className="panel" aria-label={t('alarms.history')}>
        <h2>{t('alarms.history')}</h2>
        <table className="table">
          <TableHead labels={[t('alarms.state'), t('alarms.ruleName'), t('alarms.service'), t('alarms.value'), t('alarms.firedAt'), t('alarms.resolvedAt')]} />
          <tbody>
            {(alarms.data ?? []).map((a) => (
              <tr key={a.id} data-testid="alarm">
                <td>{a.state === 'firing' ? <span className="status status-bad">{t('alarms.firing')}</span> : t('alarms.resolved')}</td>
                <td>{a.ruleName}</td>
                <td>{serviceName(a.serviceId)}</td>
                <td className="mono">
                  {a.metric} {a.value} {a.comparison} {a.threshold}
                </td>
                <td>{formatTime(a.firedAt)}</td>
                <td>{a.resolvedAt ? formatTime(a.resolvedAt) : '–'}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {alarms.data?.length === 0 && <p className="muted">{t('alarms.noAlarms')}</p>}
      </section>
      {isCreating && (
        <CreateRuleDialog
          initialServiceId={params.get('service') ?? undefined}
          onCancel={() => setCreating(false)}
          onDone={(s) => {
            setCreating(false);
            setSecret(s);
          }}
        />
      )}
    </div>
  );
}
