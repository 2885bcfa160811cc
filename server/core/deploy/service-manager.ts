/**
 * Online services: validation, records and the lifecycle operations of guide §3.4 (start, stop,
 * restart, delete, auto-stop), each checked against the state machine in
 * `contracts/service-lifecycle.ts`; the reconciler does the running.
 */
import type { TAutoStop, TCreateService, TFlavor, TServiceDetail, TServiceSummary, TServiceVersion, TSetServiceVersions } from '../../contracts/services';
import { ZAutoStopSchema, ZCreateServiceSchema, ZSetServiceVersionsSchema } from '../../contracts/services';
import { ZDescriptionSchema } from '../../contracts/names';
import { checkOperation, type TServiceOperation } from '../../contracts/service-lifecycle';
import type { DomainBus } from '../bus';
import type { TDatabase } from '../db/database';
import { CoreError, invalid, notFound } from '../errors';
import { newId, now } from '../ids';
import type { AppRegistry } from '../registry/app-registry';
import { installsPackages } from '../images/app-image-builder';
import type { PoolRegistry } from '../pools/pool-registry';
import type { EventLog } from '../telemetry/events';
import type { InstanceLogs } from '../telemetry/instance-logs';
import { newServiceToken } from '../access/random-keys';
import type { SecretBox } from '../access/secret-box';
import type { AutoStopClock } from './auto-stop';
import type { Reconciler, TServiceRow, TVersionRow } from './reconciler';

/** While a restart holds the service, a due auto-stop tries again this much later. */
const AUTO_STOP_RETRY_MS = 1000;

/** Guide §3.1.1: at most 20 online services per user. */
export const MAX_ONLINE_SERVICES = 20;

type Row = TServiceRow & { description: string; traffic_weight: number; pool: string; app_name: string; app_version: string; updated_at: number };

const SELECT = `SELECT s.*, a.name AS app_name, a.version AS app_version FROM services s JOIN apps a ON a.id = s.app_id`;

export class ServiceManager {
  constructor(
    private readonly deps: {
      db: TDatabase; registry: AppRegistry; reconciler: Reconciler; pools: PoolRegistry; events: EventLog; logs: InstanceLogs;
      bus: DomainBus; autoStop: AutoStopClock; box: SecretBox;
    },
  ) {
    const { reconciler } = deps;
    reconciler.hooks = {
      onRunning: (service) => this.armAutoStop(service),
      onReleased: () => reconciler.admitWaiting(),
      onHalted: (serviceId) => deps.autoStop.disarm(serviceId),
    };
  }

  /** The catalog against a pool (default: the default pool): greyed when no node can hold one, and how many fit now. */
  flavors(poolId?: string): TFlavor[] {
    return this.deps.pools.flavors(poolId ?? this.deps.pools.defaultPoolId());
  }

  /** Validates and records the service; it deploys at once, or waits for resources (guide §3.1.1). */
  create(projectId: string, input: TCreateService, ownerUserId: string): TServiceSummary {
    const parsed = ZCreateServiceSchema.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw invalid(issue.path.map(String).join('.') || 'form', issue.message);
    }
    const s = parsed.data;
    const { db } = this.deps;
    const owned = (db.prepare('SELECT COUNT(*) AS n FROM services WHERE owner_user_id = ?').get(ownerUserId) as { n: number }).n;
    if (owned >= MAX_ONLINE_SERVICES) {
      throw new CoreError('QUOTA_EXCEEDED', `A user can have at most ${MAX_ONLINE_SERVICES} online services; delete one first.`);
    }
    if (db.prepare('SELECT 1 FROM services WHERE project_id = ? AND name = ?').get(projectId, s.name)) {
      throw new CoreError('CONFLICT', `A service named ${s.name} already exists.`, 'name');
    }
    const { row: app, container, config } = this.deps.registry.deployable(projectId, s.appId);
    if (!app.deployTypes.includes('online')) throw invalid('appId', `${app.name} ${app.version} cannot be deployed as an online service.`);
    const pool = s.pool ?? this.deps.pools.defaultPoolId();
    if (!this.deps.pools.poolExists(pool)) throw invalid('pool', `Resource pool ${pool} does not exist.`);
    if (this.deps.pools.runtimeOf(pool) !== 'docker') {
      if (container) throw invalid('pool', `${app.name} ${app.version} runs its own container image: deploy it on a Docker pool.`);
      if (installsPackages(config)) {
        throw invalid('pool', `${app.name} ${app.version} installs packages (dependencies): deploy it on a Docker pool, where Anvil builds its image.`);
      }
    }
    if (s.websocket && !container) {
      throw invalid('websocket', `${app.name} ${app.version} is not from a container image: only those can be upgraded to WebSocket (guide §3.1.4.4).`);
    }
    for (const appId of s.authAppIds) {
      if (!db.prepare('SELECT 1 FROM auth_apps WHERE id = ? AND project_id = ?').get(appId, projectId)) throw invalid('authAppIds', `App ${appId} does not exist.`);
    }
    const flavor = this.flavors(pool).find((f) => f.id === s.flavor);
    if (!flavor) throw invalid('flavor', `Unknown compute specification ${s.flavor}.`);
    if (!flavor.isAvailable) throw invalid('flavor', `${s.flavor} is not available in pool ${pool}: ${flavor.unavailableReason}`);
    s.versions.forEach((v, i) => this.checkVersion(projectId, pool, app.name, v, `versions.${i}`));

    const id = newId();
    const t = now();
    db.transaction(() => {
      db.prepare(
        `INSERT INTO services (id, project_id, name, description, status, desired_state, app_id, traffic_weight, pool, flavor,
           instance_count, envs, deploy_timeout_min, auto_stop_enabled, auto_stop_hours, deploy_started_at, owner_user_id, created_at, updated_at,
           qps_limit, websocket, app_auth, token_enc)
         VALUES (?, ?, ?, ?, 'deploying', 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(id, projectId, s.name, s.description, s.appId, s.trafficWeight, pool, s.flavor, s.instanceCount, JSON.stringify(s.envs),
        s.deployTimeoutMinutes, Number(s.autoStop.enabled), s.autoStop.hours, t, ownerUserId, t, t,
        s.qpsLimit, Number(s.websocket), Number(s.appAuth), this.deps.box.seal(newServiceToken()));
      for (const appId of s.authAppIds) db.prepare('INSERT INTO auth_app_bindings (app_id, service_id, created_at) VALUES (?, ?, ?)').run(appId, id, t);
      const first = { appId: s.appId, weight: s.trafficWeight, flavor: s.flavor, instanceCount: s.instanceCount, envs: s.envs };
      [first, ...s.versions].forEach((v, position) => this.insertVersion(id, v, position, t));
      db.prepare('UPDATE services SET instance_count = ? WHERE id = ?').run([first, ...s.versions].reduce((n, v) => n + v.instanceCount, 0), id);
    })();
    if (s.authAppIds.length) this.deps.bus.emit('access.changed', { kind: 'auth-app', projectId });
    this.deps.events.record(projectId, 'service', id, 'S1');
    this.changed(projectId, id);
    void this.deps.reconciler.bringUp(id);
    return this.summary(projectId, id);
  }

  /** Guide §3.4: start a stopped or failed service (events S11, then S25 or S26). */
  async start(projectId: string, id: string): Promise<TServiceSummary> {
    const row = this.transition(projectId, id, 'start');
    this.deps.db
      .prepare(`UPDATE services SET desired_state = 'running', deploy_started_at = ?, auto_stop_at = NULL, generation = generation + 1 WHERE id = ?`)
      .run(now(), id);
    this.deps.reconciler.setServiceStatus(row, 'deploying');
    this.deps.events.record(projectId, 'service', id, 'S11');
    this.deps.reconciler.noteStart(id);
    await this.deps.reconciler.bringUp(id);
    return this.summary(projectId, id);
  }

  /**
   * Guide §3.4: stop (events S12, then S13; S16 when auto-stop did it). Instances leave routing at
   * once and get the drain grace period to finish the requests they already accepted.
   */
  async stop(projectId: string, id: string, cause: 'user' | 'auto-stop' = 'user'): Promise<TServiceSummary> {
    const row = this.transition(projectId, id, 'stop');
    const { reconciler, db } = this.deps;
    db.prepare(`UPDATE services SET desired_state = 'stopped' WHERE id = ?`).run(id);
    this.deps.autoStop.disarm(id);
    reconciler.setServiceStatus(row, 'stopping');
    this.deps.events.record(projectId, 'service', id, 'S12');
    await reconciler.queue.run(id, async () => {
      await this.drainOrFail(row, 'stop');
      // A delete that arrived meanwhile owns the status from here.
      if (reconciler.service(id)?.status === 'stopping') reconciler.finishStop(row, cause === 'auto-stop' ? 'S16' : 'S13');
    });
    return this.summary(projectId, id);
  }

  /** Guide §3.4: restart a running or concerning service: a drained stop, then a start. */
  async restart(projectId: string, id: string): Promise<TServiceSummary> {
    const row = this.transition(projectId, id, 'restart');
    const { reconciler, db, events } = this.deps;
    reconciler.setServiceStatus(row, 'stopping');
    events.record(projectId, 'service', id, 'S12');
    await reconciler.queue.run(id, async () => {
      await this.drainOrFail(row, 'restart');
      // A delete that arrived meanwhile owns the service from here.
      if (reconciler.service(id)?.status !== 'stopping') return;
      events.record(projectId, 'service', id, 'S13');
      db.prepare(`UPDATE services SET deploy_started_at = ?, generation = generation + 1 WHERE id = ?`).run(now(), id);
      reconciler.setServiceStatus(row, 'deploying');
      events.record(projectId, 'service', id, 'S11');
      reconciler.noteStart(id);
    });
    await reconciler.bringUp(id);
    return this.summary(projectId, id);
  }

  /** Drains and stops the instances, then removes the service with its events and logs. */
  async delete(projectId: string, id: string): Promise<void> {
    const row = this.transition(projectId, id, 'delete');
    const { db, reconciler } = this.deps;
    db.prepare(`UPDATE services SET desired_state = 'stopped' WHERE id = ?`).run(id);
    this.deps.autoStop.disarm(id);
    reconciler.setServiceStatus(row, 'deleting');
    await reconciler.queue.run(id, async () => {
      try {
        await reconciler.stopInstances(id, { drain: true });
      } catch (e) {
        // A container on a node that does not answer is let go (removed when the node answers
        // again), so the delete completes; a process that could not be ended keeps the service.
        if (reconciler.instancesOf(id).length > 0) this.failOperation(row, 'delete', e);
        console.error(`[services] delete of ${id}: instances on an unreachable node were let go:`, e);
      }
      reconciler.purge(id);
    });
    this.changed(projectId, id);
    reconciler.admitWaiting();
  }

  /**
   * Guide §3.1.1/§3.5: switch auto-stop on (event S15, the deadline counts from now on a running
   * service) or off (S14). A stopped service keeps the setting for its next start.
   */
  setAutoStop(projectId: string, id: string, input: TAutoStop): TServiceSummary {
    const parsed = ZAutoStopSchema.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw invalid(`autoStop.${issue.path.map(String).join('.')}`.replace(/\.$/, ''), issue.message);
    }
    const { enabled, hours } = parsed.data;
    const row = this.row(projectId, id);
    this.deps.db.prepare('UPDATE services SET auto_stop_enabled = ?, auto_stop_hours = ?, updated_at = ? WHERE id = ?').run(Number(enabled), hours, now(), id);
    this.deps.autoStop.disarm(id);
    if (!enabled) this.deps.events.record(projectId, 'service', id, 'S14');
    else if (row.status === 'running' || row.status === 'concerning') this.armAutoStop({ ...row, auto_stop_enabled: 1, auto_stop_hours: hours, auto_stop_at: null });
    this.changed(projectId, id);
    return this.summary(projectId, id);
  }

  /**
   * The auto-stop deadline was reached (event S16). While another operation holds the service
   * (a restart draining it), the stop is retried shortly; a stop that fails is event S18.
   */
  autoStopDue(id: string): void {
    const row = this.deps.reconciler.service(id);
    if (!row) return;
    if (row.status === 'stopped' || row.status === 'failed' || row.status === 'deleting') return this.deps.autoStop.disarm(id);
    if (row.status === 'stopping') return this.deps.autoStop.arm(id, Date.now() + AUTO_STOP_RETRY_MS);
    this.stop(row.project_id, id, 'auto-stop').catch((e: Error) => {
      this.deps.events.record(row.project_id, 'service', id, 'S18', e.message);
    });
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
      versions: this.versions(id),
      instances: this.deps.reconciler.instancesOf(id).map((i) => ({
        id: i.id, status: i.status, port: i.port, pid: i.pid, restarts: i.restarts,
        startedAt: i.startedAt, createdAt: i.createdAt, node: this.deps.pools.nodeName(i.nodeId), containerId: i.containerId, versionId: i.versionId,
      })),
      isolation: this.deps.pools.isolation(row.pool),
    };
  }

  /**
   * Gray release (guide table 3-2 "添加AI应用版本进行灰度发布"): replaces the versions of a deployed
   * service. Kept versions (with an id) keep their instances and may change weight and instance
   * count; new ones are deployed; removed ones are drained and stopped. Event S10.
   */
  async setVersions(projectId: string, input: TSetServiceVersions): Promise<TServiceDetail> {
    const parsed = ZSetServiceVersionsSchema.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw invalid(issue.path.map(String).join('.') || 'versions', issue.message);
    }
    const { serviceId, versions } = parsed.data;
    const row = this.row(projectId, serviceId);
    if (!['running', 'concerning', 'stopped', 'failed'].includes(row.status)) {
      throw new CoreError('FAILED_PRECONDITION', `A ${row.status} service cannot change its versions; wait until it is running, or stop it.`, 'status');
    }
    const { reconciler, db } = this.deps;
    const current = new Map(reconciler.versionsOf(serviceId).map((v) => [v.id, v]));
    const appName = this.deps.registry.get(projectId, row.app_id).name;
    versions.forEach((v, i) => {
      const kept = v.id ? current.get(v.id) : undefined;
      if (v.id && !kept) throw invalid(`versions.${i}.id`, `Version ${v.id} is not a version of this service.`);
      if (kept && (kept.app_id !== v.appId || kept.flavor !== v.flavor || kept.envs !== JSON.stringify(v.envs))) {
        throw invalid(`versions.${i}`, 'A running version keeps its AI application, flavor and variables; remove it and add a new version instead.');
      }
      if (!kept) this.checkVersion(projectId, row.pool, appName, v, `versions.${i}`);
    });
    const targeted = new Set((JSON.parse(row.rules) as { versionId: string }[]).map((r) => r.versionId));
    const dropped = [...current.keys()].filter((id) => targeted.has(id) && !versions.some((v) => v.id === id));
    if (dropped.length) throw invalid('versions', 'A personalized rule sends requests to a version you are removing; change the rules first.');
    await reconciler.queue.run(serviceId, async () => {
      const t = now();
      const keptIds = new Set(versions.flatMap((v) => (v.id ? [v.id] : [])));
      db.transaction(() => {
        for (const id of current.keys()) if (!keptIds.has(id)) db.prepare('DELETE FROM service_versions WHERE id = ?').run(id);
        versions.forEach((v, position) => {
          if (v.id) db.prepare('UPDATE service_versions SET weight = ?, instance_count = ?, position = ? WHERE id = ?').run(v.weight, v.instanceCount, position, v.id);
          else this.insertVersion(serviceId, v, position, t);
        });
        const [first] = versions;
        db.prepare('UPDATE services SET app_id = ?, flavor = ?, envs = ?, traffic_weight = ?, instance_count = ?, updated_at = ? WHERE id = ?').run(
          first.appId, first.flavor, JSON.stringify(first.envs), first.weight, versions.reduce((n, v) => n + v.instanceCount, 0), t, serviceId,
        );
      })();
      this.deps.events.record(projectId, 'service', serviceId, 'S10');
      this.changed(projectId, serviceId);
      // Instances of removed versions, and the newest beyond a lowered count, drain and stop.
      const surplus = reconciler.versionsOf(serviceId).flatMap((v) =>
        reconciler.instancesOf(serviceId).filter((i) => i.versionId === v.id && !i.isStopping).sort((a, b) => a.createdAt - b.createdAt).slice(v.instance_count),
      );
      const remaining = new Set(reconciler.versionsOf(serviceId).map((v) => v.id));
      const orphans = reconciler.instancesOf(serviceId).filter((i) => !i.isStopping && !remaining.has(i.versionId));
      await reconciler.stopSome([...surplus, ...orphans]);
      reconciler.versionsChanged(serviceId);
    });
    return this.get(projectId, serviceId);
  }

  /** A further version must be of the same AI application, deployable online, and fit the service's pool. */
  private checkVersion(projectId: string, pool: string, appName: string, v: { appId: string; flavor: string }, field: string): void {
    const { row: app, container, config } = this.deps.registry.deployable(projectId, v.appId);
    if (app.name !== appName) throw invalid(`${field}.appId`, `A service runs versions of one AI application (${appName}); ${app.name} is another application.`);
    if (!app.deployTypes.includes('online')) throw invalid(`${field}.appId`, `${app.name} ${app.version} cannot be deployed as an online service.`);
    if (this.deps.pools.runtimeOf(pool) !== 'docker' && (container || installsPackages(config))) {
      throw invalid(`${field}.appId`, `${app.name} ${app.version} needs a Docker pool (it runs its own image or installs packages).`);
    }
    const flavor = this.flavors(pool).find((f) => f.id === v.flavor);
    if (!flavor) throw invalid(`${field}.flavor`, `Unknown compute specification ${v.flavor}.`);
    if (!flavor.isAvailable) throw invalid(`${field}.flavor`, `${v.flavor} is not available in pool ${pool}: ${flavor.unavailableReason}`);
  }

  private insertVersion(serviceId: string, v: { appId: string; weight: number; flavor: string; instanceCount: number; envs: { key: string; value: string }[] }, position: number, t: number): void {
    this.deps.db
      .prepare('INSERT INTO service_versions (id, service_id, app_id, weight, flavor, instance_count, envs, position, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(newId(), serviceId, v.appId, v.weight, v.flavor, v.instanceCount, JSON.stringify(v.envs), position, t);
  }

  private versions(serviceId: string): TServiceVersion[] {
    const ready = this.deps.reconciler.endpoints(serviceId);
    const rows = this.deps.db
      .prepare('SELECT v.*, a.name AS app_name, a.version AS app_version FROM service_versions v JOIN apps a ON a.id = v.app_id WHERE v.service_id = ? ORDER BY v.position')
      .all(serviceId) as (TVersionRow & { app_name: string; app_version: string })[];
    return rows.map((v) => ({
      id: v.id, appId: v.app_id, appName: v.app_name, appVersion: v.app_version, weight: v.weight, flavor: v.flavor, instanceCount: v.instance_count,
      readyInstances: ready.filter((e) => e.versionId === v.id).length, envs: JSON.parse(v.envs) as { key: string; value: string }[],
    }));
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

  /**
   * Drains and ends the service's instances for a stop or restart. When they cannot be
   * ended, the service is `failed` (start or delete it again), the event says why, and the caller
   * gets a 503 instead of a service stuck in `stopping`.
   */
  private async drainOrFail(row: Row, verb: 'stop' | 'restart'): Promise<void> {
    try {
      await this.deps.reconciler.stopInstances(row.id, { drain: true });
    } catch (e) {
      this.failOperation(row, verb, e);
    }
  }

  /** The operation could not end the instances: `failed` with the error (S23 for a stop, else S8) and a 503. */
  private failOperation(row: Row, verb: 'stop' | 'restart' | 'delete', e: unknown): never {
    const message = e instanceof Error ? e.message : String(e);
    console.error(`[services] ${verb} of ${row.id} failed:`, e);
    this.deps.db.prepare(`UPDATE services SET desired_state = 'stopped' WHERE id = ?`).run(row.id);
    this.deps.reconciler.setServiceStatus(row, 'failed', message);
    // Guide table 3-15 has its own text for a failed stop (S23); the others are S8 with their verb.
    if (verb === 'stop') this.deps.events.record(row.project_id, 'service', row.id, 'S23', message);
    else this.deps.events.record(row.project_id, 'service', row.id, 'S8', verb, message);
    throw new CoreError('UNAVAILABLE', `Failed to ${verb} service ${row.name}: ${message}`);
  }

  /** Checks the state machine; a refused operation says why (409). */
  private transition(projectId: string, id: string, operation: TServiceOperation): Row {
    const row = this.row(projectId, id);
    const check = checkOperation(row.status, operation);
    if (!check.isAllowed) throw new CoreError('FAILED_PRECONDITION', check.reason, 'status');
    return row;
  }

  private armAutoStop(service: TServiceRow): void {
    if (!service.auto_stop_enabled || service.auto_stop_at !== null) return;
    this.deps.autoStop.arm(service.id, this.deps.autoStop.deadlineIn(service.auto_stop_hours));
    this.deps.events.record(service.project_id, 'service', service.id, 'S15', service.auto_stop_hours, service.auto_stop_hours === 1 ? 'hour' : 'hours');
    // The status push already went out without the deadline: push the summary with its countdown.
    this.changed(service.project_id, service.id);
  }

  private toSummary(r: Row): TServiceSummary {
    return {
      id: r.id, name: r.name, status: r.status, description: r.description, appId: r.app_id, appName: r.app_name,
      appVersion: r.app_version, flavor: r.flavor, instanceCount: r.instance_count,
      readyInstances: this.deps.reconciler.endpoints(r.id).length, pool: r.pool,
      autoStop: { enabled: !!r.auto_stop_enabled, hours: r.auto_stop_hours, stopsAt: r.auto_stop_at },
      statusReason: r.status_reason, createdAt: r.created_at, updatedAt: r.updated_at,
      websocket: !!r.websocket, appAuth: !!r.app_auth, qpsLimit: r.qps_limit,
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
