/** Composition root of the serving core: opens storage and wires the modules together. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DomainBus } from './bus';
import { openDatabase, type TDatabase } from './db/database';
import { Reconciler } from './deploy/reconciler';
import { ServiceManager } from './deploy/service-manager';
import { CredentialCache } from './gateway/credential-cache';
import { InferenceGateway } from './gateway/inference-gateway';
import { RouteTable } from './gateway/route-table';
import { Iam } from './iam/iam';
import { AppRegistry } from './registry/app-registry';
import { detectGpus } from './runtime/gpu-detect';
import { ProcessDriver } from './runtime/process-driver';
import type { RuntimeDriver } from './runtime/runtime-driver';
import { LocalObjectStore } from './storage/local-object-store';
import { EventLog } from './telemetry/events';
import { InstanceLogs } from './telemetry/instance-logs';

export const PYTHON_SERVER_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../runtimes/python');
const HOUSEKEEPING_MS = 60 * 60 * 1000;

export type TAnvilCoreOptions = {
  dataDir: string;
  python: string;
  /** Environment every instance starts from (PATH, locale); see server/env.ts. */
  instanceBaseEnv: Record<string, string>;
  adminPassword?: string;
  driver?: RuntimeDriver;
  predictionTimeoutMs?: number;
  /** Length of a deploy-timeout minute (tests shrink it). */
  deployMinuteMs?: number;
};

export type TAnvilCore = Awaited<ReturnType<typeof createAnvilCore>>;

export async function createAnvilCore(opts: TAnvilCoreOptions) {
  const db: TDatabase = openDatabase(path.join(opts.dataDir, 'anvil.db'));
  const bus = new DomainBus();
  const iam = new Iam(db);
  const bootstrap = iam.bootstrap(opts.adminPassword);
  const store = new LocalObjectStore(path.join(opts.dataDir, 'obs'));
  const events = new EventLog(db, bus);
  const logs = new InstanceLogs(db);
  const driver = opts.driver ?? new ProcessDriver({ python: opts.python, serverDir: PYTHON_SERVER_DIR, baseEnv: opts.instanceBaseEnv, gpus: detectGpus().length });
  const registry = new AppRegistry({ db, store, events, bus, modelsDir: path.join(opts.dataDir, 'models') });
  const reconciler = new Reconciler({ db, driver, registry, events, logs, bus, minuteMs: opts.deployMinuteMs });
  const services = new ServiceManager({ db, registry, reconciler, driver, events, bus });
  const routes = new RouteTable(db, bus);
  const credentials = new CredentialCache(iam);
  const gateway = new InferenceGateway({ routes, reconciler, credentials, timeoutMs: opts.predictionTimeoutMs });

  const housekeeping = () => {
    events.purgeExpired();
    logs.purgeExpired();
  };
  housekeeping();
  const housekeepingTimer = setInterval(housekeeping, HOUSEKEEPING_MS);
  housekeepingTimer.unref();
  await reconciler.recover();

  return {
    db, bus, iam, store, events, logs, registry, reconciler, services, gateway, credentials,
    generatedAdminPassword: bootstrap.generatedPassword,
    /** Stops every instance and closes the database. */
    async close(): Promise<void> {
      clearInterval(housekeepingTimer);
      await reconciler.shutdown();
      db.close();
    },
  };
}
