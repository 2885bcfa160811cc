/**
 * Drives each service's desired state to running instances: starts the missing ones, waits for
 * their health, restarts those that die, fails a deployment past its timeout, and on Anvil start
 * replaces whatever a previous Anvil process left behind. Live instance state is kept in memory
 * (the gateway reads it without touching the database).
 */
import type { TInstanceStatus } from '../../contracts/services';
import type { DomainBus } from '../bus';
import type { TDatabase } from '../db/database';
import { newId, now } from '../ids';
import type { AppRegistry } from '../registry/app-registry';
import type { RuntimeDriver } from '../runtime/runtime-driver';
import type { EventLog } from '../telemetry/events';
import type { InstanceLogs } from '../telemetry/instance-logs';
import { checkHealth } from './health-wait';

const HEALTH_POLL_MS = 25;
const MAX_DEPLOY_START_FAILURES = 3;
const MAX_RESTART_BACKOFF_MS = 30_000;

type ServiceRow = {
  id: string; project_id: string; name: string; status: string; desired_state: string; app_id: string;
  instance_count: number; envs: string; deploy_timeout_min: number; deploy_started_at: number | null;
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
  restartTimer?: NodeJS.Timeout;
};

export class Reconciler {
  private readonly live = new Map<string, TLiveInstance>();
  private readonly deployTimers = new Map<string, NodeJS.Timeout>();
  private isClosing = false;

  constructor(
    private readonly deps: {
      db: TDatabase; driver: RuntimeDriver; registry: AppRegistry; events: EventLog; logs: InstanceLogs; bus: DomainBus;
      /** Length of the deploy timeout's minute; tests shrink it. */
      minuteMs?: number;
    },
  ) {}

  /** Anvil start: remove leftovers of the previous process, then bring wanted services back. */
  async recover(): Promise<void> {
    const { db, driver } = this.deps;
    const stale = db.prepare('SELECT id AS instanceId, pid FROM instances').all() as { instanceId: string; pid: number | null }[];
    await driver.reapStale(stale);
    db.prepare('DELETE FROM instances').run();
    db.prepare(`UPDATE services SET deploy_started_at = ? WHERE status = 'deploying'`).run(now());
    const wanted = db.prepare(`SELECT id FROM services WHERE desired_state = 'running' AND status IN ('deploying', 'running')`).all() as { id: string }[];
    for (const { id } of wanted) this.ensure(id);
  }

  /** Starts the instances a service is missing and arms its deploy timeout. */
  ensure(serviceId: string): void {
    const service = this.service(serviceId);
    if (!service || service.desired_state !== 'running' || this.isClosing) return;
    if (service.status === 'deploying' && !this.deployTimers.has(serviceId)) {
      const deadline = (service.deploy_started_at ?? now()) + service.deploy_timeout_min * (this.deps.minuteMs ?? 60_000);
      this.deployTimers.set(serviceId, setTimeout(() => this.deployTimedOut(serviceId), Math.max(0, deadline - now())));
    }
    const have = this.instancesOf(serviceId).filter((i) => !i.isStopping).length;
    for (let i = have; i < service.instance_count; i++) void this.launch(this.register(service));
  }

  /** Ready instances of a service, for the gateway's route table. */
  endpoints(serviceId: string): { instanceId: string; host: string; port: number }[] {
    return this.instancesOf(serviceId)
      .filter((i) => i.status === 'ready' && i.port !== null)
      .map((i) => ({ instanceId: i.id, host: i.host, port: i.port! }));
  }

  instancesOf(serviceId: string): TLiveInstance[] {
    return [...this.live.values()].filter((i) => i.serviceId === serviceId);
  }

  /** Stops every instance of a service and forgets it (service deletion). */
  async removeService(serviceId: string): Promise<void> {
    this.clearDeployTimer(serviceId);
    await Promise.all(this.instancesOf(serviceId).map((i) => this.stopInstance(i)));
  }

  /** Anvil shutdown: stop all instances, keep services' desired state for the next start. */
  async shutdown(): Promise<void> {
    this.isClosing = true;
    for (const t of this.deployTimers.values()) clearTimeout(t);
    await Promise.all([...this.live.values()].map((i) => this.stopInstance(i)));
    this.deps.logs.flush();
  }

  private register(service: ServiceRow): TLiveInstance {
    const inst: TLiveInstance = {
      id: newId(), serviceId: service.id, projectId: service.project_id, status: 'pending', host: '127.0.0.1', port: null,
      pid: null, restarts: 0, consecutiveFailures: 0, lastError: '', isStopping: false, createdAt: now(), startedAt: null,
    };
    this.live.set(inst.id, inst);
    this.deps.db.prepare(`INSERT INTO instances (id, service_id, status, created_at) VALUES (?, ?, 'pending', ?)`).run(inst.id, service.id, now());
    return inst;
  }

  private async launch(inst: TLiveInstance): Promise<void> {
    const service = this.service(inst.serviceId);
    if (!service || inst.isStopping || this.isClosing) return;
    const { registry, driver, logs } = this.deps;
    inst.lastError = '';
    this.setStatus(inst, 'starting');
    try {
      const { row, modelDir, config } = registry.deployable(service.project_id, service.app_id);
      const env = Object.fromEntries((JSON.parse(service.envs) as { key: string; value: string }[]).map((e) => [e.key, e.value]));
      const running = await driver.start(
        { instanceId: inst.id, serviceId: inst.serviceId, modelDir, modelName: row.name, modelType: config.model_type, env },
        {
          onLog: (stream, line) => {
            // The last stderr line is what a failed start reports (a Python traceback ends with the error).
            if (stream === 'stderr' && line.trim()) inst.lastError = line.trim();
            logs.append(inst.serviceId, inst.id, stream, line);
          },
          onExit: (description) => this.exited(inst, description),
        },
      );
      Object.assign(inst, { host: running.host, port: running.port, pid: running.pid, startedAt: now() });
      this.deps.db.prepare('UPDATE instances SET port = ?, pid = ?, started_at = ? WHERE id = ?').run(running.port, running.pid, inst.startedAt, inst.id);
      await this.waitHealthy(inst);
    } catch (e) {
      inst.lastError = (e as Error).message;
      this.exited(inst, (e as Error).message);
    }
  }

  private async waitHealthy(inst: TLiveInstance): Promise<void> {
    while (inst.status === 'starting' && !inst.isStopping) {
      if (inst.port !== null && (await checkHealth(inst.host, inst.port))) {
        if (inst.status !== 'starting' || inst.isStopping) return;
        inst.consecutiveFailures = 0;
        this.setStatus(inst, 'ready');
        this.deps.events.record(inst.projectId, 'service', inst.serviceId, 'X2', inst.id);
        this.maybeRunning(inst.serviceId);
        return;
      }
      await new Promise((r) => setTimeout(r, HEALTH_POLL_MS));
    }
  }

  private maybeRunning(serviceId: string): void {
    const service = this.service(serviceId);
    if (!service || service.status !== 'deploying') return;
    if (this.endpoints(serviceId).length < service.instance_count) return;
    this.clearDeployTimer(serviceId);
    this.setServiceStatus(service, 'running');
    this.deps.events.record(service.project_id, 'service', serviceId, 'S25', service.name);
  }

  private exited(inst: TLiveInstance, description: string): void {
    if (inst.status === 'exited' || inst.status === 'stopped') return;
    if (inst.isStopping || this.isClosing) return this.setStatus(inst, 'stopped');
    const wasReady = inst.status === 'ready';
    this.setStatus(inst, 'exited');
    const service = this.service(inst.serviceId);
    if (!service || service.desired_state !== 'running') return;
    if (wasReady) {
      this.deps.events.record(inst.projectId, 'service', inst.serviceId, 'X1', inst.id, description);
    } else {
      const error = inst.lastError || description;
      inst.consecutiveFailures++;
      this.deps.events.record(inst.projectId, 'service', inst.serviceId, 'X3', inst.id, error);
      if (service.status === 'deploying' && inst.consecutiveFailures >= MAX_DEPLOY_START_FAILURES) {
        return void this.failDeployment(service, 'S8', 'deploy', error);
      }
    }
    inst.restarts++;
    this.deps.db.prepare('UPDATE instances SET restarts = ? WHERE id = ?').run(inst.restarts, inst.id);
    const backoff = Math.min(MAX_RESTART_BACKOFF_MS, 500 * 2 ** Math.max(0, inst.consecutiveFailures - 1));
    inst.restartTimer = setTimeout(() => void this.launch(inst), backoff);
  }

  private deployTimedOut(serviceId: string): void {
    this.deployTimers.delete(serviceId);
    const service = this.service(serviceId);
    if (!service || service.status !== 'deploying') return;
    const ready = this.endpoints(serviceId).length;
    const lastError = this.instancesOf(serviceId).map((i) => i.lastError).find(Boolean);
    const details = `${ready} of ${service.instance_count} instances ready after ${service.deploy_timeout_min} minutes${lastError ? `; last error: ${lastError}` : ''}`;
    void this.failDeployment(service, 'S27', details);
  }

  private async failDeployment(service: ServiceRow, code: 'S8' | 'S27', ...args: string[]): Promise<void> {
    this.clearDeployTimer(service.id);
    this.deps.db.prepare(`UPDATE services SET desired_state = 'stopped' WHERE id = ?`).run(service.id);
    this.setServiceStatus(service, 'failed');
    this.deps.events.record(service.project_id, 'service', service.id, code, ...args);
    await Promise.all(this.instancesOf(service.id).map((i) => this.stopInstance(i)));
  }

  private async stopInstance(inst: TLiveInstance): Promise<void> {
    inst.isStopping = true;
    clearTimeout(inst.restartTimer);
    await this.deps.driver.stop(inst.id);
    this.setStatus(inst, 'stopped');
    this.live.delete(inst.id);
    this.deps.db.prepare('DELETE FROM instances WHERE id = ?').run(inst.id);
    this.deps.bus.emit('instance.changed', { projectId: inst.projectId, serviceId: inst.serviceId, instanceId: inst.id });
  }

  private setStatus(inst: TLiveInstance, status: TInstanceStatus): void {
    inst.status = status;
    this.deps.db.prepare('UPDATE instances SET status = ? WHERE id = ?').run(status, inst.id);
    this.deps.bus.emit('instance.changed', { projectId: inst.projectId, serviceId: inst.serviceId, instanceId: inst.id });
  }

  private setServiceStatus(service: ServiceRow, status: string): void {
    this.deps.db.prepare('UPDATE services SET status = ?, updated_at = ? WHERE id = ?').run(status, now(), service.id);
    this.deps.bus.emit('service.changed', { projectId: service.project_id, serviceId: service.id });
  }

  private clearDeployTimer(serviceId: string): void {
    clearTimeout(this.deployTimers.get(serviceId));
    this.deployTimers.delete(serviceId);
  }

  private service(id: string): ServiceRow | undefined {
    return this.deps.db.prepare('SELECT * FROM services WHERE id = ?').get(id) as ServiceRow | undefined;
  }
}
