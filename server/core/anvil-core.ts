/** Composition root of the serving core: opens storage and wires the modules together. */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DomainBus } from './bus';
import { openDatabase, type TDatabase } from './db/database';
import { AutoStopClock } from './deploy/auto-stop';
import { Reconciler, type TReconcilerTimings } from './deploy/reconciler';
import { ServiceManager } from './deploy/service-manager';
import { CredentialCache } from './gateway/credential-cache';
import { InflightRequests } from './gateway/inflight';
import { InferenceGateway } from './gateway/inference-gateway';
import { RouteTable } from './gateway/route-table';
import { Directory } from './iam/directory';
import { DEFAULT_PROJECT, Iam } from './iam/iam';
import { LoginGuard, type TLoginLimits } from './iam/login-guard';
import { AppRegistry } from './registry/app-registry';
import { detectGpus } from './runtime/gpu-detect';
import { ProcessDriver } from './runtime/process-driver';
import type { RuntimeDriver } from './runtime/runtime-driver';
import { BucketRegistry } from './storage/bucket-registry';
import { LocalObjectStore } from './storage/local-object-store';
import type { TZipLimits } from './storage/zip-extract';
import { EventLog } from './telemetry/events';
import { InstanceLogs } from './telemetry/instance-logs';

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
  /** Lifecycle clocks (drain grace, probes, backoff) and the auto-stop hour; tests shrink them. */
  lifecycle?: Partial<TReconcilerTimings> & { hourMs?: number };
  /** Overrides of the local pool's capacity (default: the driver's node, i.e. this machine). */
  poolCapacity?: { cpus?: number; memoryGiB?: number };
  /** Caps on .zip extraction (archive size, extracted bytes, entries); tests shrink them. */
  zipLimits?: Partial<TZipLimits>;
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
  const logs = new InstanceLogs(db);
  const driver =
    opts.driver ??
    new ProcessDriver({
      python: opts.python, serverDir: PYTHON_SERVER_DIR, baseEnv: opts.instanceBaseEnv, gpus: detectGpus().length,
      instanceUser: opts.instanceUser, runDir: opts.runDir,
    });
  const registry = new AppRegistry({ db, store, buckets, events, bus, modelsDir: path.join(opts.dataDir, 'models'), python: opts.python });
  // An import cut short by a stopped Anvil never finishes: fail it (with the reason) before anyone sees it.
  registry.recover();
  const inflight = new InflightRequests();
  const timings = { ...opts.lifecycle, ...(opts.deployMinuteMs ? { minuteMs: opts.deployMinuteMs } : {}) };
  const reconciler = new Reconciler({ db, driver, registry, events, logs, bus, inflight, timings, admit: (s) => services.shortage(s) });
  const autoStop = new AutoStopClock({ db, hourMs: opts.lifecycle?.hourMs ?? 3_600_000, onDue: (id) => services.autoStopDue(id) });
  const services: ServiceManager = new ServiceManager({ db, registry, reconciler, driver, events, logs, bus, autoStop, poolCapacity: opts.poolCapacity });
  const routes = new RouteTable(db, bus);
  const credentials = new CredentialCache(iam);
  bus.on('token.revoked', ({ userId, projectId }) => credentials.forgetUser(userId, projectId));
  const gateway = new InferenceGateway({ routes, reconciler, credentials, inflight, timeoutMs: opts.predictionTimeoutMs });

  const housekeeping = () => {
    events.purgeExpired();
    logs.purgeExpired();
  };
  housekeeping();
  const housekeepingTimer = setInterval(housekeeping, HOUSEKEEPING_MS);
  housekeepingTimer.unref();
  await reconciler.recover();
  autoStop.recover();

  return {
    db, bus, iam, autoStop, directory, store, buckets, events, logs, registry, reconciler, services, gateway, credentials, driver,
    generatedAdminPassword: bootstrap.generatedPassword,
    /** Stops every instance and closes the database. */
    async close(): Promise<void> {
      clearInterval(housekeepingTimer);
      autoStop.close();
      await reconciler.shutdown();
      await driver.stopAll();
      db.close();
    },
  };
}
