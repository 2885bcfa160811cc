/** The seam between the deploy core and where instances run (process now; Docker and Kubernetes later). */
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
};

export type TInstanceHooks = {
  onLog(stream: 'stdout' | 'stderr', line: string): void;
  /** Called once when the instance ends, whether asked to or not. */
  onExit(description: string): void;
};

export type TRunningInstance = { instanceId: string; host: string; port: number; pid: number | null };

export interface RuntimeDriver {
  readonly name: string;
  capacity(): TNodeCapacity;
  start(spec: TInstanceSpec, hooks: TInstanceHooks): Promise<TRunningInstance>;
  /** Stops an instance and resolves once it is gone. Unknown ids resolve at once. */
  stop(instanceId: string): Promise<void>;
  /** Removes what a previous Anvil process left running, by the ids/pids it recorded. */
  reapStale(records: { instanceId: string; pid: number | null }[]): Promise<void>;
  /** Stops everything this driver started (Anvil shutdown). */
  stopAll(): Promise<void>;
}
