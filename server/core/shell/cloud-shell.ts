/**
 * CloudShell (guide §3.1.6): a terminal in a running service's instance, opened from the console.
 * Only a running (or concerning) service's serving instance, only in the caller's project; a session
 * ends after `idleMs` without input (10 minutes), when its instance stops or leaves the service,
 * when the shell exits, and when Anvil closes. Each session is recorded as events X14/X15.
 */
import type { TShellCloseReason } from '../../contracts/cloud-shell';
import type { TInstanceStatus, TServiceStatus } from '../../contracts/services';
import type { DomainBus } from '../bus';
import { CoreError, notFound } from '../errors';
import type { RuntimeDriver, TShellSize } from '../runtime/runtime-driver';
import type { EventLog } from '../telemetry/events';
import { ShellSession, type TShellSink } from './shell-session';

export type TCloudShellLimits = {
  /** Guide §3.1.6: a session without input for more than 10 minutes is disconnected. */
  idleMs: number;
  maxSessionsPerUser: number;
  /** Unacknowledged output above which the shell stops being read. */
  highWaterBytes: number;
};

export const DEFAULT_CLOUD_SHELL_LIMITS: TCloudShellLimits = { idleMs: 10 * 60_000, maxSessionsPerUser: 5, highWaterBytes: 256 * 1024 };

/** Instances whose process runs: `unready` ones included, since a shell is how one finds out why. */
const SHELL_INSTANCE_STATUSES: readonly TInstanceStatus[] = ['ready', 'unready'];
const SHELL_SERVICE_STATUSES: readonly TServiceStatus[] = ['running', 'concerning'];

export type TCloudShellDeps = {
  events: EventLog;
  bus: DomainBus;
  /** A service by id, whatever its project (CloudShell compares the project itself). */
  service(serviceId: string): { projectId: string; status: TServiceStatus } | undefined;
  /** The live instances of a service. */
  instances(serviceId: string): { id: string; status: TInstanceStatus }[];
  /** The driver that runs an instance (the scheduler's node). */
  driverOf(instanceId: string): RuntimeDriver;
  limits?: Partial<TCloudShellLimits>;
};

export type TOpenShellRequest = {
  userId: string;
  userName: string;
  projectId: string;
  serviceId: string;
  instanceId: string;
  size: TShellSize;
  sink: TShellSink;
};

export class CloudShell {
  readonly limits: TCloudShellLimits;
  private readonly sessions = new Set<ShellSession>();
  /** Sessions being opened count against the user's limit too. */
  private readonly opening = new Map<string, number>();
  private isClosing = false;
  private readonly onInstanceChanged = ({ serviceId }: { serviceId: string }) => this.checkInstances(serviceId);

  constructor(private readonly deps: TCloudShellDeps) {
    this.limits = { ...DEFAULT_CLOUD_SHELL_LIMITS, ...deps.limits };
    deps.bus.on('instance.changed', this.onInstanceChanged);
  }

  /** Opens a shell on `instanceId` of `serviceId` for the user; throws CoreError when it may not. */
  async open(req: TOpenShellRequest): Promise<ShellSession> {
    if (this.isClosing) throw new CoreError('UNAVAILABLE', 'Anvil is shutting down.');
    this.checkTarget(req.projectId, req.serviceId, req.instanceId);
    const userSessions = [...this.sessions].filter((s) => s.userId === req.userId).length + (this.opening.get(req.userId) ?? 0);
    if (userSessions >= this.limits.maxSessionsPerUser) {
      throw new CoreError('QUOTA_EXCEEDED', `You already have ${this.limits.maxSessionsPerUser} CloudShell sessions open; close one to open another.`);
    }
    let driver: RuntimeDriver;
    try {
      driver = this.deps.driverOf(req.instanceId);
    } catch (e) {
      throw new CoreError('UNAVAILABLE', `Cannot open a shell on instance ${req.instanceId}: ${(e as Error).message}`);
    }
    if (!driver.openShell) throw new CoreError('FAILED_PRECONDITION', `The ${driver.name} runtime does not offer CloudShell.`);
    this.opening.set(req.userId, (this.opening.get(req.userId) ?? 0) + 1);
    let shell;
    try {
      shell = await driver.openShell(req.instanceId, req.size);
    } catch (e) {
      throw new CoreError('UNAVAILABLE', `Cannot open a shell on instance ${req.instanceId}: ${(e as Error).message}`);
    } finally {
      const left = (this.opening.get(req.userId) ?? 1) - 1;
      if (left > 0) this.opening.set(req.userId, left);
      else this.opening.delete(req.userId);
    }
    // The instance may have stopped, or Anvil begun closing, while the shell started.
    try {
      if (this.isClosing) throw new CoreError('UNAVAILABLE', 'Anvil is shutting down.');
      this.checkTarget(req.projectId, req.serviceId, req.instanceId);
    } catch (e) {
      shell.close();
      throw e;
    }
    const session = new ShellSession({
      ...req, shell, idleMs: this.limits.idleMs, highWaterBytes: this.limits.highWaterBytes,
      onClosed: (s, message) => {
        this.sessions.delete(s);
        this.deps.events.record(s.projectId, 'service', s.serviceId, 'X15', s.userName, s.instanceId, message);
      },
    });
    this.sessions.add(session);
    this.deps.events.record(req.projectId, 'service', req.serviceId, 'X14', req.userName, req.instanceId);
    shell.onExit((description) => session.close(...this.exitReason(session, description)));
    return session;
  }

  /** Sessions open now (all users). */
  count(): number {
    return this.sessions.size;
  }

  /** Anvil shutdown: every session ends, and no new one opens. */
  close(): void {
    this.isClosing = true;
    this.deps.bus.off('instance.changed', this.onInstanceChanged);
    for (const s of [...this.sessions]) s.close('anvil-closing');
  }

  /** The service is the caller's, running, and the instance is one of its serving instances; else a CoreError. */
  private checkTarget(projectId: string, serviceId: string, instanceId: string): void {
    const service = this.deps.service(serviceId);
    // Another project's service is answered exactly like a missing one.
    if (!service || service.projectId !== projectId) throw notFound(`Service ${serviceId}`);
    if (!SHELL_SERVICE_STATUSES.includes(service.status)) {
      throw new CoreError('FAILED_PRECONDITION', `CloudShell is available only while the service is running; it is ${service.status}.`);
    }
    const instance = this.deps.instances(serviceId).find((i) => i.id === instanceId);
    if (!instance) throw notFound(`Instance ${instanceId}`);
    if (!SHELL_INSTANCE_STATUSES.includes(instance.status)) {
      throw new CoreError('FAILED_PRECONDITION', `Instance ${instanceId} is ${instance.status}; CloudShell opens only on a running instance.`);
    }
  }

  private isInstanceServing(serviceId: string, instanceId: string): boolean {
    const status = this.deps.instances(serviceId).find((i) => i.id === instanceId)?.status;
    return !!status && SHELL_INSTANCE_STATUSES.includes(status);
  }

  /** An instance changed: sessions on an instance that stopped, restarts or left the service end. */
  private checkInstances(serviceId: string): void {
    for (const s of [...this.sessions]) {
      if (s.serviceId === serviceId && !this.isInstanceServing(serviceId, s.instanceId)) s.close('instance-stopped');
    }
  }

  private exitReason(session: ShellSession, description: string): [TShellCloseReason, string?] {
    if (!this.isInstanceServing(session.serviceId, session.instanceId)) return ['instance-stopped'];
    return ['shell-exited', description.startsWith('the shell') ? description : undefined];
  }
}
