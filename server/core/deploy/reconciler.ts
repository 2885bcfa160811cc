/**
 * Drives each service's desired state to running instances: admits it to the pool or lets it wait,
 * starts the missing instances, waits for their health, probes them while they serve, restarts
 * those that die (with capped exponential backoff), marks the service concerning or failed, drains
 * instances on stop, and on Anvil start replaces whatever a previous Anvil process left behind.
 *
 * Ownership: every multi-step operation on a service runs through one per-service queue, and each
 * instance remembers its in-flight launch, so a stop that arrives while the process is still being
 * spawned waits for it and ends it. Live instance state is kept in memory (the gateway reads it
 * without touching the database).
 */
import type { TInstanceStatus, TServiceStatus } from '../../contracts/services';
import type { TEventCode } from '../../contracts/events';
import type { DomainBus } from '../bus';
import type { TDatabase } from '../db/database';
import type { InflightRequests } from '../gateway/inflight';
import { newId, now } from '../ids';
import { KeyedQueue } from '../keyed-queue';
import type { AppRegistry } from '../registry/app-registry';
import type { RuntimeDriver } from '../runtime/runtime-driver';
import type { EventLog } from '../telemetry/events';
import type { InstanceLogs } from '../telemetry/instance-logs';
import { listFlavors } from './flavors';
import { checkHealth } from './health-wait';
import { DEFAULT_PROBE, InstanceProber, probeSettingsOf, type TProbeSettings } from './instance-probes';

const HEALTH_POLL_MS = 25;
const MAX_DEPLOY_START_FAILURES = 3;
const MAX_RESTART_BACKOFF_MS = 30_000;
const LOG_TAIL_LINES = 10;
const HEALTH_CHECKED_STOP_MS = 3 * 60_000;

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
};

export type TLiveInstance = {
  id: string;
  serviceId: string;
  projectId: string;
  status: TInstanceStatus;
  host: string;
  port: number | null;
  pid: number | null;
  restarts: number;
  consecutiveFailures: number;
  lastError: string;
  isStopping: boolean;
  createdAt: number;
  startedAt: number | null;
  /** Settles when the driver's start of the current process has returned (or failed). */
  launching?: Promise<void>;
  restartTimer?: NodeJS.Timeout;
  stableTimer?: NodeJS.Timeout;
  prober?: InstanceProber;
  probe?: TProbeSettings;
  /** Guide §2.2.3: an app with a health check gets 3 minutes to stop (Anvil: at most, ending when drained). */
  drainGraceMs?: number;
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
  private readonly live = new Map<string, TLiveInstance>();
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
      db: TDatabase; driver: RuntimeDriver; registry: AppRegistry; events: EventLog; logs: InstanceLogs; bus: DomainBus;
      inflight: InflightRequests;
      /** Undefined when the service fits the pool now, else the reason it does not. */
      admit: (service: TServiceRow) => string | undefined;
      timings?: Partial<TReconcilerTimings>;
    },
  ) {
    this.timings = { ...DEFAULT_TIMINGS, ...deps.timings };
  }

  /** Anvil start: remove leftovers of the previous process, settle interrupted operations, bring wanted services back. */
  async recover(): Promise<void> {
    const { db, driver } = this.deps;
    const stale = db.prepare('SELECT id AS instanceId, pid FROM instances').all() as { instanceId: string; pid: number | null }[];
    await driver.reapStale(stale);
    db.prepare('DELETE FROM instances').run();
    for (const s of this.services(`status = 'stopping'`)) this.finishStop(s, 'S13');
    // A delete cut short by a crash: its instances are gone (reaped above), so finish it.
    for (const s of this.services(`status = 'deleting'`)) this.purge(s.id);
    db.prepare(`UPDATE services SET status = 'deploying', deploy_started_at = ? WHERE desired_state = 'running' AND status IN ('deploying', 'running', 'concerning')`).run(now());
    for (const s of this.services(`desired_state = 'running' AND status IN ('deploying', 'waiting') ORDER BY created_at`)) this.bringUp(s.id);
  }

  /** Admits a service that should run to the pool (or lets it wait, event S2) and starts its instances. Queued. */
  bringUp(serviceId: string): Promise<void> {
    return this.guard(serviceId, 'deploy', () => {
      const service = this.service(serviceId);
      if (!service || service.desired_state !== 'running' || this.isClosing) return;
      if (service.status !== 'deploying' && service.status !== 'waiting') return;
      const shortage = this.deps.admit(service);
      if (shortage) {
        if (service.status === 'waiting') return;
        this.setServiceStatus(service, 'waiting', shortage);
        return void this.record(service, 'S2');
      }
      if (service.status === 'waiting') {
        this.deps.db.prepare('UPDATE services SET deploy_started_at = ? WHERE id = ?').run(now(), serviceId);
        this.setServiceStatus(service, 'deploying');
      }
      this.ensure(serviceId);
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

  /** Ready instances of a service, for the gateway. */
  endpoints(serviceId: string): { instanceId: string; host: string; port: number }[] {
    return this.instancesOf(serviceId)
      .filter((i) => i.status === 'ready' && i.port !== null)
      .map((i) => ({ instanceId: i.id, host: i.host, port: i.port! }));
  }

  instancesOf(serviceId: string): TLiveInstance[] {
    return [...this.live.values()].filter((i) => i.serviceId === serviceId);
  }

  /**
   * Ends every instance of a service (call it inside the service's queue). With `drain`, each
   * instance first leaves routing and gets the grace period to finish its in-flight requests.
   */
  async stopInstances(serviceId: string, opts: { drain: boolean }): Promise<void> {
    this.clearTimer(this.deployTimers, serviceId);
    this.clearTimer(this.recoveryTimers, serviceId);
    await Promise.all(this.instancesOf(serviceId).map((i) => this.stopInstance(i, opts.drain)));
  }

  /** Anvil shutdown: stop all instances, keep services' desired state for the next start. */
  async shutdown(): Promise<void> {
    this.isClosing = true;
    for (const t of [...this.deployTimers.values(), ...this.recoveryTimers.values()]) clearTimeout(t);
    await Promise.all([...this.live.values()].map((i) => this.stopInstance(i, false)));
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

  /** Starts the instances a service is missing and arms its deploy timeout. */
  private ensure(serviceId: string): void {
    const service = this.service(serviceId);
    if (!service || service.desired_state !== 'running' || this.isClosing) return;
    if (service.status === 'deploying' && !this.deployTimers.has(serviceId)) {
      const deadline = (service.deploy_started_at ?? now()) + service.deploy_timeout_min * this.timings.minuteMs;
      const timer = setTimeout(() => this.safely(serviceId, 'deploy', () => this.deployTimedOut(serviceId)), Math.max(0, deadline - now()));
      this.deployTimers.set(serviceId, timer);
    }
    const have = this.instancesOf(serviceId).filter((i) => !i.isStopping).length;
    for (let i = have; i < service.instance_count; i++) this.launchSafely(this.register(service));
  }

  private register(service: TServiceRow): TLiveInstance {
    const inst: TLiveInstance = {
      id: newId(), serviceId: service.id, projectId: service.project_id, status: 'pending', host: '127.0.0.1', port: null,
      pid: null, restarts: 0, consecutiveFailures: 0, lastError: '', isStopping: false, createdAt: now(), startedAt: null,
    };
    this.live.set(inst.id, inst);
    this.deps.db.prepare(`INSERT INTO instances (id, service_id, status, created_at) VALUES (?, ?, 'pending', ?)`).run(inst.id, service.id, now());
    return inst;
  }

  /** Launches without letting a failure escape: it becomes an event on the service, and Anvil keeps going. */
  private launchSafely(inst: TLiveInstance): void {
    this.launch(inst).catch((e) => this.internalError(inst.serviceId, 'deploy', e));
  }

  private async launch(inst: TLiveInstance): Promise<void> {
    const service = this.service(inst.serviceId);
    if (!service || service.desired_state !== 'running' || inst.isStopping || this.isClosing) return;
    const { registry, driver, logs } = this.deps;
    inst.lastError = '';
    this.setStatus(inst, 'starting');
    let running;
    try {
      const { row, modelDir, config } = registry.deployable(service.project_id, service.app_id);
      inst.probe = probeSettingsOf(config.health, this.timings.probe);
      inst.drainGraceMs = config.health ? Math.max(HEALTH_CHECKED_STOP_MS, this.timings.drainGraceMs) : this.timings.drainGraceMs;
      const env = Object.fromEntries((JSON.parse(service.envs) as { key: string; value: string }[]).map((e) => [e.key, e.value]));
      const flavor = listFlavors(driver.capacity()).find((f) => f.id === service.flavor);
      if (!flavor) throw new Error(`Unknown compute specification ${service.flavor}.`);
      const starting = driver.start(
        {
          instanceId: inst.id, serviceId: inst.serviceId, modelDir, modelName: row.name, modelType: config.model_type, env,
          cpus: flavor.cpu, memoryBytes: flavor.memoryGiB * 1024 ** 3, gpus: flavor.gpu,
        },
        {
          onLog: (stream, line) => {
            // The last stderr line is what a failed start reports (a Python traceback ends with the error).
            if (stream === 'stderr' && line.trim()) inst.lastError = line.trim();
            logs.append(inst.serviceId, inst.id, stream, line);
          },
          onExit: (description) => this.safely(inst.serviceId, 'run', () => this.exited(inst, description)),
        },
      );
      inst.launching = starting.then(
        () => undefined,
        () => undefined,
      );
      running = await starting;
    } catch (e) {
      inst.lastError = (e as Error).message;
      return this.exited(inst, (e as Error).message);
    }
    // A stop arrived while the process was being spawned: stopInstance() ends it.
    if (inst.isStopping || this.isClosing) return;
    Object.assign(inst, { host: running.host, port: running.port, pid: running.pid, startedAt: now() });
    this.deps.db.prepare('UPDATE instances SET port = ?, pid = ?, started_at = ? WHERE id = ?').run(running.port, running.pid, inst.startedAt, inst.id);
    await this.waitHealthy(inst);
  }

  private async waitHealthy(inst: TLiveInstance): Promise<void> {
    while (inst.status === 'starting' && !inst.isStopping) {
      if (inst.port !== null && (await checkHealth(inst.host, inst.port, 1000, inst.probe?.path))) {
        if (inst.status !== 'starting' || inst.isStopping) return;
        return this.becameReady(inst);
      }
      await new Promise((r) => setTimeout(r, HEALTH_POLL_MS));
    }
  }

  private becameReady(inst: TLiveInstance): void {
    this.setStatus(inst, 'ready');
    this.recordFor(inst, 'X2', inst.id);
    inst.stableTimer = setTimeout(() => (inst.consecutiveFailures = 0), this.timings.stableMs);
    inst.prober = new InstanceProber({ host: inst.host, port: inst.port! }, inst.probe ?? this.timings.probe, (verdict, failures) =>
      this.safely(inst.serviceId, 'run', () => this.probed(inst, verdict, failures)),
    );
    inst.prober.start();
    this.serviceHealthChanged(inst.serviceId);
  }

  private probed(inst: TLiveInstance, verdict: 'healthy' | 'unready' | 'dead', failures: number): void {
    if (inst.isStopping || (inst.status !== 'ready' && inst.status !== 'unready')) return;
    if (verdict === 'healthy') {
      this.setStatus(inst, 'ready');
      this.recordFor(inst, 'X5', inst.id);
    } else if (verdict === 'unready') {
      this.setStatus(inst, 'unready');
      this.recordFor(inst, 'X4', inst.id, failures);
    } else {
      this.recordFor(inst, 'X6', inst.id, failures);
      // The exit this causes restarts the instance like any other exit.
      void this.deps.driver.stop(inst.id).catch((e) => this.internalError(inst.serviceId, 'restart', e));
    }
    this.serviceHealthChanged(inst.serviceId);
  }

  /** Running ⇄ concerning as instances come and go; deploying → running once all are ready. */
  private serviceHealthChanged(serviceId: string): void {
    const service = this.service(serviceId);
    if (!service || service.desired_state !== 'running') return;
    const ready = this.endpoints(serviceId).length;
    const isComplete = ready >= service.instance_count;
    if (service.status === 'deploying' && isComplete) {
      this.clearTimer(this.deployTimers, serviceId);
      this.setServiceStatus(service, 'running');
      this.record(service, 'S25', service.name);
      this.isStarting.delete(serviceId);
      this.hooks.onRunning(service);
    } else if (service.status === 'concerning' && isComplete) {
      this.clearTimer(this.recoveryTimers, serviceId);
      this.setServiceStatus(service, 'running');
    } else if (service.status === 'running' && !isComplete) {
      this.setServiceStatus(service, 'concerning', `${ready} of ${service.instance_count} instances ready`);
      this.armRecoveryTimer(service);
    } else if (service.status === 'concerning') {
      this.setServiceStatus(service, 'concerning', `${ready} of ${service.instance_count} instances ready`);
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

  private exited(inst: TLiveInstance, description: string): void {
    if (inst.status === 'exited' || inst.status === 'stopped') return;
    inst.prober?.stop();
    clearTimeout(inst.stableTimer);
    if (inst.isStopping || this.isClosing) return this.setStatus(inst, 'stopped');
    const wasServing = inst.status === 'ready' || inst.status === 'unready';
    this.setStatus(inst, 'exited');
    const service = this.service(inst.serviceId);
    if (!service || service.desired_state !== 'running') return;
    const error = inst.lastError || description;
    inst.consecutiveFailures++;
    if (wasServing) {
      this.recordFor(inst, 'X1', inst.id, description);
    } else {
      this.recordFor(inst, 'X3', inst.id, error);
      if (service.status === 'deploying' && inst.consecutiveFailures >= MAX_DEPLOY_START_FAILURES) {
        return void this.fail(service, 'S8', error, 'deploy');
      }
    }
    this.serviceHealthChanged(service.id);
    inst.restarts++;
    this.deps.db.prepare('UPDATE instances SET restarts = ? WHERE id = ?').run(inst.restarts, inst.id);
    const backoff = Math.min(MAX_RESTART_BACKOFF_MS, this.timings.restartBackoffMs * 2 ** (inst.consecutiveFailures - 1));
    inst.restartTimer = setTimeout(() => this.launchSafely(inst), backoff);
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

  private async stopInstance(inst: TLiveInstance, drain: boolean): Promise<void> {
    inst.isStopping = true;
    clearTimeout(inst.restartTimer);
    clearTimeout(inst.stableTimer);
    inst.prober?.stop();
    if (drain && (inst.status === 'ready' || inst.status === 'unready')) {
      this.setStatus(inst, 'stopping');
      await this.deps.inflight.waitIdle(inst.id, inst.drainGraceMs ?? this.timings.drainGraceMs);
    }
    await inst.launching;
    await this.deps.driver.stop(inst.id);
    this.setStatus(inst, 'stopped');
    this.live.delete(inst.id);
    this.deps.db.prepare('DELETE FROM instances WHERE id = ?').run(inst.id);
    this.deps.bus.emit('instance.changed', { projectId: inst.projectId, serviceId: inst.serviceId, instanceId: inst.id });
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
      db.prepare('DELETE FROM services WHERE id = ?').run(serviceId);
    })();
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

  private setStatus(inst: TLiveInstance, status: TInstanceStatus): void {
    inst.status = status;
    this.deps.db.prepare('UPDATE instances SET status = ? WHERE id = ?').run(status, inst.id);
    this.deps.bus.emit('instance.changed', { projectId: inst.projectId, serviceId: inst.serviceId, instanceId: inst.id });
  }

  private record(service: { id: string; project_id: string }, code: TEventCode, ...args: (string | number)[]): void {
    this.deps.events.record(service.project_id, 'service', service.id, code, ...args);
  }

  private recordFor(inst: TLiveInstance, code: TEventCode, ...args: (string | number)[]): void {
    this.deps.events.record(inst.projectId, 'service', inst.serviceId, code, ...args);
  }

  private clearTimer(timers: Map<string, NodeJS.Timeout>, serviceId: string): void {
    clearTimeout(timers.get(serviceId));
    timers.delete(serviceId);
  }

  private services(where: string): TServiceRow[] {
    return this.deps.db.prepare(`SELECT * FROM services WHERE ${where}`).all() as TServiceRow[];
  }
}
