/**
 * A service's personalized configuration rules (guide §3.1.2): stored as JSON on the service,
 * validated on save (each condition parsed, with the position of an error; each target a version
 * of the service), compiled once for the gateway's route table.
 */
import { ZSetServiceRulesSchema, type TServiceRule } from '../../../contracts/service-rules';
import type { DomainBus } from '../../bus';
import type { TDatabase } from '../../db/database';
import { invalid, notFound } from '../../errors';
import { now } from '../../ids';
import { parseCondition, type TCondition } from './spel-condition';

export type TCompiledRule = TServiceRule & { compiled: TCondition };

export class ServiceRules {
  constructor(private readonly deps: { db: TDatabase; bus: DomainBus }) {}

  get(projectId: string, serviceId: string): TServiceRule[] {
    return JSON.parse(this.row(projectId, serviceId).rules) as TServiceRule[];
  }

  /** Replaces the rules (order is priority, highest first); a bad one refuses the whole list, naming it. */
  set(projectId: string, input: unknown): TServiceRule[] {
    const parsed = ZSetServiceRulesSchema.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw invalid(issue.path.map(String).join('.') || 'rules', issue.message);
    }
    const { serviceId, rules } = parsed.data;
    const row = this.row(projectId, serviceId);
    const versions = new Set(
      (this.deps.db.prepare('SELECT id FROM service_versions WHERE service_id = ?').all(serviceId) as { id: string }[]).map((v) => v.id),
    );
    rules.forEach((rule, i) => {
      const check = parseCondition(rule.condition);
      if (!check.ok) throw invalid(`rules.${i}.condition`, `${check.error} (rule ${i + 1}, position ${check.position})`);
      if (!versions.has(rule.versionId)) throw invalid(`rules.${i}.versionId`, `Rule ${i + 1} sends requests to a version this service does not run.`);
    });
    this.deps.db.prepare('UPDATE services SET rules = ?, updated_at = ? WHERE id = ?').run(JSON.stringify(rules), now(), serviceId);
    this.deps.bus.emit('service.changed', { projectId: row.project_id, serviceId });
    return rules;
  }

  private row(projectId: string, serviceId: string): { project_id: string; rules: string } {
    const row = this.deps.db.prepare('SELECT project_id, rules FROM services WHERE id = ? AND project_id = ?').get(serviceId, projectId) as
      | { project_id: string; rules: string }
      | undefined;
    if (!row) throw notFound(`Service ${serviceId}`);
    return row;
  }
}

/** The stored rules, parsed for evaluation; a rule that no longer parses (never saved so) is dropped. */
export function compileRules(json: string): TCompiledRule[] {
  const out: TCompiledRule[] = [];
  for (const rule of JSON.parse(json) as TServiceRule[]) {
    const check = parseCondition(rule.condition);
    if (check.ok) out.push({ ...rule, compiled: check.condition });
  }
  return out;
}
