/**
 * Alarm rules of a project (guide §5.2): on every service, one service or one version, for one
 * metric, with a statistic, comparison, threshold, period, periods in a row, severity and where to
 * notify. Each rule has a webhook secret, sealed with the master key and shown on request.
 */
import { randomBytes } from 'node:crypto';
import { ZAlarmRuleSchema, type TAlarmRule, type TAlarmRuleInput } from '../../../contracts/alarms';
import type { SecretBox } from '../../access/secret-box';
import type { TDatabase } from '../../db/database';
import { CoreError, invalid } from '../../errors';
import { newId, now } from '../../ids';
import { metricDef } from '../metric-catalog';

export const MAX_RULES_PER_PROJECT = 100;

type TRuleBody = Omit<TAlarmRule, 'id' | 'hasWebhookSecret' | 'createdAt' | 'firing'>;
export type TEngineRule = TRuleBody & { id: string; projectId: string };
type TRow = { id: string; project_id: string; rule: string; webhook_secret_enc: string; created_at: number };

export class AlarmRules {
  constructor(
    private readonly deps: {
      db: TDatabase;
      box: SecretBox;
      /** The versions of a service of the project; undefined when the project has no such service. */
      versionsOf(projectId: string, serviceId: string): string[] | undefined;
      firingCount(ruleId: string): number;
      /** The engine resolves the alarms a rule no longer watches; `deleting`: all of the rule's, before it goes (so their notifications can still be sent). */
      reconcile(deleting?: string): void;
    },
  ) {}

  list(projectId: string): TAlarmRule[] {
    const rows = this.deps.db.prepare('SELECT * FROM alarm_rules WHERE project_id = ? ORDER BY created_at').all(projectId) as TRow[];
    return rows.map((r) => this.toRule(r));
  }

  get(projectId: string, id: string): TAlarmRule {
    return this.toRule(this.row(projectId, id));
  }

  /** Every enabled rule of every project, for the evaluator. */
  enabled(): TEngineRule[] {
    return this.all().filter((r) => r.enabled);
  }

  /** Every rule of every project, enabled or not. */
  all(): TEngineRule[] {
    const rows = this.deps.db.prepare('SELECT * FROM alarm_rules').all() as TRow[];
    return rows.map((r) => ({ ...(JSON.parse(r.rule) as TRuleBody), id: r.id, projectId: r.project_id }));
  }

  /** Creates a rule; the webhook secret is in the answer (and `secret` later). */
  create(projectId: string, input: TAlarmRuleInput): { rule: TAlarmRule; webhookSecret: string } {
    const body = this.validate(projectId, input);
    const count = (this.deps.db.prepare('SELECT COUNT(*) AS n FROM alarm_rules WHERE project_id = ?').get(projectId) as { n: number }).n;
    if (count >= MAX_RULES_PER_PROJECT) throw new CoreError('QUOTA_EXCEEDED', `A project can have at most ${MAX_RULES_PER_PROJECT} alarm rules.`);
    const id = newId();
    const webhookSecret = randomBytes(24).toString('base64url');
    this.deps.db
      .prepare('INSERT INTO alarm_rules (id, project_id, rule, webhook_secret_enc, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(id, projectId, JSON.stringify(body), this.deps.box.seal(webhookSecret), now());
    return { rule: this.get(projectId, id), webhookSecret };
  }

  update(projectId: string, id: string, input: TAlarmRuleInput): TAlarmRule {
    this.row(projectId, id);
    const body = this.validate(projectId, input);
    this.deps.db.prepare('UPDATE alarm_rules SET rule = ? WHERE id = ?').run(JSON.stringify(body), id);
    // Disabled or pointed elsewhere: its alarms resolve now, not at the next minute.
    this.deps.reconcile();
    return this.get(projectId, id);
  }

  remove(projectId: string, id: string): void {
    this.row(projectId, id);
    this.deps.reconcile(id);
    this.deps.db.prepare('DELETE FROM alarm_rules WHERE id = ?').run(id);
  }

  secret(projectId: string, id: string): string {
    return this.deps.box.open(this.row(projectId, id).webhook_secret_enc);
  }

  /** The rule's secret without a project check (the engine signs with it). */
  secretOf(id: string): string | undefined {
    const row = this.deps.db.prepare('SELECT webhook_secret_enc FROM alarm_rules WHERE id = ?').get(id) as { webhook_secret_enc: string } | undefined;
    return row && this.deps.box.open(row.webhook_secret_enc);
  }

  private validate(projectId: string, input: TAlarmRuleInput): TRuleBody {
    const parsed = ZAlarmRuleSchema.safeParse(input);
    if (!parsed.success) throw invalid(String(parsed.error.issues[0].path.join('.') || 'rule'), parsed.error.issues[0].message);
    const r = parsed.data;
    if (!metricDef(r.metric)) throw invalid('metric', `Unknown metric ${r.metric}.`);
    if (r.scope !== 'all') {
      const versions = this.deps.versionsOf(projectId, r.serviceId!);
      if (!versions) throw invalid('serviceId', 'No such service in this project.');
      if (r.scope === 'version' && !versions.includes(r.versionId!)) throw invalid('versionId', 'The service has no such version.');
    }
    return {
      ...r, serviceId: r.scope === 'all' ? undefined : r.serviceId, versionId: r.scope === 'version' ? r.versionId : undefined, webhookUrl: r.webhookUrl || undefined,
    };
  }

  private row(projectId: string, id: string): TRow {
    const row = this.deps.db.prepare('SELECT * FROM alarm_rules WHERE id = ? AND project_id = ?').get(id, projectId) as TRow | undefined;
    if (!row) throw new CoreError('NOT_FOUND', 'No such alarm rule in this project.');
    return row;
  }

  private toRule(r: TRow): TAlarmRule {
    return { ...(JSON.parse(r.rule) as TRuleBody), id: r.id, hasWebhookSecret: true, createdAt: r.created_at, firing: this.deps.firingCount(r.id) };
  }
}
