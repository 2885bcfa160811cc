/**
 * The owner of every live instance: launches it through the runtime driver, waits for its health,
 * probes it while it serves, restarts it after an exit with capped exponential backoff, and stops
 * it (draining first when asked). Each instance remembers its in-flight launch, so a stop that
 * arrives while the process is still being spawned waits for the spawn and ends that process.
 * What an instance change means for its service is the reconciler's business (`onServingChanged`).
 */
import type { TEventCode } from '../../contracts/events';
import type { TInstanceStatus } from '../../contracts/services';
import type { DomainBus } from '../bus';
import type { TDatabase } from '../db/database';
import type { InflightRequests } from '../gateway/inflight';
import { newId, now } from '../ids';
import { installsPackages, type AppImageBuilder, type TBuildNotices } from '../images/app-image-builder';
import type { AppRegistry } from '../registry/app-registry';
import { DockerDriver } from '../runtime/docker/docker-driver';
import type { RuntimeDriver, TFoundInstance, TInstanceHooks, TPlacement } from '../runtime/runtime-driver';
import type { EventLog } from '../telemetry/events';
import type { InstanceLogs } from '../telemetry/instance-logs';
import { findFlavor } from './flavors';
import { checkRunner, probePlanOf, ProbeRunner, type TCheckRunner, type TProbePlan } from './instance-probes';
import type { TReconcilerTimings, TServiceRow } from './reconciler';

const HEALTH_POLL_MS = 25;
const MAX_DEPLOY_START_FAILURES = 3;
const MAX_RESTART_BACKOFF_MS = 30_000;
/** How long a stop waits for an instance's launch in progress (an engine call is bounded at 30 s; an image build is not). */
const LAUNCH_WAIT_MS = 45_000;
/** Guide §2.2.3: an app with a health check gets 3 minutes to stop (Anvil: at most, ending when drained). */
const HEALTH_CHECKED_STOP_MS = 3 * 60_000;

export type TLiveInstance = {
  id: string;
  serviceId: string;
  /** The service version it runs (its AI application, flavor and variables). */
  versionId: string;
  projectId: string;
  status: TInstanceStatus;
  host: string;
  port: number | null;
  pid: number | null;
  /** Where the scheduler placed it; it stays there across restarts. */
  nodeId: string;
  gpuIndices: number[];
  containerId: string | null;
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
  /** Its application's health checks, and the probes running now. */
  plan?: TProbePlan;
  probes: ProbeRunner[];
  drainGraceMs?: number;
};

export type TSupervisorHooks = {
  /** The service; with `versionId`, as that version sees it (its app, flavor, variables), undefined once the version is gone. */
  service(id: string, versionId?: string): TServiceRow | undefined;
  isClosing(): boolean;
  /** An instance entered or left routing, or exited. */
  onServingChanged(serviceId: string): void;
  /** A deploying service's instance failed to start 3 times in a row. */
  onStartsExhausted(service: TServiceRow, error: string): void;
  /** An unexpected error in a callback: reported on the service, never thrown. */
  onError(serviceId: string, verb: string, e: unknown): void;
};

export type TDriverLookup = { driverFor(nodeId: string): RuntimeDriver };

/** A ready instance as the gateway routes to it. */
export type TEndpoint = { instanceId: string; versionId: string; host: string; port: number };

export class InstanceSupervisor {
  private readonly live = new Map<string, TLiveInstance>();

  constructor(
    private readonly deps: {
      db: TDatabase; drivers: TDriverLookup; builder: AppImageBuilder; registry: AppRegistry; events: EventLog; logs: InstanceLogs; bus: DomainBus;
      inflight: InflightRequests; timings: TReconcilerTimings; hooks: TSupervisorHooks;
    },
  ) {}

  instancesOf(serviceId: string): TLiveInstance[] {
    return [...this.live.values()].filter((i) => i.serviceId === serviceId);
  }

  all(): TLiveInstance[] {
    return [...this.live.values()];
  }

  /** Ready instances of a service, for the gateway. */
  endpoints(serviceId: string): TEndpoint[] {
    return this.instancesOf(serviceId)
      .filter((i) => i.status === 'ready' && i.port !== null)
      .map((i) => ({ instanceId: i.id, versionId: i.versionId, host: i.host, port: i.port! }));
  }

  /** Records a new instance of a service version where the scheduler placed it and launches it; a failure becomes an event, never an exception. */
  add(service: TServiceRow, versionId: string, placement: TPlacement): void {
    const inst: TLiveInstance = {
      id: newId(), serviceId: service.id, versionId, projectId: service.project_id, status: 'pending', host: '127.0.0.1', port: null,
      pid: null, nodeId: placement.nodeId, gpuIndices: placement.gpuIndices, containerId: null, restarts: 0, consecutiveFailures: 0,
      lastError: '', isStopping: false, createdAt: now(), startedAt: null, probes: [],
    };
    this.live.set(inst.id, inst);
    this.deps.db
      .prepare(`INSERT INTO instances (id, service_id, version_id, status, node_id, gpu_ids, generation, created_at) VALUES (?, ?, ?, 'pending', ?, ?, ?, ?)`)
      .run(inst.id, service.id, versionId, placement.nodeId, JSON.stringify(placement.gpuIndices), service.generation, now());
    this.launchSafely(inst);
  }

  /**
   * Takes over an instance a previous Anvil left running (a container found by its labels): same
   * id, same container, same placement; it serves again once its health check passes.
   */
  async adopt(service: TServiceRow, versionId: string, found: TFoundInstance, nodeId: string): Promise<void> {
    const row = this.deps.db.prepare('SELECT gpu_ids, restarts, created_at FROM instances WHERE id = ?').get(found.instanceId) as
      | { gpu_ids: string; restarts: number; created_at: number }
      | undefined;
    const inst: TLiveInstance = {
      id: found.instanceId, serviceId: service.id, versionId, projectId: service.project_id, status: 'starting', host: found.host, port: found.port,
      pid: null, nodeId, gpuIndices: row ? (JSON.parse(row.gpu_ids) as number[]) : [], containerId: found.containerId,
      restarts: row?.restarts ?? 0, consecutiveFailures: 0, lastError: '', isStopping: false, createdAt: row?.created_at ?? now(),
      startedAt: now(), probes: [],
    };
    const { registry } = this.deps;
    const deployable = registry.deployable(service.project_id, service.app_id);
    this.planProbes(inst, deployable);
    // Taken over first, recorded after: a container that vanished meanwhile leaves no phantom instance.
    const running = await this.driverOf(inst).adopt!(found, this.hooksFor(inst));
    Object.assign(inst, { host: running.host, port: running.port, pid: running.pid });
    this.live.set(inst.id, inst);
    this.setStatus(inst, 'starting');
    void this.waitStarted(inst).catch((e) => this.deps.hooks.onError(inst.serviceId, 'deploy', e));
  }

  /** Anvil shutdown with containers kept: stop watching the instance, leave it running and recorded for the next Anvil. */
  release(inst: TLiveInstance): void {
    inst.isStopping = true;
    clearTimeout(inst.restartTimer);
    clearTimeout(inst.stableTimer);
    this.stopProbes(inst);
    this.live.delete(inst.id);
  }

  /** True when the instance's node keeps it running across an Anvil restart (containers). */
  survivesRestart(inst: TLiveInstance): boolean {
    try {
      return !!this.driverOf(inst).adopt && inst.status !== 'exited';
    } catch {
      return false;
    }
  }

  driverOf(inst: { nodeId: string }): RuntimeDriver {
    return this.deps.drivers.driverFor(inst.nodeId);
  }

  /** Ends an instance: with `drain`, it leaves routing and gets its grace period for in-flight requests first. */
  async stop(inst: TLiveInstance, drain: boolean): Promise<void> {
    inst.isStopping = true;
    clearTimeout(inst.restartTimer);
    clearTimeout(inst.stableTimer);
    this.stopProbes(inst);
    if (drain && (inst.status === 'ready' || inst.status === 'unready')) {
      this.setStatus(inst, 'stopping');
      await this.deps.inflight.waitIdle(inst.id, inst.drainGraceMs ?? this.deps.timings.drainGraceMs);
    }
    // A launch stuck on an engine that stopped answering must not hold the stop forever; if it
    // finishes later, launch() ends what it started (see below).
    await Promise.race([inst.launching, new Promise((r) => setTimeout(r, LAUNCH_WAIT_MS).unref())]);
    const driver = this.driverOf(inst);
    try {
      await driver.stop(inst.id);
    } catch (e) {
      // A process stays owned, so a later stop or delete tries again. A container on a node that
      // does not answer is let go: unrecorded, it is removed when the node answers again
      // (pools/pool-registry.ts) or at the next Anvil start.
      if (driver.adopt) this.forget(inst);
      throw e;
    }
    this.setStatus(inst, 'stopped');
    this.forget(inst);
  }

  private forget(inst: TLiveInstance): void {
    this.live.delete(inst.id);
    this.deps.db.prepare('DELETE FROM instances WHERE id = ?').run(inst.id);
    this.deps.bus.emit('instance.changed', { projectId: inst.projectId, serviceId: inst.serviceId, instanceId: inst.id });
  }

  private launchSafely(inst: TLiveInstance): void {
    this.launch(inst).catch((e) => this.deps.hooks.onError(inst.serviceId, 'deploy', e));
  }

  private safely(inst: TLiveInstance, fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.deps.hooks.onError(inst.serviceId, 'run', e);
    }
  }

  private async launch(inst: TLiveInstance): Promise<void> {
    const { registry, hooks } = this.deps;
    const service = hooks.service(inst.serviceId, inst.versionId);
    if (!service || service.desired_state !== 'running' || inst.isStopping || hooks.isClosing()) return;
    inst.lastError = '';
    this.setStatus(inst, 'starting');
    let running;
    try {
      const deployable = registry.deployable(service.project_id, service.app_id);
      const { row, modelDir, config } = deployable;
      this.planProbes(inst, deployable);
      const env = Object.fromEntries((JSON.parse(service.envs) as { key: string; value: string }[]).map((e) => [e.key, e.value]));
      const flavor = findFlavor(service.flavor);
      if (!flavor) throw new Error(`Unknown compute specification ${service.flavor}.`);
      const built = await this.appImage(inst, service, deployable);
      if (inst.isStopping || hooks.isClosing()) return;
      const starting = this.driverOf(inst).start(
        {
          instanceId: inst.id, serviceId: inst.serviceId, projectId: inst.projectId, appId: service.app_id, generation: service.generation,
          placement: { nodeId: inst.nodeId, gpuIndices: inst.gpuIndices }, modelDir, modelName: row.name, modelType: config.model_type, env,
          cpus: flavor.cpu, memoryBytes: flavor.memoryGiB * 1024 ** 3, gpus: flavor.gpu,
          ...(deployable.container && {
            image: deployable.container.image,
            containerPort: deployable.container.port,
            ...(deployable.container.command ? { command: ['/bin/sh', '-c', deployable.container.command] } : {}),
          }),
          ...(built && { image: built, readonlyRootfs: true }),
        },
        this.hooksFor(inst),
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
    // A stop arrived while the process was being spawned: stop() ends it — unless that stop gave up
    // waiting for this launch and is over, in which case what the launch started ends here.
    if (inst.isStopping && !this.live.has(inst.id)) {
      void this.driverOf(inst).stop(inst.id).catch((e) => this.deps.hooks.onError(inst.serviceId, 'stop', e));
      return;
    }
    if (inst.isStopping || hooks.isClosing()) return;
    Object.assign(inst, { host: running.host, port: running.port, pid: running.pid, containerId: running.containerId ?? null, startedAt: now() });
    this.deps.db
      .prepare('UPDATE instances SET host = ?, port = ?, pid = ?, container_id = ?, started_at = ? WHERE id = ?')
      .run(running.host, running.port, running.pid, inst.containerId, inst.startedAt, inst.id);
    await this.waitStarted(inst);
  }

  private hooksFor(inst: TLiveInstance): TInstanceHooks {
    return {
      onLog: (stream, line) => {
        // The last stderr line is what a failed start reports (a Python traceback ends with the error).
        if (stream === 'stderr' && line.trim()) inst.lastError = line.trim();
        this.deps.logs.append(inst.serviceId, inst.id, stream, line);
      },
      onExit: (description) => this.safely(inst, () => this.exited(inst, description)),
    };
  }

  /**
   * An application with packages to install, or any on a remote (TCP) node, runs its own image,
   * built on the instance's node (or found there by content hash); the build is an event on the
   * application and on the service.
   */
  private async appImage(inst: TLiveInstance, service: TServiceRow, app: ReturnType<AppRegistry['deployable']>): Promise<string | undefined> {
    const { builder, events, db } = this.deps;
    if (app.container) return undefined;
    const driver = this.driverOf(inst);
    const isRemote = driver instanceof DockerDriver && driver.isRemote;
    if (!installsPackages(app.config) && !isRemote) return undefined;
    if (!(driver instanceof DockerDriver)) throw new Error(`${app.row.name} ${app.row.version} installs packages: deploy it on a Docker pool`);
    const onApp = (code: 'A33' | 'A34' | 'A38' | 'A39') => events.record(service.project_id, 'app', service.app_id, code);
    const onService = (code: 'S4' | 'S5' | 'S7', ...args: string[]) => events.record(service.project_id, 'service', service.id, code, ...args);
    const notices: TBuildNotices = {
      started: () => (onApp('A34'), onService('S4')),
      cached: () => onApp('A38'),
      built: () => (onApp('A33'), onService('S7')),
      failed: (log) => {
        db.prepare('UPDATE apps SET build_log = ? WHERE id = ?').run(log, service.app_id);
        onApp('A39');
        onService('S5', app.row.name, app.row.version, log);
      },
    };
    const image = await builder.imageFor(driver.docker, driver.nodeName, { id: service.app_id, name: app.row.name, version: app.row.version, modelDir: app.modelDir, config: app.config }, notices);
    return image;
  }

  private planProbes(inst: TLiveInstance, app: ReturnType<AppRegistry['deployable']>): void {
    const { timings } = this.deps;
    const probes = app.container?.probes;
    inst.plan = probePlanOf({ probes, health: app.config.health, servesAnvilHealth: !app.container?.image }, timings.probe);
    // Guide §2.2.3: an application with a health check stops within 3 minutes (Anvil: as soon as it is drained).
    const isHealthChecked = !!app.config.health || !!(probes && (probes.startup || probes.readiness || probes.liveness));
    inst.drainGraceMs = isHealthChecked ? Math.max(HEALTH_CHECKED_STOP_MS, timings.drainGraceMs) : timings.drainGraceMs;
  }

  private checksOf(inst: TLiveInstance): TCheckRunner {
    const driver = this.driverOf(inst);
    return checkRunner({ host: inst.host, port: inst.port! }, driver.exec && ((command, timeoutMs) => driver.exec!(inst.id, command, timeoutMs)));
  }

  /** A startup probe gates everything else: until it passes, the instance is only starting. */
  private async waitStarted(inst: TLiveInstance): Promise<void> {
    const startup = inst.plan?.startup;
    if (!startup) return this.waitHealthy(inst);
    const runner = new ProbeRunner(startup, this.checksOf(inst), (isOk, failures) =>
      this.safely(inst, () => {
        if (inst.isStopping || inst.status !== 'starting') return runner.stop();
        if (isOk) {
          this.dropProbe(inst, runner);
          return void this.waitHealthy(inst).catch((e) => this.deps.hooks.onError(inst.serviceId, 'deploy', e));
        }
        if (failures < startup.failureThreshold) return;
        this.dropProbe(inst, runner);
        this.record(inst, 'X7', inst.id, failures);
        // The exit this causes restarts the instance like any other exit.
        void this.driverOf(inst).stop(inst.id).catch((e) => this.deps.hooks.onError(inst.serviceId, 'restart', e));
      }),
    );
    inst.probes.push(runner);
    runner.startNow();
  }

  private async waitHealthy(inst: TLiveInstance): Promise<void> {
    const check = inst.plan?.readyCheck ?? { kind: 'http' as const, path: '/health' };
    const run = this.checksOf(inst);
    while (inst.status === 'starting' && !inst.isStopping) {
      if (inst.port !== null && (await run(check, 1000))) {
        if (inst.status !== 'starting' || inst.isStopping) return;
        return this.becameReady(inst);
      }
      await new Promise((r) => setTimeout(r, HEALTH_POLL_MS));
    }
  }

  private becameReady(inst: TLiveInstance): void {
    const { timings } = this.deps;
    this.setStatus(inst, 'ready');
    this.record(inst, 'X2', inst.id);
    inst.stableTimer = setTimeout(() => (inst.consecutiveFailures = 0), timings.stableMs);
    const { readiness, liveness } = inst.plan ?? {};
    const checks = this.checksOf(inst);
    if (readiness) {
      inst.probes.push(new ProbeRunner(readiness, checks, (isOk, failures) => this.safely(inst, () => this.readinessProbed(inst, isOk, failures, readiness.failureThreshold))));
    }
    if (liveness) {
      inst.probes.push(new ProbeRunner(liveness, checks, (isOk, failures) => this.safely(inst, () => this.livenessProbed(inst, isOk, failures, liveness.failureThreshold))));
    }
    for (const probe of inst.probes) probe.start();
    this.deps.hooks.onServingChanged(inst.serviceId);
  }

  /** Readiness: out of routing at the threshold (X4), back in at the next success (X5). */
  private readinessProbed(inst: TLiveInstance, isOk: boolean, failures: number, threshold: number): void {
    if (inst.isStopping || (inst.status !== 'ready' && inst.status !== 'unready')) return;
    if (isOk && inst.status === 'unready') {
      this.setStatus(inst, 'ready');
      this.record(inst, 'X5', inst.id);
    } else if (!isOk && failures === threshold && inst.status === 'ready') {
      this.setStatus(inst, 'unready');
      this.record(inst, 'X4', inst.id, failures);
    } else return;
    this.deps.hooks.onServingChanged(inst.serviceId);
  }

  /** Liveness: restart at the threshold (X6 for the default health check, X8 for a declared liveness probe). */
  private livenessProbed(inst: TLiveInstance, isOk: boolean, failures: number, threshold: number): void {
    if (isOk || failures !== threshold || inst.isStopping || (inst.status !== 'ready' && inst.status !== 'unready')) return;
    this.stopProbes(inst);
    this.record(inst, inst.plan?.isDeclared ? 'X8' : 'X6', inst.id, failures);
    // The exit this causes restarts the instance like any other exit.
    void this.driverOf(inst).stop(inst.id).catch((e) => this.deps.hooks.onError(inst.serviceId, 'restart', e));
    this.deps.hooks.onServingChanged(inst.serviceId);
  }

  private dropProbe(inst: TLiveInstance, runner: ProbeRunner): void {
    runner.stop();
    inst.probes = inst.probes.filter((p) => p !== runner);
  }

  private stopProbes(inst: TLiveInstance): void {
    for (const probe of inst.probes) probe.stop();
    inst.probes = [];
  }

  private exited(inst: TLiveInstance, description: string): void {
    const { hooks, timings } = this.deps;
    if (inst.status === 'exited' || inst.status === 'stopped') return;
    this.stopProbes(inst);
    clearTimeout(inst.stableTimer);
    if (inst.isStopping || hooks.isClosing()) return this.setStatus(inst, 'stopped');
    const wasServing = inst.status === 'ready' || inst.status === 'unready';
    this.setStatus(inst, 'exited');
    const service = hooks.service(inst.serviceId);
    if (!service || service.desired_state !== 'running') return;
    const error = inst.lastError || description;
    inst.consecutiveFailures++;
    if (wasServing) {
      this.record(inst, 'X1', inst.id, description);
    } else {
      this.record(inst, 'X3', inst.id, error);
      if (service.status === 'deploying' && inst.consecutiveFailures >= MAX_DEPLOY_START_FAILURES) return hooks.onStartsExhausted(service, error);
    }
    hooks.onServingChanged(service.id);
    inst.restarts++;
    this.deps.db.prepare('UPDATE instances SET restarts = ? WHERE id = ?').run(inst.restarts, inst.id);
    const backoff = Math.min(MAX_RESTART_BACKOFF_MS, timings.restartBackoffMs * 2 ** (inst.consecutiveFailures - 1));
    inst.restartTimer = setTimeout(() => this.launchSafely(inst), backoff);
  }

  private setStatus(inst: TLiveInstance, status: TInstanceStatus): void {
    inst.status = status;
    this.deps.db.prepare('UPDATE instances SET status = ? WHERE id = ?').run(status, inst.id);
    this.deps.bus.emit('instance.changed', { projectId: inst.projectId, serviceId: inst.serviceId, instanceId: inst.id });
  }

  private record(inst: TLiveInstance, code: TEventCode, ...args: (string | number)[]): void {
    this.deps.events.record(inst.projectId, 'service', inst.serviceId, code, ...args);
  }
}
