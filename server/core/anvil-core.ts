/** Composition root of the serving core: opens storage and wires the modules together. */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DomainBus } from './bus';
import { openDatabase, type TDatabase } from './db/database';
import { AutoStopClock } from './deploy/auto-stop';
import { Reconciler, type TReconcilerTimings } from './deploy/reconciler';
import { ServiceManager } from './deploy/service-manager';
import { AccessKeys } from './access/access-keys';
import { AuthApps } from './access/auth-apps';
import { SecretBox } from './access/secret-box';
import { ServiceAccess } from './access/service-access';
import { Authenticator } from './gateway/authenticator';
import { CredentialCache } from './gateway/credential-cache';
import { GatewayCredentials } from './gateway/gateway-credentials';
import { QpsLimiter } from './gateway/qps-limiter';
import { RequestMetrics } from './gateway/request-metrics';
import { ServiceRules } from './gateway/rules/service-rules';
import { InflightRequests } from './gateway/inflight';
import { InferenceGateway } from './gateway/inference-gateway';
import { RouteTable } from './gateway/route-table';
import { Directory } from './iam/directory';
import { DEFAULT_PROJECT, Iam } from './iam/iam';
import { LoginGuard, type TLoginLimits } from './iam/login-guard';
import { AppImageBuilder } from './images/app-image-builder';
import { baseRuntimeImage } from './images/base-images';
import { ImageRepositoryService, type TImageRepositoryOptions } from './images/registry-service';
import { PoolRegistry } from './pools/pool-registry';
import { AppRegistry } from './registry/app-registry';
import { detectGpus } from './runtime/gpu-detect';
import { ProcessDriver } from './runtime/process-driver';
import type { RuntimeDriver } from './runtime/runtime-driver';
import { CloudShell } from './shell/cloud-shell';
import { BucketRegistry } from './storage/bucket-registry';
import { TrainingJobs } from './training/training-jobs';
import { LocalObjectStore } from './storage/local-object-store';
import type { TZipLimits } from './storage/zip-extract';
import { EventLog } from './telemetry/events';
import { InstanceLogs } from './telemetry/instance-logs';
import { InstanceStats } from './telemetry/instance-stats';
import { Monitoring, type TMonitoringOptions } from './monitoring/monitoring';
import { RequestTraces } from './monitoring/request-traces';
import { LogExporter } from './telemetry/log-export';
import { readingFromStats, type TUsageReading } from './monitoring/instance-usage';

export const PYTHON_SERVER_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../runtimes/python');
const HOUSEKEEPING_MS = 60 * 60 * 1000;

export type TAnvilCoreOptions = {
  dataDir: string;
  python: string;
  /** Environment every instance starts from (PATH, locale); see server/env.ts. */
  instanceBaseEnv: Record<string, string>;
  /** Who instances run as when Anvil is root (ANVIL_INSTANCE_USER). */
  instanceUser: string;
  /** Instances' working folders, outside the data directory (ANVIL_RUN_DIR). */
  runDir: string;
  adminPassword?: string;
  driver?: RuntimeDriver;
  predictionTimeoutMs?: number;
  /** Length of a deploy-timeout minute (tests shrink it). */
  deployMinuteMs?: number;
  /** Metric retention and the collector's clock (tests shrink the minute and drive ticks themselves). */
  monitoring?: TMonitoringOptions;
  /** Lifecycle clocks (drain grace, probes, backoff) and the auto-stop hour; tests shrink them. */
  lifecycle?: Partial<TReconcilerTimings> & { hourMs?: number };
  /** Overrides of the local pool's capacity (default: the driver's node, i.e. this machine); also the auto-added local engine's. */
  poolCapacity?: { cpus?: number; memoryGiB?: number };
  /** Docker Engine nodes: whether to add the local engine when it answers, DOCKER_HOST, engine stats period. */
  docker?: { autoDetect?: boolean; dockerHost?: string; statsIntervalMs?: number };
  /** ANVIL_PIP_INDEX_URL: where image builds find packages besides the wheels in the package. */
  pipIndexUrl?: string;
  /** ANVIL_DEFAULT_POOL: the pool a deploy without one lands on. */
  defaultPool?: string;
  /** The image repository (gate address, ANVIL_REGISTRY_URL, binary); absent: no gate. */
  imageRepository?: Omit<TImageRepositoryOptions, 'dir'>;
  /** Caps on .zip extraction (archive size, extracted bytes, entries); tests shrink them. */
  zipLimits?: Partial<TZipLimits>;
  /** ANVIL_MASTER_KEY; absent: a key file in the data directory. */
  masterKey?: string;
  /** Login lock-out and per-address limits; tests shrink them. */
  loginLimits?: Partial<TLoginLimits>;
};

export type TAnvilCore = Awaited<ReturnType<typeof createAnvilCore>>;

export async function createAnvilCore(opts: TAnvilCoreOptions) {
  // Only Anvil's user may enter the data directory: it holds the database, the buckets and every model.
  fs.mkdirSync(opts.dataDir, { recursive: true });
  fs.chmodSync(opts.dataDir, 0o700);
  const db: TDatabase = openDatabase(path.join(opts.dataDir, 'anvil.db'));
  const bus = new DomainBus();
  const iam = new Iam(db, bus, new LoginGuard(opts.loginLimits));
  const bootstrap = iam.bootstrap(opts.adminPassword);
  const directory = new Directory(db, iam);
  const store = new LocalObjectStore(path.join(opts.dataDir, 'obs'), { zipLimits: opts.zipLimits });
  const buckets = new BucketRegistry(db, store, path.join(opts.dataDir, 'obs'));
  // Buckets from before projects existed keep working: the default project adopts them.
  const defaultProject = directory.findProject(DEFAULT_PROJECT);
  if (defaultProject) buckets.reconcile(defaultProject.id);
  const events = new EventLog(db, bus);
  const logs = new InstanceLogs(db, (serviceId, lines) => bus.emit('logs.written', { serviceId, lines }));
  const driver =
    opts.driver ??
    new ProcessDriver({
      python: opts.python, serverDir: PYTHON_SERVER_DIR, baseEnv: opts.instanceBaseEnv, gpus: detectGpus().length,
      instanceUser: opts.instanceUser, runDir: opts.runDir,
    });
  // Hashes the model server's files: once.
  const runtimeImage = baseRuntimeImage(PYTHON_SERVER_DIR);
  const processCapacity = () => {
    const node = driver.capacity();
    const { cpus, memoryGiB } = opts.poolCapacity ?? {};
    return { ...node, cpus: cpus ?? node.cpus, memoryGiB: memoryGiB ?? node.memoryGiB };
  };
  const images = new ImageRepositoryService(db, { binary: 'docker-registry', publicHost: '127.0.0.1', ...opts.imageRepository, dir: path.join(opts.dataDir, 'registry') });
  const projectRef = (projectId: string) => {
    const project = directory.findProject(projectId);
    if (!project) throw new Error(`project ${projectId} does not exist`);
    return project;
  };
  const stats = new InstanceStats(db);
  // The engine's latest stats of each container instance, read by monitoring (created after the reconciler).
  const containerReadings = new Map<string, TUsageReading>();
  const pools = new PoolRegistry({
    db, processDriver: driver, processCapacity,
    // One installation per data directory: its containers carry this, so two Anvils can share an engine.
    owner: createHash('sha256').update(path.resolve(opts.dataDir)).digest('hex').slice(0, 16),
    runtimeImage,
    dockerHost: opts.docker?.dockerHost, autoDetectDocker: opts.docker?.autoDetect ?? true, localAllocatable: opts.poolCapacity,
    defaultPool: opts.defaultPool,
    onStats: (sample) => {
      stats.record(sample);
      containerReadings.set(sample.instanceId, readingFromStats(sample));
    }, statsIntervalMs: opts.docker?.statsIntervalMs,
    // Images of Anvil's repository are pulled with the credential of the project they belong to.
    registryAuth: (image) => {
      const [, projectName] = /^127\.0\.0\.1:\d+\/([^/]+)\//.exec(image) ?? [];
      const project = projectName ? directory.findProject(projectName) : undefined;
      return project ? images.pullAuth(project) : undefined;
    },
  });
  await pools.init();
  const registry = new AppRegistry({
    db, store, buckets, events, bus, modelsDir: path.join(opts.dataDir, 'models'), python: opts.python,
    resolveImage: async (projectId, repository, tag) => {
      const project = projectRef(projectId);
      const found = await images.resolveImage(project.name, repository, tag);
      const manifest = await images.client.manifest(`${project.name}/${repository}`, found.digest).catch(() => undefined);
      return { ...found, sizeBytes: manifest?.sizeBytes ?? null };
    },
  });
  // An import cut short by a stopped Anvil never finishes: fail it (with the reason) before anyone sees it.
  registry.recover();
  const inflight = new InflightRequests();
  const timings = { ...opts.lifecycle, ...(opts.deployMinuteMs ? { minuteMs: opts.deployMinuteMs } : {}) };
  const placer = {
    driverFor: (nodeId: string) => pools.driverFor(nodeId),
    dockerDrivers: () => pools.dockerDrivers(),
    place: (s: { pool: string; flavor: string }, missing: number) => pools.place(s.pool, s.flavor, missing),
  };
  const builder = new AppImageBuilder({ runtimeImage, pipIndexUrl: opts.pipIndexUrl });
  const reconciler = new Reconciler({ db, placer, builder, registry, events, logs, bus, inflight, timings });
  const autoStop = new AutoStopClock({ db, hourMs: opts.lifecycle?.hourMs ?? 3_600_000, onDue: (id) => services.autoStopDue(id) });
  // Gateway secrets (SK, AppSecret, AppCodes, service tokens) are sealed with the master key.
  const box = SecretBox.open(opts.dataDir, opts.masterKey);
  const services: ServiceManager = new ServiceManager({ db, registry, reconciler, pools, events, logs, bus, autoStop, box });
  // CloudShell (§3.1.6): tests shrink its limits through `cloudShell.limits`.
  const cloudShell = new CloudShell({
    events, bus, driverOf: (instanceId) => reconciler.driverOfInstance(instanceId),
    service: (id) => {
      const row = reconciler.service(id);
      return row && { projectId: row.project_id, status: row.status };
    },
    instances: (serviceId) => reconciler.instancesOf(serviceId),
  });
  const routes = new RouteTable(db, bus, box);
  const credentials = new CredentialCache(iam);
  bus.on('token.revoked', ({ userId, projectId }) => credentials.forgetUser(userId, projectId));
  const accessKeys = new AccessKeys(db, box, bus);
  const authApps = new AuthApps(db, box, bus);
  const serviceAccess = new ServiceAccess({ db, box, bus, apps: authApps });
  const serviceRules = new ServiceRules({ db, bus });
  const gatewayCredentials = new GatewayCredentials({ db, bus, accessKeys, apps: authApps });
  const metrics = new RequestMetrics();
  const traces = new RequestTraces(db);
  const logExport = new LogExporter({
    db, bus, store, buckets,
    service: (id) => {
      const row = reconciler.service(id);
      return row && { projectId: row.project_id, name: row.name };
    },
  });
  bus.on('service.purged', ({ serviceId }) => traces.forget(serviceId));
  const gateway = new InferenceGateway({
    routes, reconciler, inflight, metrics, traces, limiter: new QpsLimiter(), timeoutMs: opts.predictionTimeoutMs,
    authenticator: new Authenticator({ credentials: gatewayCredentials, tokens: credentials, onSigned: (ak) => accessKeys.noteUsed(ak) }),
  });

  const monitoring = new Monitoring(
    {
      containerUsage: (instanceId) => containerReadings.get(instanceId),
      db, bus, box, events, requests: metrics, inflight, liveInstances: () => reconciler.liveInstances(), gpus: (nodeId) => pools.gpuReadings(nodeId),
      setAlarmed: (serviceId, reason) => reconciler.setAlarmed(serviceId, reason),
      serviceIdsOf: (projectId) => services.list(projectId).map((s) => s.id),
      runningServices: (projectId) => services.list(projectId).filter((s) => s.status === 'running' || s.status === 'concerning').map((s) => ({ id: s.id, name: s.name })),
      versionsOf: (projectId, serviceId) => (reconciler.service(serviceId)?.project_id === projectId ? reconciler.versionsOf(serviceId).map((v) => v.id) : undefined),
      flavorOf: (serviceId, versionId) => reconciler.versionsOf(serviceId).find((v) => v.id === versionId)?.flavor,
      serviceRef: (serviceId) => {
        const row = reconciler.service(serviceId);
        return row && { projectId: row.project_id, name: row.name };
      },
    },
    opts.monitoring,
  );
  const housekeeping = () => {
    // Each step on its own: a failing one (a locked database) is logged, and never ends Anvil from a timer.
    for (const [what, step] of [['metrics', () => monitoring.maintainStore()], ['alarms', () => monitoring.purgeAlarmHistory()], ['events', () => events.purgeExpired()], ['logs', () => logs.purgeExpired()], ['stats', () => stats.purgeExpired()]] as const) {
      try {
        step();
      } catch (e) {
        console.error(`[housekeeping] ${what} failed:`, e);
      }
    }
  };
  housekeeping();
  const housekeepingTimer = setInterval(housekeeping, HOUSEKEEPING_MS);
  housekeepingTimer.unref();
  await reconciler.recover();
  // After the reconciler's start-up reaping, which ends the processes of runs a previous Anvil left.
  const training = new TrainingJobs({ db, bus, buckets, jobDriver: (poolId) => pools.jobDriver(poolId) });
  training.recover();
  monitoring.alarms.restore();
  autoStop.recover();
  await images.open();

  return {
    db, bus, iam, autoStop, directory, store, buckets, events, logs, stats, registry, reconciler, services, gateway, credentials, driver, pools,
    cloudShell, images, training, accessKeys, authApps, serviceAccess, serviceRules, metrics, monitoring, traces, logExport,
    generatedAdminPassword: bootstrap.generatedPassword,
    /**
     * Stops every process instance and closes the database. Containers keep serving for the next
     * Anvil to adopt, unless `stopContainers` (tests; ANVIL_STOP_CONTAINERS_ON_EXIT).
     */
    async close(closeOpts: { stopContainers?: boolean } = {}): Promise<void> {
      clearInterval(housekeepingTimer);
      monitoring.close();
      cloudShell.close();
      autoStop.close();
      await images.close();
      await training.closing();
      await reconciler.shutdown({ stopContainers: !!closeOpts.stopContainers });
      gateway.close();
      await pools.close({ stopContainers: !!closeOpts.stopContainers });
      await driver.stopAll();
      training.close();
      stats.close();
      db.close();
    },
  };
}
