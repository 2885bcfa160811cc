/** The seam between the deploy core and where instances run (process now; Docker and Kubernetes later). */
import type { TInstanceIsolation } from '../../contracts/services';

export type TNodeCapacity = { cpus: number; memoryGiB: number; gpus: number };

export type TInstanceSpec = {
  instanceId: string;
  serviceId: string;
  /** The imported `model` folder of the AI-application version. */
  modelDir: string;
  modelName: string;
  modelType: string;
  /** The user's environment variables (guide table 3-2). */
  env: Record<string, string>;
  /** The flavor's memory: the instance's cap. */
  memoryBytes: number;
  /** The flavor's vCPUs: thread pools are sized to them and, where the driver can, CPU time is capped. */
  cpus: number;
  /** The flavor's GPUs (CUDA reserves far more address space than memory, so no RLIMIT_AS for them). */
  gpus?: number;
};

export type TInstanceHooks = {
  onLog(stream: 'stdout' | 'stderr', line: string): void;
  /** Called once when the instance ends, whether asked to or not. */
  onExit(description: string): void;
};

export type TRunningInstance = { instanceId: string; host: string; port: number; pid: number | null };

/** What keeps model code away from Anvil, shown on the instance page. */
export type TIsolation = TInstanceIsolation;

export interface RuntimeDriver {
  readonly name: string;
  capacity(): TNodeCapacity;
  isolation(): TIsolation;
  start(spec: TInstanceSpec, hooks: TInstanceHooks): Promise<TRunningInstance>;
  /** Stops an instance and resolves once it is gone. Unknown ids resolve at once. */
  stop(instanceId: string): Promise<void>;
  /** Removes what a previous Anvil process left running, by the ids/pids it recorded. */
  reapStale(records: { instanceId: string; pid: number | null }[]): Promise<void>;
  /** Stops everything this driver started (Anvil shutdown). */
  stopAll(): Promise<void>;
}
