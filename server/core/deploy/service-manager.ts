/** Online services: validation and records; the reconciler does the running. */
import type { TCreateService, TFlavor, TServiceDetail, TServiceStatus, TServiceSummary } from '../../contracts/services';
import { ZDescriptionSchema } from '../../contracts/names';
import { ZCreateServiceSchema } from '../../contracts/services';
import type { DomainBus } from '../bus';
import type { TDatabase } from '../db/database';
import { CoreError, invalid, notFound } from '../errors';
import { newId, now } from '../ids';
import type { AppRegistry } from '../registry/app-registry';
import type { RuntimeDriver } from '../runtime/runtime-driver';
import type { EventLog } from '../telemetry/events';
import { listFlavors } from './flavors';
import type { Reconciler } from './reconciler';

/** Guide §3.1.1: at most 20 online services per user (Anvil counts per project). */
export const MAX_ONLINE_SERVICES = 20;

type Row = {
  id: string; project_id: string; name: string; description: string; status: TServiceStatus; app_id: string;
  app_name: string; app_version: string; traffic_weight: number; pool: string; flavor: string; instance_count: number;
  envs: string; deploy_timeout_min: number; auto_stop_enabled: number; auto_stop_hours: number; created_at: number; updated_at: number;
};

const SELECT = `SELECT s.*, a.name AS app_name, a.version AS app_version FROM services s JOIN apps a ON a.id = s.app_id`;

export class ServiceManager {
  constructor(
    private readonly deps: { db: TDatabase; registry: AppRegistry; reconciler: Reconciler; driver: RuntimeDriver; events: EventLog; bus: DomainBus },
  ) {}

  flavors(): TFlavor[] {
    return listFlavors(this.deps.driver.capacity());
  }

  /** Validates and records the service as `deploying`; it starts at once (guide §3.1.1). */
  create(projectId: string, input: TCreateService): TServiceSummary {
    const parsed = ZCreateServiceSchema.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw invalid(issue.path.map(String).join('.') || 'form', issue.message);
    }
    const s = parsed.data;
    const { db } = this.deps;
    const count = (db.prepare('SELECT COUNT(*) AS n FROM services WHERE project_id = ?').get(projectId) as { n: number }).n;
    if (count >= MAX_ONLINE_SERVICES) {
      throw new CoreError('QUOTA_EXCEEDED', `A project can have at most ${MAX_ONLINE_SERVICES} online services; delete one first.`);
    }
    if (db.prepare('SELECT 1 FROM services WHERE project_id = ? AND name = ?').get(projectId, s.name)) {
      throw new CoreError('CONFLICT', `A service named ${s.name} already exists.`, 'name');
    }
    const { row: app } = this.deps.registry.deployable(projectId, s.appId);
    if (!app.deployTypes.includes('online')) throw invalid('appId', `${app.name} ${app.version} cannot be deployed as an online service.`);
    const flavor = this.flavors().find((f) => f.id === s.flavor);
    if (!flavor) throw invalid('flavor', `Unknown compute specification ${s.flavor}.`);
    if (!flavor.isAvailable) throw invalid('flavor', `${s.flavor} is not available: ${flavor.unavailableReason}.`);

    const id = newId();
    const t = now();
    db.prepare(
      `INSERT INTO services (id, project_id, name, description, status, desired_state, app_id, traffic_weight, pool, flavor,
         instance_count, envs, deploy_timeout_min, auto_stop_enabled, auto_stop_hours, deploy_started_at, created_at, updated_at)
       VALUES (?, ?, ?, ?, 'deploying', 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(id, projectId, s.name, s.description, s.appId, s.trafficWeight, s.pool, s.flavor, s.instanceCount, JSON.stringify(s.envs),
      s.deployTimeoutMinutes, Number(s.autoStop.enabled), s.autoStop.hours, t, t, t);
    this.deps.events.record(projectId, 'service', id, 'S1');
    this.changed(projectId, id);
    this.deps.reconciler.ensure(id);
    return this.summary(projectId, id);
  }

  list(projectId: string): TServiceSummary[] {
    const rows = this.deps.db.prepare(`${SELECT} WHERE s.project_id = ? ORDER BY s.created_at DESC`).all(projectId) as Row[];
    return rows.map((r) => this.toSummary(r));
  }

  summary(projectId: string, id: string): TServiceSummary {
    return this.toSummary(this.row(projectId, id));
  }

  get(projectId: string, id: string): TServiceDetail {
    const row = this.row(projectId, id);
    return {
      ...this.toSummary(row),
      envs: JSON.parse(row.envs),
      deployTimeoutMinutes: row.deploy_timeout_min,
      trafficWeight: row.traffic_weight,
      source: 'custom',
      instances: this.deps.reconciler.instancesOf(id).map((i) => ({
        id: i.id, status: i.status, port: i.port, pid: i.pid, restarts: i.restarts,
        startedAt: i.startedAt, createdAt: i.createdAt,
      })),
    };
  }

  /** Guide table 3-4: the description is editable at any time. */
  updateDescription(projectId: string, id: string, description: string): TServiceSummary {
    const parsed = ZDescriptionSchema.safeParse(description);
    if (!parsed.success) throw invalid('description', parsed.error.issues[0].message);
    this.row(projectId, id);
    this.deps.db.prepare('UPDATE services SET description = ?, updated_at = ? WHERE id = ?').run(parsed.data, now(), id);
    this.changed(projectId, id);
    return this.summary(projectId, id);
  }

  /** Owner check used by adapters before they touch a service by id. */
  projectOf(id: string): string | undefined {
    return (this.deps.db.prepare('SELECT project_id FROM services WHERE id = ?').get(id) as { project_id: string } | undefined)?.project_id;
  }

  /** Stops the instances, then removes the service with its events and logs. */
  async delete(projectId: string, id: string): Promise<void> {
    const row = this.row(projectId, id);
    const { db } = this.deps;
    db.prepare(`UPDATE services SET status = 'deleting', desired_state = 'stopped', updated_at = ? WHERE id = ?`).run(now(), id);
    this.changed(projectId, id);
    await this.deps.reconciler.removeService(id);
    db.transaction(() => {
      db.prepare(`DELETE FROM events WHERE resource_type = 'service' AND resource_id = ?`).run(id);
      db.prepare('DELETE FROM logs WHERE service_id = ?').run(id);
      db.prepare('DELETE FROM services WHERE id = ?').run(id);
    })();
    this.changed(projectId, row.id);
  }

  private toSummary(r: Row): TServiceSummary {
    return {
      id: r.id, name: r.name, status: r.status, description: r.description, appId: r.app_id, appName: r.app_name,
      appVersion: r.app_version, flavor: r.flavor, instanceCount: r.instance_count,
      readyInstances: this.deps.reconciler.endpoints(r.id).length, pool: r.pool,
      autoStop: { enabled: !!r.auto_stop_enabled, hours: r.auto_stop_hours }, createdAt: r.created_at, updatedAt: r.updated_at,
    };
  }

  private row(projectId: string, id: string): Row {
    const row = this.deps.db.prepare(`${SELECT} WHERE s.id = ? AND s.project_id = ?`).get(id, projectId) as Row | undefined;
    if (!row) throw notFound(`Service ${id}`);
    return row;
  }

  private changed(projectId: string, serviceId: string) {
    this.deps.bus.emit('service.changed', { projectId, serviceId });
  }
}
