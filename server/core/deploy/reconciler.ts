/**
 * Drives each service's desired state: admits it to the pool or lets it wait, has the instance
 * supervisor start what is missing, moves the service between deploying, running, concerning and
 * failed as its instances come and go (deploy timeout, recovery timeout), and on Anvil start
 * settles what a previous Anvil process left behind.
 *
 * Ownership: every multi-step operation on a service runs through one per-service queue; the
 * instances themselves belong to `InstanceSupervisor`. Live instance state is kept in memory (the
 * gateway reads it without touching the database).
 */
import type { TServiceStatus } from '../../contracts/services';
import type { TEventCode } from '../../contracts/events';
import type { DomainBus } from '../bus';
import type { TDatabase } from '../db/database';
import type { InflightRequests } from '../gateway/inflight';
import { now } from '../ids';
import { KeyedQueue } from '../keyed-queue';
import type { AppImageBuilder } from '../images/app-image-builder';
import type { AppRegistry } from '../registry/app-registry';
import type { DockerDriver } from '../runtime/docker/docker-driver';
import type { RuntimeDriver, TPlacement } from '../runtime/runtime-driver';
import { scheduleFailureArgs, type TScheduleResult } from '../scheduler/scheduler';
import type { EventLog } from '../telemetry/events';
import type { InstanceLogs } from '../telemetry/instance-logs';
import { DEFAULT_PROBE, type TProbeSettings } from './instance-probes';
import { InstanceSupervisor, type TDriverLookup, type TEndpoint, type TLiveInstance } from './instance-supervisor';

const LOG_TAIL_LINES = 10;

export type TReconcilerTimings = {
  /** Length of the deploy timeout's minute. */
  minuteMs: number;
  /** How long a stop waits for in-flight requests of an instance before ending it. */
  drainGraceMs: number;
  /** An instance ready this long has recovered: its crash backoff starts over. */
  stableMs: number;
  /** First restart delay; it doubles with each failure in a row, up to 30 s. */
  restartBackoffMs: number;
  probe: TProbeSettings;
};

export const DEFAULT_TIMINGS: TReconcilerTimings = { minuteMs: 60_000, drainGraceMs: 30_000, stableMs: 60_000, restartBackoffMs: 500, probe: DEFAULT_PROBE };

export type TServiceRow = {
  id: string; project_id: string; name: string; status: TServiceStatus; desired_state: 'running' | 'stopped'; app_id: string;
  flavor: string; instance_count: number; envs: string; deploy_timeout_min: number; deploy_started_at: number | null;
  auto_stop_enabled: number; auto_stop_hours: number; auto_stop_at: number | null; status_reason: string; created_at: number;
  generation: number; pool: string; app_auth: number; token_enc: string | null; qps_limit: number | null; websocket: number; rules: string;
};

export type { TLiveInstance };

/** A version of a service (guide "add a version for gray release"): its app, share of the calls and resources. */
export type TVersionRow = { id: string; service_id: string; app_id: string; weight: number; flavor: string; instance_count: number; envs: string; position: number };

/** Where the instances of a service may run: the pool's drivers, placements and what a previous Anvil left there. */
export type TPlacer = TDriverLookup & {
  /** Places `missing` more instances of the service in its pool, all or none. */
  place(service: TServiceRow, missing: number): TScheduleResult;
  /** Container drivers, whose instances survive an Anvil restart. */
  dockerDrivers(): { nodeId: string; driver: DockerDriver }[];
};

export type TReconcilerHooks = {
  /** The service just reached `running` from `deploying` (auto-stop arms its deadline here). */
  onRunning(service: TServiceRow): void;
  /** The service stopped holding pool resources (waiting services may now fit). */
  onReleased(): void;
  /** The service stopped or failed: its auto-stop deadline no longer applies. */
  onHalted(serviceId: string): void;
};

export class Reconciler {
  private readonly instances: InstanceSupervisor;
  private readonly deployTimers = new Map<string, NodeJS.Timeout>();
  private readonly recoveryTimers = new Map<string, NodeJS.Timeout>();
  /** Services brought up by a start (not their first deploy): their outcome is S25 or S26. */
  private readonly isStarting = new Set<string>();
  /** One queue per service: every multi-step operation on a service runs here, in order. */
  readonly queue = new KeyedQueue();
  readonly timings: TReconcilerTimings;
  hooks: TReconcilerHooks = { onRunning: () => {}, onReleased: () => {}, onHalted: () => {} };
  private isClosing = false;

  constructor(
    private readonly deps: {
      db: TDatabase; placer: TPlacer; builder: AppImageBuilder; registry: AppRegistry; events: EventLog; logs: InstanceLogs; bus: DomainBus;
      inflight: InflightRequests;
      timings?: Partial<TReconcilerTimings>;
    },
  ) {
    this.timings = { ...DEFAULT_TIMINGS, ...deps.timings };
    this.instances = new InstanceSupervisor({
      ...deps,
      drivers: deps.placer,
      timings: this.timings,
      hooks: {
        service: (id, versionId) => (versionId ? this.serviceAsVersion(id, versionId) : this.service(id)),
        isClosing: () => this.isClosing,
        onServingChanged: (serviceId) => this.serviceHealthChanged(serviceId),
        onStartsExhausted: (service, error) => void this.fail(service, 'S8', error, 'deploy'),
        onError: (serviceId, verb, e) => this.internalError(serviceId, verb, e),
      },
    });
  }

  /**
   * Anvil start: adopt the containers a previous Anvil left serving, remove every other leftover,
   * settle interrupted operations, bring wanted services back.
   */
  async recover(): Promise<void> {
    const { db, placer } = this.deps;
    const stale = db.prepare('SELECT id AS instanceId, pid, node_id AS nodeId, version_id AS versionId FROM instances').all() as {
      instanceId: string; pid: number | null; nodeId: string | null; versionId: string | null;
    }[];
    const adopted = await this.adoptContainers(new Map(stale.map((r) => [r.instanceId, r.versionId ?? ''])));
    // Processes die with Anvil; containers that were not adopted were removed with their node's leftovers.
    await placer.driverFor('local').reapStale(stale.filter((r) => (r.nodeId ?? 'local') === 'local'));
    const keep = [...adopted];
    db.prepare(`DELETE FROM instances WHERE id NOT IN (${keep.map(() => '?').join(', ')})`).run(...keep);
    for (const s of this.services(`status = 'stopping'`)) this.finishStop(s, 'S13');
    // A delete cut short by a crash: its instances are gone (reaped above), so finish it.
    for (const s of this.services(`status = 'deleting'`)) this.purge(s.id);
    // Services whose instances all came back keep their status; the others deploy what they miss.
    const complete = this.services(`desired_state = 'running' AND status IN ('running', 'concerning')`)
      .filter((s) => this.instancesOf(s.id).length >= s.instance_count)
      .map((s) => s.id);
    db.prepare(
      `UPDATE services SET status = 'deploying', deploy_started_at = ? WHERE desired_state = 'running' AND status IN ('deploying', 'running', 'concerning')
         AND id NOT IN (${complete.map(() => '?').join(', ')})`,
    ).run(now(), ...complete);
    for (const s of this.services(`desired_state = 'running' AND status IN ('deploying', 'waiting') ORDER BY created_at`)) this.bringUp(s.id);
  }

  /**
   * Containers of this installation found on the nodes: those of a service that should run, of its
   * current generation, recorded by the previous Anvil with a version that still runs its app, are
   * adopted (same id, same container); every other one is removed. `recorded`: instance id →
   * version id. Returns the adopted instance ids.
   */
  private async adoptContainers(recorded: Map<string, string>): Promise<Set<string>> {
    const adopted = new Set<string>();
    for (const { nodeId, driver } of this.deps.placer.dockerDrivers()) {
      let found;
      try {
        found = await driver.findInstances();
      } catch (e) {
        console.error(`[reconciler] cannot list the containers of node ${nodeId}:`, e);
        continue;
      }
      for (const f of found) {
        const versionId = recorded.get(f.instanceId) ?? '';
        const service = this.serviceAsVersion(f.serviceId, versionId);
        const isWanted = !!service && f.isRunning && recorded.has(f.instanceId) && service.desired_state === 'running' &&
          ['deploying', 'running', 'concerning'].includes(service.status) && f.generation === service.generation && f.appId === service.app_id &&
          this.instancesOf(service.id).filter((i) => i.versionId === versionId).length < service.instance_count;
        if (!isWanted) continue;
        try {
          await this.instances.adopt(service, versionId, f, nodeId);
          adopted.add(f.instanceId);
        } catch (e) {
          console.error(`[reconciler] cannot adopt container ${f.containerId}:`, e);
        }
      }
      await driver.reapStale([], adopted).catch((e) => console.error(`[reconciler] cannot remove leftover containers of node ${nodeId}:`, e));
    }
    return adopted;
  }

  /** Admits a service that should run to the pool (or lets it wait, event S2) and starts its instances. Queued. */
  bringUp(serviceId: string): Promise<void> {
    return this.guard(serviceId, 'deploy', () => {
      const service = this.service(serviceId);
      if (!service || service.desired_state !== 'running' || this.isClosing) return;
      if (service.status !== 'deploying' && service.status !== 'waiting') return;
      // Version by version: each placement is recorded before the next is computed, so none counts the same capacity twice.
      for (const version of this.versionsOf(serviceId)) {
        const running = this.instancesOf(serviceId).filter((i) => !i.isStopping && i.versionId === version.id).length;
        const missing = Math.max(0, version.instance_count - running);
        if (missing === 0) continue;
        const asVersion = this.serviceAsVersion(serviceId, version.id)!;
        const placed = this.deps.placer.place(asVersion, missing);
        if (!placed.ok) {
          if (service.status === 'waiting') return;
          this.setServiceStatus(service, 'waiting', placed.detail);
          this.record(service, 'S3', ...scheduleFailureArgs(placed));
          return void this.record(service, 'S2');
        }
        if (this.service(serviceId)?.status === 'waiting') {
          this.deps.db.prepare('UPDATE services SET deploy_started_at = ? WHERE id = ?').run(now(), serviceId);
          this.setServiceStatus(service, 'deploying');
        }
        this.ensure(serviceId, version.id, placed.placements);
      }
    });
  }

  /** The next bring-up of `serviceId` is a start of a stopped or failed service (guide §3.5: S25 or S26). */
  noteStart(serviceId: string): void {
    this.isStarting.add(serviceId);
  }

  /** Waiting services, oldest first, get another chance to fit. */
  admitWaiting(): void {
    for (const s of this.services(`status = 'waiting' AND desired_state = 'running' ORDER BY created_at`)) void this.bringUp(s.id);
  }

  /** Ready instances of a service, each with its version, for the gateway. */
  endpoints(serviceId: string): TEndpoint[] {
    return this.instances.endpoints(serviceId);
  }

  /** The driver of the node a live instance runs on (CloudShell, EXEC probes). */
  driverOfInstance(instanceId: string): RuntimeDriver {
    const inst = this.instances.all().find((i) => i.id === instanceId);
    if (!inst) throw new Error(`instance ${instanceId} is not running`);
    return this.instances.driverOf(inst);
  }

  /** Every instance Anvil runs now, of every service (monitoring). */
  liveInstances(): TLiveInstance[] {
    return this.instances.all();
  }

  instancesOf(serviceId: string): TLiveInstance[] {
    return this.instances.instancesOf(serviceId);
  }

  /**
   * Ends every instance of a service (call it inside the service's queue). With `drain`, each
   * instance first leaves routing and gets the grace period to finish its in-flight requests.
   */
  async stopInstances(serviceId: string, opts: { drain: boolean }): Promise<void> {
    this.clearTimer(this.deployTimers, serviceId);
    this.clearTimer(this.recoveryTimers, serviceId);
    await Promise.all(this.instancesOf(serviceId).map((i) => this.instances.stop(i, opts.drain)));
  }

  /**
   * Anvil shutdown: keeps services' desired state for the next start. Processes end with Anvil;
   * containers keep serving (recorded) for the next Anvil to adopt, unless `stopContainers`.
   */
  async shutdown(opts: { stopContainers: boolean } = { stopContainers: false }): Promise<void> {
    this.isClosing = true;
    for (const t of [...this.deployTimers.values(), ...this.recoveryTimers.values()]) clearTimeout(t);
    const all = this.instances.all();
    const kept = opts.stopContainers ? [] : all.filter((i) => this.instances.survivesRestart(i));
    for (const i of kept) this.instances.release(i);
    await Promise.all(all.filter((i) => !kept.includes(i)).map((i) => this.instances.stop(i, false)));
    await this.queue.idle();
    this.deps.logs.flush();
  }

  /** Records the end of a stop: status `stopped`, no auto-stop deadline, resources released. */
  finishStop(service: TServiceRow, code: 'S13' | 'S16'): void {
    this.hooks.onHalted(service.id);
    this.setServiceStatus(service, 'stopped');
    this.record(service, code);
    this.hooks.onReleased();
  }

  setServiceStatus(service: { id: string; project_id: string }, status: TServiceStatus, reason = ''): void {
    this.deps.db.prepare('UPDATE services SET status = ?, status_reason = ?, updated_at = ? WHERE id = ?').run(status, reason, now(), service.id);
    this.deps.bus.emit('service.changed', { projectId: service.project_id, serviceId: service.id });
  }

  service(id: string): TServiceRow | undefined {
    return this.deps.db.prepare('SELECT * FROM services WHERE id = ?').get(id) as TServiceRow | undefined;
  }

  /** The versions of a service, the first one first. */
  versionsOf(serviceId: string): TVersionRow[] {
    return this.deps.db.prepare('SELECT * FROM service_versions WHERE service_id = ? ORDER BY position').all(serviceId) as TVersionRow[];
  }

  /** The service as one of its versions runs it: that version's app, flavor, variables and instance count. */
  serviceAsVersion(serviceId: string, versionId: string): TServiceRow | undefined {
    const service = this.service(serviceId);
    const version = this.deps.db.prepare('SELECT * FROM service_versions WHERE id = ? AND service_id = ?').get(versionId, serviceId) as TVersionRow | undefined;
    if (!service || !version) return undefined;
    return { ...service, app_id: version.app_id, flavor: version.flavor, envs: version.envs, instance_count: version.instance_count };
  }

  /** Ends these instances (drained first): a version removed or scaled down. Call it inside the service's queue. */
  async stopSome(instances: TLiveInstance[]): Promise<void> {
    await Promise.all(instances.map((i) => this.instances.stop(i, true)));
  }

  /** After the versions changed: start what is missing, or settle the status if nothing is. Call it inside the service's queue. */
  versionsChanged(serviceId: string): void {
    const service = this.service(serviceId);
    if (!service || service.desired_state !== 'running') return;
    const missing = this.versionsOf(serviceId).some(
      (v) => this.instancesOf(serviceId).filter((i) => !i.isStopping && i.versionId === v.id).length < v.instance_count,
    );
    if (missing && ['running', 'concerning'].includes(service.status)) {
      this.deps.db.prepare('UPDATE services SET deploy_started_at = ? WHERE id = ?').run(now(), serviceId);
      this.setServiceStatus(service, 'deploying');
    }
    if (missing) void this.bringUp(serviceId);
    else this.serviceHealthChanged(serviceId);
  }

  /** Starts the instances a service version is missing where they were placed, and arms the deploy timeout. */
  private ensure(serviceId: string, versionId: string, placements: TPlacement[]): void {
    const service = this.service(serviceId);
    if (!service || service.desired_state !== 'running' || this.isClosing) return;
    if (service.status === 'deploying' && !this.deployTimers.has(serviceId)) {
      const deadline = (service.deploy_started_at ?? now()) + service.deploy_timeout_min * this.timings.minuteMs;
      const timer = setTimeout(() => this.safely(serviceId, 'deploy', () => this.deployTimedOut(serviceId)), Math.max(0, deadline - now()));
      this.deployTimers.set(serviceId, timer);
    }
    const asVersion = this.serviceAsVersion(serviceId, versionId);
    if (!asVersion) return;
    for (const placement of placements) this.instances.add(asVersion, versionId, placement);
  }

  /** Services an alarm fires on, with the status reason it gives: they stay `concerning` while it does. */
  private readonly alarmed = new Map<string, string>();

  /** An alarm started (reason) or stopped (null) firing on the service (guide §5.2: the alarm status). */
  setAlarmed(serviceId: string, reason: string | null): void {
    if (reason) this.alarmed.set(serviceId, reason);
    else this.alarmed.delete(serviceId);
    const service = this.service(serviceId);
    if (!service || service.desired_state !== 'running') return;
    if (reason && (service.status === 'running' || service.status === 'concerning')) {
      const instancesDown = service.status === 'concerning' && this.endpoints(serviceId).length < service.instance_count;
      if (!instancesDown) this.setServiceStatus(service, 'concerning', reason);
    } else if (!reason) this.serviceHealthChanged(serviceId);
  }

  /** Running ⇄ concerning as instances come and go (or alarms fire); deploying → running once all are ready. */
  private serviceHealthChanged(serviceId: string): void {
    const service = this.service(serviceId);
    if (!service || service.desired_state !== 'running') return;
    const ready = this.endpoints(serviceId).length;
    const isComplete = ready >= service.instance_count;
    if (service.status === 'deploying' && isComplete) {
      this.clearTimer(this.deployTimers, serviceId);
      const alarm = this.alarmed.get(serviceId);
      this.setServiceStatus(service, alarm ? 'concerning' : 'running', alarm ?? '');
      this.record(service, 'S25', service.name);
      this.isStarting.delete(serviceId);
      this.hooks.onRunning(service);
    } else if (service.status === 'concerning' && isComplete) {
      this.clearTimer(this.recoveryTimers, serviceId);
      const alarm = this.alarmed.get(serviceId);
      this.setServiceStatus(service, alarm ? 'concerning' : 'running', alarm ?? '');
    } else if (service.status === 'running' && !isComplete) {
      this.setServiceStatus(service, 'concerning', `${ready} of ${service.instance_count} instances ready`);
      this.armRecoveryTimer(service);
    } else if (service.status === 'concerning') {
      this.setServiceStatus(service, 'concerning', `${ready} of ${service.instance_count} instances ready`);
      // Concerning because of an alarm, then instances lost: the deploy timeout applies as from Running.
      this.armRecoveryTimer(service);
    }
  }

  /** A concerning service with no instance back within its deploy timeout has failed. */
  private armRecoveryTimer(service: TServiceRow): void {
    if (this.recoveryTimers.has(service.id)) return;
    const timer = setTimeout(() => this.safely(service.id, 'run', () => {
      this.recoveryTimers.delete(service.id);
      const current = this.service(service.id);
      if (current?.status !== 'concerning') return;
      if (this.endpoints(service.id).length > 0) return this.armRecoveryTimer(current);
      const lastError = this.instancesOf(service.id).map((i) => i.lastError).find(Boolean) ?? 'unknown';
      void this.fail(current, 'S8', `no instance recovered within ${current.deploy_timeout_min} minutes; last exit: ${lastError}`, 'run');
    }), service.deploy_timeout_min * this.timings.minuteMs);
    this.recoveryTimers.set(service.id, timer);
  }

  private deployTimedOut(serviceId: string): void {
    this.deployTimers.delete(serviceId);
    const service = this.service(serviceId);
    if (!service || service.status !== 'deploying') return;
    const ready = this.endpoints(serviceId).length;
    const lastError = this.instancesOf(serviceId).map((i) => i.lastError).find(Boolean);
    const details = `${ready} of ${service.instance_count} instances ready after ${service.deploy_timeout_min} minutes${lastError ? `; last error: ${lastError}` : ''}`;
    void this.fail(service, 'S27', details);
  }

  /**
   * The service has failed: its instances end, it stays `failed` until started again, and its
   * status reason keeps the error with the tail of its logs. Queued behind other operations; a
   * stop or delete that got there first wins.
   */
  private fail(service: TServiceRow, code: 'S8' | 'S27', error: string, verb?: string): Promise<void> {
    return this.guard(service.id, verb ?? 'deploy', async () => {
      const current = this.service(service.id);
      if (!current || !['deploying', 'running', 'concerning'].includes(current.status)) return;
      this.deps.db.prepare(`UPDATE services SET desired_state = 'stopped' WHERE id = ?`).run(service.id);
      this.hooks.onHalted(service.id);
      // The instances end before the status says failed: until then they still hold the pool.
      try {
        await this.stopInstances(service.id, { drain: false });
      } finally {
        const tail = this.deps.logs.tail(service.id, LOG_TAIL_LINES);
        this.setServiceStatus(current, 'failed', tail.length ? `${error}\n--- last log lines ---\n${tail.join('\n')}` : error);
        if (code === 'S8') this.record(current, 'S8', verb ?? 'deploy', error);
        else this.record(current, 'S27', error);
        if (this.isStarting.delete(service.id)) this.record(current, 'S26', current.name);
        this.hooks.onReleased();
      }
    });
  }

  /** Runs a service operation in its queue; an unexpected error becomes event S8 instead of taking Anvil down. */
  private guard(serviceId: string, verb: string, op: () => Promise<void> | void): Promise<void> {
    return this.queue.run(serviceId, op).catch((e) => this.internalError(serviceId, verb, e));
  }

  /** Runs a timer or driver callback; an error becomes event S8 instead of an uncaught exception. */
  private safely(serviceId: string, verb: string, fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.internalError(serviceId, verb, e);
    }
  }

  /** Removes a service's rows (its instances must be gone): the end of a delete. */
  purge(serviceId: string): void {
    const { db, logs } = this.deps;
    // Lines the instances wrote while stopping must not outlive the service as orphan rows.
    logs.forget(serviceId);
    db.transaction(() => {
      db.prepare(`DELETE FROM events WHERE resource_type = 'service' AND resource_id = ?`).run(serviceId);
      db.prepare('DELETE FROM logs WHERE service_id = ?').run(serviceId);
      db.prepare('DELETE FROM instances WHERE service_id = ?').run(serviceId);
      db.prepare('DELETE FROM instance_stats WHERE service_id = ?').run(serviceId);
      db.prepare('DELETE FROM service_versions WHERE service_id = ?').run(serviceId);
      db.prepare('DELETE FROM services WHERE id = ?').run(serviceId);
    })();
    this.deps.bus.emit('service.purged', { serviceId });
  }

  private internalError(serviceId: string, verb: string, e: unknown): void {
    console.error(`[reconciler] ${verb} of service ${serviceId} failed:`, e);
    try {
      const service = this.service(serviceId);
      if (service) this.record(service, 'S8', verb, e instanceof Error ? e.message : String(e));
    } catch (again) {
      console.error('[reconciler] could not record the failure:', again);
    }
  }

  private record(service: { id: string; project_id: string }, code: TEventCode, ...args: (string | number)[]): void {
    this.deps.events.record(service.project_id, 'service', service.id, code, ...args);
  }

  private clearTimer(timers: Map<string, NodeJS.Timeout>, serviceId: string): void {
    clearTimeout(timers.get(serviceId));
    timers.delete(serviceId);
  }

  private services(where: string): TServiceRow[] {
    return this.deps.db.prepare(`SELECT * FROM services WHERE ${where}`).all() as TServiceRow[];
  }
}
