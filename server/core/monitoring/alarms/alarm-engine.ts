/**
 * Evaluates the enabled alarm rules each time the collector closes a minute, at the end of each of
 * a rule's periods: the period's statistic against the threshold, so many periods in a row before
 * it fires. A firing alarm is recorded, makes its service `concerning` (the guide's alarm status)
 * with an event, and notifies (the console's bell, a signed webhook); the first period back under
 * the threshold resolves it. Counts of breached periods live in memory; firing alarms are in the
 * database and resolve after a restart like any other.
 */
import type { TAlarm, TNotification, TWebhookDelivery } from '../../../contracts/alarms';
import type { DomainBus } from '../../bus';
import type { TDatabase } from '../../db/database';
import { CoreError } from '../../errors';
import { newId, now } from '../../ids';
import type { EventLog } from '../../telemetry/events';
import type { MetricStore } from '../metric-store';
import { breaks, nextState, statisticOf } from './alarm-evaluation';
import type { AlarmRules, TEngineRule } from './alarm-rules';
import { deliverWebhook } from './webhook-sender';

type TRule = TEngineRule;
type TTarget = { serviceId: string; versionId: string };
type TAlarmRow = {
  id: string; rule_id: string; project_id: string; service_id: string; version_id: string; rule_name: string; severity: TAlarm['severity']; metric: string;
  comparison: string; threshold: number; state: TAlarm['state']; value: number; fired_at: number; resolved_at: number | null;
};

export type TAlarmEngineDeps = {
  db: TDatabase;
  bus: DomainBus;
  rules: AlarmRules;
  store: MetricStore;
  events: EventLog;
  /** Running (or concerning) services of a project: the targets of a rule on all services. */
  runningServices(projectId: string): { id: string; name: string }[];
  serviceName(serviceId: string): string | undefined;
  /** Tells the service's status: a reason while an alarm fires on it, null once none does. */
  setAlarmed(serviceId: string, reason: string | null): void;
  minuteMs: number;
  webhookRetryDelaysMs?: readonly number[];
};

/** How long alarm history, notifications and webhook deliveries are kept by default (ANVIL_ALARM_HISTORY_DAYS). */
export const HISTORY_RETENTION_MS = 30 * 86_400_000;

const toAlarm = (r: TAlarmRow): TAlarm => ({
  id: r.id, ruleId: r.rule_id, ruleName: r.rule_name, severity: r.severity, serviceId: r.service_id, versionId: r.version_id, metric: r.metric,
  state: r.state, value: r.value, threshold: r.threshold, comparison: r.comparison, firedAt: r.fired_at, resolvedAt: r.resolved_at,
});

export class AlarmEngine {
  /** `${ruleId}/${serviceId}/${versionId}` → periods in a row over the threshold. */
  private readonly breaches = new Map<string, number>();
  /** Webhook deliveries still retrying (tests wait for them; shutdown does not). */
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(private readonly deps: TAlarmEngineDeps) {
    deps.bus.on('service.purged', ({ serviceId }) => deps.db.prepare('DELETE FROM alarms WHERE service_id = ?').run(serviceId));
  }

  /** After a restart: services with a firing alarm are `concerning` again until it resolves. */
  restore(): void {
    for (const row of this.deps.db.prepare("SELECT * FROM alarms WHERE state = 'firing' ORDER BY fired_at").all() as TAlarmRow[]) {
      this.deps.setAlarmed(row.service_id, `Alarm "${row.rule_name}" (${row.severity}) is firing`);
    }
  }

  /** The minute starting at `minuteTs` is written: evaluate the rules whose period ends with it. */
  evaluate(minuteTs: number): void {
    const { minuteMs } = this.deps;
    const minuteIndex = Math.round(minuteTs / minuteMs);
    for (const rule of this.deps.rules.enabled()) {
      if ((minuteIndex + 1) % rule.periodMinutes !== 0) continue;
      const from = minuteTs - (rule.periodMinutes - 1) * minuteMs;
      for (const target of this.targetsOf(rule)) {
        const value = statisticOf(this.deps.store.values({ serviceId: target.serviceId, metric: rule.metric, modelId: target.versionId, from, to: minuteTs }), rule.statistic);
        const key = `${rule.id}/${target.serviceId}/${target.versionId}`;
        const firing = this.firingOf(rule.id, target);
        const state = nextState({ breaches: this.breaches.get(key) ?? 0, isFiring: !!firing }, value !== null && breaks(value, rule.comparison, rule.threshold), rule.consecutivePeriods);
        this.breaches.set(key, state.breaches);
        if (state.change === 'fire') this.fire(rule, target, value!);
        if (state.change === 'resolve') this.resolve(firing!, value === null ? 'no data in the period' : `${rule.metric} ${rule.statistic} ${round(value)}`, value);
      }
    }
    this.reconcile();
  }

  /**
   * Nothing stays firing that no rule watches any more: a rule deleted (`deleting`, before it goes),
   * disabled or pointed elsewhere, or (for rules on all services) a service that stopped running.
   */
  reconcile(deleting?: string): void {
    const rules = new Map(this.deps.rules.all().map((r) => [r.id, r]));
    for (const row of this.deps.db.prepare("SELECT * FROM alarms WHERE state = 'firing'").all() as TAlarmRow[]) {
      const rule = rules.get(row.rule_id);
      const why = !rule || row.rule_id === deleting ? 'the rule was deleted' : !rule.enabled ? 'the rule was disabled'
        : !this.targetsOf(rule).some((t) => t.serviceId === row.service_id && t.versionId === row.version_id)
          ? rule.scope === 'all' ? 'the service is not running' : 'the rule no longer watches this service or version'
          : null;
      if (!why) continue;
      this.breaches.delete(`${row.rule_id}/${row.service_id}/${row.version_id}`);
      this.resolve(row, why);
    }
  }

  alarms(projectId: string, opts: { state?: TAlarm['state']; serviceId?: string; limit?: number } = {}): TAlarm[] {
    const rows = this.deps.db
      .prepare(
        `SELECT * FROM alarms WHERE project_id = @projectId ${opts.state ? 'AND state = @state' : ''} ${opts.serviceId ? 'AND service_id = @serviceId' : ''}
         ORDER BY fired_at DESC LIMIT @limit`,
      )
      .all({ projectId, limit: Math.min(opts.limit ?? 200, 1000), ...(opts.state ? { state: opts.state } : {}), ...(opts.serviceId ? { serviceId: opts.serviceId } : {}) }) as TAlarmRow[];
    return rows.map(toAlarm);
  }

  firingCount(ruleId: string): number {
    return (this.deps.db.prepare("SELECT COUNT(*) AS n FROM alarms WHERE rule_id = ? AND state = 'firing'").get(ruleId) as { n: number }).n;
  }

  notifications(projectId: string, limit = 50): { unread: number; items: TNotification[] } {
    const { db } = this.deps;
    const unread = (db.prepare('SELECT COUNT(*) AS n FROM notifications WHERE project_id = ? AND read_at IS NULL').get(projectId) as { n: number }).n;
    const rows = db.prepare('SELECT * FROM notifications WHERE project_id = ? ORDER BY id DESC LIMIT ?').all(projectId, Math.min(limit, 200)) as {
      id: number; alarm_id: string; title: string; message: string; created_at: number; read_at: number | null;
    }[];
    return { unread, items: rows.map((r) => ({ id: r.id, alarmId: r.alarm_id, title: r.title, message: r.message, createdAt: r.created_at, readAt: r.read_at })) };
  }

  markRead(projectId: string): void {
    this.deps.db.prepare('UPDATE notifications SET read_at = ? WHERE project_id = ? AND read_at IS NULL').run(now(), projectId);
    this.deps.bus.emit('notifications.changed', { projectId });
  }

  deliveries(projectId: string, alarmId: string): TWebhookDelivery[] {
    if (!this.deps.db.prepare('SELECT 1 FROM alarms WHERE id = ? AND project_id = ?').get(alarmId, projectId)) throw new CoreError('NOT_FOUND', 'No such alarm in this project.');
    const rows = this.deps.db.prepare('SELECT * FROM webhook_deliveries WHERE project_id = ? AND alarm_id = ? ORDER BY id').all(projectId, alarmId) as {
      id: number; alarm_id: string; url: string; event: 'firing' | 'resolved'; attempt: number; status: TWebhookDelivery['status']; http_status: number | null; error: string; at: number;
    }[];
    return rows.map((r) => ({ id: r.id, alarmId: r.alarm_id, url: r.url, event: r.event, attempt: r.attempt, status: r.status, httpStatus: r.http_status, error: r.error, at: r.at }));
  }

  /** Drops resolved alarms, notifications and webhook deliveries older than `retentionMs` (housekeeping); firing alarms and what they sent stay. */
  purgeExpired(retentionMs = HISTORY_RETENTION_MS, nowMs = now()): number {
    const before = nowMs - retentionMs;
    const { db } = this.deps;
    return db.transaction(() =>
      db.prepare("DELETE FROM alarms WHERE state = 'resolved' AND resolved_at < ?").run(before).changes
      + db.prepare("DELETE FROM notifications WHERE created_at < ? AND alarm_id NOT IN (SELECT id FROM alarms WHERE state = 'firing')").run(before).changes
      + db.prepare("DELETE FROM webhook_deliveries WHERE at < ? AND alarm_id NOT IN (SELECT id FROM alarms WHERE state = 'firing')").run(before).changes,
    )();
  }

  /** Resolves when every webhook delivery started so far has finished (tests). */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  private targetsOf(rule: TRule): TTarget[] {
    if (rule.scope === 'all') return this.deps.runningServices(rule.projectId).map((s) => ({ serviceId: s.id, versionId: '' }));
    return [{ serviceId: rule.serviceId!, versionId: rule.scope === 'version' ? rule.versionId! : '' }];
  }

  private firingOf(ruleId: string, target: TTarget): TAlarmRow | undefined {
    return this.deps.db
      .prepare("SELECT * FROM alarms WHERE rule_id = ? AND service_id = ? AND version_id = ? AND state = 'firing'")
      .get(ruleId, target.serviceId, target.versionId) as TAlarmRow | undefined;
  }

  private fire(rule: TRule, target: TTarget, value: number): void {
    const row: TAlarmRow = {
      id: newId(), rule_id: rule.id, project_id: rule.projectId, service_id: target.serviceId, version_id: target.versionId, rule_name: rule.name,
      severity: rule.severity, metric: rule.metric, comparison: rule.comparison, threshold: rule.threshold, state: 'firing', value, fired_at: now(), resolved_at: null,
    };
    this.deps.db
      .prepare(
        `INSERT INTO alarms (id, rule_id, project_id, service_id, version_id, rule_name, severity, metric, comparison, threshold, state, value, fired_at, resolved_at)
         VALUES (@id, @rule_id, @project_id, @service_id, @version_id, @rule_name, @severity, @metric, @comparison, @threshold, @state, @value, @fired_at, @resolved_at)`,
      )
      .run(row);
    const condition = `${rule.metric} ${rule.statistic} ${round(value)} ${rule.comparison} ${rule.threshold} for ${rule.consecutivePeriods} × ${rule.periodMinutes} min`;
    this.deps.events.record(rule.projectId, 'service', target.serviceId, 'X16', rule.name, rule.severity, condition);
    this.deps.setAlarmed(target.serviceId, `Alarm "${rule.name}" (${rule.severity}) is firing: ${condition}`);
    const service = this.deps.serviceName(target.serviceId) ?? target.serviceId;
    if (rule.notifyConsole) this.notify(row, `${rule.severity.toUpperCase()}: ${rule.name}`, `${service}: ${condition}`);
    if (rule.webhookUrl) this.sendWebhook(row, rule.webhookUrl, 'firing');
    this.deps.bus.emit('notifications.changed', { projectId: rule.projectId });
  }

  /** `value`: the period's statistic that resolved it (kept as the alarm's value); none when it resolves for another reason. */
  private resolve(row: TAlarmRow, why: string, value: number | null = null): void {
    const t = now();
    const resolved = { ...row, state: 'resolved' as const, resolved_at: t, value: value ?? row.value };
    this.deps.db.prepare("UPDATE alarms SET state = 'resolved', resolved_at = ?, value = ? WHERE id = ?").run(t, resolved.value, row.id);
    this.deps.events.record(row.project_id, 'service', row.service_id, 'X17', row.rule_name, why);
    const stillFiring = this.deps.db.prepare("SELECT rule_name, severity FROM alarms WHERE service_id = ? AND state = 'firing' LIMIT 1").get(row.service_id) as
      | { rule_name: string; severity: string }
      | undefined;
    this.deps.setAlarmed(row.service_id, stillFiring ? `Alarm "${stillFiring.rule_name}" (${stillFiring.severity}) is firing` : null);
    // A disabled rule, or one being deleted, still says where its alarms are announced.
    const rule = this.deps.rules.all().find((r) => r.id === row.rule_id);
    const service = this.deps.serviceName(row.service_id) ?? row.service_id;
    if (rule?.notifyConsole) this.notify(resolved, `Resolved: ${row.rule_name}`, `${service}: ${why}`);
    if (rule?.webhookUrl) this.sendWebhook(resolved, rule.webhookUrl, 'resolved');
    this.deps.bus.emit('notifications.changed', { projectId: row.project_id });
  }

  private notify(row: TAlarmRow, title: string, message: string): void {
    this.deps.db.prepare('INSERT INTO notifications (project_id, alarm_id, title, message, created_at) VALUES (?, ?, ?, ?, ?)').run(row.project_id, row.id, title, message, now());
  }

  private sendWebhook(row: TAlarmRow, url: string, event: 'firing' | 'resolved'): void {
    const secret = this.deps.rules.secretOf(row.rule_id);
    if (!secret) return;
    const deliveryId = newId();
    const body = JSON.stringify({
      event: `alarm.${event}`, delivery_id: deliveryId, project_id: row.project_id, sent_at: new Date().toISOString(),
      service: { id: row.service_id, name: this.deps.serviceName(row.service_id) ?? null },
      alarm: toAlarm(row),
    });
    const insert = this.deps.db.prepare(
      'INSERT INTO webhook_deliveries (project_id, alarm_id, url, event, attempt, status, http_status, error, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const delivery = deliverWebhook({ url, secret, event: `alarm.${event}`, deliveryId, body }, (a) => {
      try {
        insert.run(row.project_id, row.id, url, event, a.attempt, a.status, a.httpStatus, a.error.slice(0, 500), now());
      } catch {
        /* Anvil is closing: the database is gone */
      }
    }, this.deps.webhookRetryDelaysMs);
    this.inFlight.add(delivery);
    void delivery.finally(() => this.inFlight.delete(delivery));
  }
}

const round = (v: number) => Math.round(v * 1000) / 1000;
