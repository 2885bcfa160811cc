/**
 * The seam between the deploy core and where instances run: the `process` driver (this machine)
 * and the `docker` driver (one per Docker Engine node). The scheduler picks the node; the driver
 * of that node starts, stops, adopts and opens shells into its instances.
 */
import type { TInstanceIsolation } from '../../contracts/services';

export type TNodeCapacity = { cpus: number; memoryGiB: number; gpus: number };

/** Where the scheduler put an instance: a node and the GPUs (by index) it owns there, never shared. */
export type TPlacement = { nodeId: string; gpuIndices: number[] };

export type TInstanceSpec = {
  instanceId: string;
  serviceId: string;
  projectId: string;
  /** The AI-application version (its row id); containers carry it as a label. */
  appId: string;
  /** The service's deployment generation; containers of an older generation are never adopted. */
  generation: number;
  placement: TPlacement;
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
  /** Container drivers: the image to run (default: Anvil's base runtime image with its model server). */
  image?: string;
  /** Container drivers: the port the model listens on inside the container (default 8080). */
  containerPort?: number;
  /** Container drivers: the start command, replacing the image's (already sanitised, guide §A 6). */
  command?: string[];
  /** Container drivers: mount the image's file system read-only (Anvil's own images; default: only without `image`). */
  readonlyRootfs?: boolean;
  /**
   * A training job instead of a model server (process driver): `python3 <argv…>` in the read-only
   * copy of the code (`modelDir`), with a writable output folder (`--train_url` and
   * ANVIL_OUTPUT_DIR) that `collect` reads after the process ends and before its folder is removed.
   */
  job?: {
    argv: string[];
    /** `readAs`: the job ran as another user; its output must be read as that user (with the job's python), never as Anvil. */
    collect(outputDir: string, exit: string, readAs?: { uid: number; gid: number; python: string }): Promise<void>;
  };
};

export type TInstanceHooks = {
  onLog(stream: 'stdout' | 'stderr', line: string): void;
  /** Called once when the instance ends, whether asked to or not. */
  onExit(description: string): void;
};

export type TRunningInstance = { instanceId: string; host: string; port: number; pid: number | null; containerId?: string };

/** An instance a previous Anvil process left running on a node, found by its labels. */
export type TFoundInstance = TRunningInstance & { serviceId: string; appId: string; generation: number; containerId: string; isRunning: boolean };

/** What keeps model code away from Anvil, shown on the instance page. */
export type TIsolation = TInstanceIsolation;

export type TShellSize = { cols: number; rows: number };

/** An interactive terminal in an instance (CloudShell): a PTY shell or a `docker exec` with a TTY. */
export interface TShellSession {
  /** Raw terminal output, in order. */
  onData(listener: (chunk: Buffer) => void): void;
  /** Called once when the shell ends (it exited, or the instance stopped). */
  onExit(listener: (description: string) => void): void;
  write(data: string): void;
  resize(size: TShellSize): void;
  /** Backpressure: stop reading the shell's output until `resume()`. */
  pause(): void;
  resume(): void;
  /** Ends the shell (idempotent). */
  close(): void;
}

/** The result of a command run inside an instance (EXEC health checks); output is capped. */
export type TExecResult = { exitCode: number | null; output: string; isTimedOut: boolean };

export interface RuntimeDriver {
  readonly name: string;
  capacity(): TNodeCapacity;
  isolation(): TIsolation;
  start(spec: TInstanceSpec, hooks: TInstanceHooks): Promise<TRunningInstance>;
  /** Stops an instance and resolves once it is gone. Unknown ids resolve at once. */
  stop(instanceId: string): Promise<void>;
  /** Removes what a previous Anvil process left running, by the ids/pids it recorded, except instances in `keep`. */
  reapStale(records: { instanceId: string; pid: number | null }[], keep?: ReadonlySet<string>): Promise<void>;
  /** Stops everything this driver started (Anvil shutdown). Container drivers leave containers running for adoption. */
  stopAll(): Promise<void>;
  /** Runs `command` in the instance (its working directory, its user), killed after `timeoutMs`. */
  exec?(instanceId: string, command: string[], timeoutMs: number): Promise<TExecResult>;
  /** Opens an interactive shell in the instance (CloudShell). */
  openShell?(instanceId: string, size: TShellSize): Promise<TShellSession>;
  /** Container drivers: instances a previous Anvil left on the node (running or not), found by label. */
  findInstances?(): Promise<TFoundInstance[]>;
  /** Container drivers: takes over a found instance: its logs from now on and its exit reach `hooks`. */
  adopt?(found: TFoundInstance, hooks: TInstanceHooks): Promise<TRunningInstance>;
}
