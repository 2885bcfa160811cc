/**
 * Runtime driver that runs each instance as a child process of Anvil on a free loopback port.
 * As root, model code runs as `ANVIL_INSTANCE_USER` with a group of its own, in a read-only copy of
 * the model under the run directory (never inside the data directory), with only the environment
 * it needs; memory is capped at the flavor's through RLIMIT_AS (`prlimit`) and, where the host
 * allows, a cgroup that also caps CPU time and holds whatever the model forks.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { openInstanceCgroups, type InstanceCgroups, type TInstanceCgroup } from './instance-cgroups';
import { checkPython, InstanceGroups, isRoot, resolveUser, UNCONFINED_NOTE, type TInstanceUser } from './instance-identity';
import { openPtyShell, runInInstance, type PtyShell, type TInstanceContext } from './process-shell';
import { RunDir } from './run-dir';
import type { RuntimeDriver, TExecResult, TInstanceHooks, TInstanceSpec, TIsolation, TNodeCapacity, TRunningInstance, TShellSession, TShellSize } from './runtime-driver';

const STOP_GRACE_MS = 5000;
const SERVER_SCRIPT = 'anvil_model_server.py';
/** Thread pools of numpy/OpenBLAS/MKL/OpenMP size themselves to the host's cores unless told; they get the flavor's. */
const THREAD_POOL_VARS = ['OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS'];

export type TProcessDriverOptions = {
  /** ANVIL_PYTHON (server/env.ts defaults it to /usr/bin/python3 as root: root's own python may sit under /root). */
  python: string;
  /** server/runtimes/python in the repository. */
  serverDir: string;
  /** PATH and locale from Anvil's environment (server/env.ts). */
  baseEnv: Record<string, string>;
  gpus?: number;
  /** ANVIL_INSTANCE_USER: who instances run as when Anvil is root. */
  instanceUser: string;
  /** ANVIL_RUN_DIR: where instances' working folders live. */
  runDir: string;
};

type TOwnedInstance = { child: ChildProcess; cgroup: TInstanceCgroup | null; ended: Promise<void> };

export class ProcessDriver implements RuntimeDriver {
  readonly name = 'process';
  private readonly instances = new Map<string, TOwnedInstance>();
  private readonly user: TInstanceUser | null;
  private readonly python: string;
  private readonly runDir: RunDir;
  private readonly groups = new InstanceGroups();
  private readonly cgroups: InstanceCgroups | null;
  private readonly prlimit: string | undefined;
  private readonly warnings: string[] = [];
  /** CloudShell and EXEC: each running instance's working directory, environment, user and caps; its open shells. */
  private readonly contexts = new Map<string, TInstanceContext>();
  private readonly shells = new Map<string, Set<PtyShell>>();
  private setpriv: string | undefined;

  constructor(private readonly opts: TProcessDriverOptions) {
    this.user = isRoot() ? resolveUser(opts.instanceUser) : null;
    this.python = opts.python;
    this.runDir = new RunDir(opts.runDir);
    this.runDir.prepare(opts.serverDir);
    this.cgroups = this.user ? openInstanceCgroups(`anvil-${path.basename(opts.runDir)}`) : null;
    this.prlimit = findExecutable('prlimit', opts.baseEnv.PATH);
    if (!this.prlimit) this.warnings.push('prlimit (util-linux) is not installed, so instance memory is not capped');
    const pythonProblem = checkPython(this.python, this.user, opts.baseEnv, path.join(this.runDir.serverDir, SERVER_SCRIPT));
    if (pythonProblem) this.warnings.push(pythonProblem);
  }

  capacity(): TNodeCapacity {
    return { cpus: os.cpus().length, memoryGiB: Math.floor(os.totalmem() / 1024 ** 3), gpus: this.opts.gpus ?? 0 };
  }

  isolation(): TIsolation {
    const warning = this.warnings.length ? this.warnings.join('; ') : undefined;
    if (!this.user) return { confined: false, user: os.userInfo().username, note: UNCONFINED_NOTE, ...(warning ? { warning } : {}) };
    const caps = [this.prlimit && 'address space (RLIMIT_AS)', this.cgroups && 'cgroup memory and CPU'].filter(Boolean).join(' and ');
    const note =
      `Model code runs as ${this.user.name} with a group of its own per instance, in a read-only copy of the model outside ` +
      `Anvil's data directory, with only its declared environment${caps ? `; the flavor caps its ${caps}` : ''}.`;
    return { confined: true, user: this.user.name, note, ...(warning ? { warning } : {}) };
  }

  async start(spec: TInstanceSpec, hooks: TInstanceHooks): Promise<TRunningInstance> {
    const port = await freePort();
    const user = this.user && { ...this.user, gid: this.groups.acquire() };
    let cgroup: TInstanceCgroup | null = null;
    let child: ChildProcess;
    let instanceEnv: Record<string, string> = {};
    let outputDir: string | undefined;
    try {
      const dirs = await this.runDir.createInstance(spec.instanceId, spec.modelDir, user);
      if (spec.job) {
        outputDir = path.join(dirs.dir, 'output');
        fs.mkdirSync(outputDir, { mode: 0o700 });
        if (user) fs.chownSync(outputDir, user.uid, user.gid);
      }
      cgroup = this.cgroups?.create(spec.instanceId, { memoryBytes: spec.memoryBytes, cpus: spec.cpus }) ?? null;
      const threads = String(Math.max(1, Math.floor(spec.cpus)));
      const env: Record<string, string> = {
        ...this.opts.baseEnv,
        ...Object.fromEntries(THREAD_POOL_VARS.map((k) => [k, threads])),
        ...spec.env,
        PORT: String(port),
        PYTHONUNBUFFERED: '1',
        PYTHONDONTWRITEBYTECODE: '1',
        ANVIL_MODEL_DIR: dirs.modelDir,
        ANVIL_MODEL_NAME: spec.modelName,
        ANVIL_MODEL_TYPE: spec.modelType,
        ANVIL_INSTANCE_ID: spec.instanceId,
        ANVIL_SERVICE_ID: spec.serviceId,
        TMPDIR: dirs.scratchDir,
        HOME: dirs.scratchDir,
        ...(outputDir ? { ANVIL_OUTPUT_DIR: outputDir } : {}),
      };
      instanceEnv = env;
      const server = spec.job ? [this.python, ...spec.job.argv, `--train_url=${outputDir}`] : [this.python, path.join(this.runDir.serverDir, SERVER_SCRIPT)];
      // prlimit sets the limit on itself and execs the server: the pid stays the server's. CUDA maps far
      // more address space than memory, so GPU instances are capped by their cgroup only.
      const capsAddressSpace = this.prlimit && !spec.gpus;
      const [command, ...args] = capsAddressSpace ? [this.prlimit!, `--as=${spec.memoryBytes}`, '--', ...server] : server;
      child = spawn(command, args, {
        cwd: dirs.modelDir,
        env: env as NodeJS.ProcessEnv,
        stdio: ['ignore', 'pipe', 'pipe'],
        // Its own process group, so stopping it also ends what the model forked.
        detached: true,
        ...(user ? { uid: user.uid, gid: user.gid } : {}),
      });
    } catch (e) {
      await this.cleanUp(spec.instanceId, cgroup);
      throw e;
    }
    // A child that never spawned, or could not be confined, reports through start()'s rejection, not through onExit.
    let isReportedByStart = false;
    const exited = new Promise<string | null>((resolve) => {
      child.once('exit', (code, signal) => resolve(signal ? `signal ${signal}` : `exit code ${code}`));
      child.once('error', () => child.pid === undefined && resolve(null));
    });
    const ended = exited.then(async (description) => {
      this.endShells(spec.instanceId);
      killGroup(child.pid, 'SIGKILL');
      const outOfMemory = !!cgroup && description === 'signal SIGKILL' && this.cgroups!.wasOomKilled(cgroup);
      const exit = outOfMemory ? `${description}: out of memory, over its flavor's ${formatBytes(spec.memoryBytes)}` : description;
      try {
        // A job's output is read before its folder goes: after everything of the job is ended (what it
        // forked into its own session too, where a cgroup holds it), and as the job's user.
        if (spec.job && outputDir && description !== null && !isReportedByStart) {
          if (cgroup) for (const pid of this.cgroups!.pids(cgroup)) killPid(pid);
          const readAs = user ? { uid: user.uid, gid: user.gid, python: this.python } : undefined;
          await spec.job.collect(outputDir, exit!, readAs).catch((e) => console.error(`[process-driver] collecting the output of job run ${spec.instanceId} failed:`, e));
        }
        await this.cleanUp(spec.instanceId, cgroup);
      } finally {
        this.instances.delete(spec.instanceId);
        if (description !== null && !isReportedByStart) {
          hooks.onExit(exit!);
        }
      }
    });
    // Nobody awaits `ended` when an instance exits by itself: a failed clean-up is logged, never unhandled.
    ended.catch((e) => console.error(`[process-driver] clean-up of instance ${spec.instanceId} failed:`, e));
    this.instances.set(spec.instanceId, { child, cgroup, ended });
    this.rememberContext(spec, instanceEnv, user, cgroup);
    for (const stream of ['stdout', 'stderr'] as const) {
      readline.createInterface({ input: child[stream]! }).on('line', (line) => hooks.onLog(stream, line));
    }
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    if (cgroup) {
      try {
        this.cgroups!.add(cgroup, child.pid!);
      } catch (e) {
        isReportedByStart = true;
        child.kill('SIGKILL');
        await ended;
        throw new Error(`cannot place the instance in its cgroup: ${(e as Error).message}`);
      }
    }
    return { instanceId: spec.instanceId, host: '127.0.0.1', port, pid: child.pid ?? null };
  }

  async stop(instanceId: string): Promise<void> {
    const owned = this.instances.get(instanceId);
    if (!owned) return;
    const { child, ended } = owned;
    if (child.exitCode === null && child.signalCode === null) {
      killGroup(child.pid, 'SIGTERM');
      const timer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), STOP_GRACE_MS);
      await ended;
      clearTimeout(timer);
    } else await ended;
  }

  async reapStale(records: { instanceId: string; pid: number | null }[]): Promise<void> {
    // Recorded pids, and every model server started from this run directory: a crash between the
    // spawn and the pid being recorded leaves a process no record names.
    const serverPath = path.join(this.runDir.serverDir, SERVER_SCRIPT);
    // Training jobs are found by their output folder, an argument under this run directory.
    const jobOutput = `--train_url=${path.join(this.runDir.root, 'instances')}/`;
    const pids = new Set([...records.map((r) => r.pid), ...modelServersRunning(serverPath, jobOutput)]);
    for (const pid of pids) {
      if (pid && isOurModelServer(pid, jobOutput)) {
        killGroup(pid, 'SIGKILL');
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
    }
    await this.cgroups?.reapLeftovers();
    this.runDir.reapLeftovers();
  }

  /** Anvil shutdown: stops what is left and removes the run directory and Anvil's cgroups. */
  async stopAll(): Promise<void> {
    await Promise.all([...this.instances.keys()].map((id) => this.stop(id)));
    await this.cgroups?.close().catch(() => undefined);
    this.runDir.remove();
  }

  /** Opens a PTY shell in a running instance: its folder, user, environment and caps (CloudShell). */
  async openShell(instanceId: string, size: TShellSize): Promise<TShellSession> {
    const shell = openPtyShell(this.contextOrThrow(instanceId), size);
    const open = this.shells.get(instanceId) ?? new Set<PtyShell>();
    this.shells.set(instanceId, open.add(shell));
    shell.onExit(() => open.delete(shell));
    return shell;
  }

  /** Runs `command` (argv, no shell) in a running instance like its model server; killed with its process group after `timeoutMs`. */
  async exec(instanceId: string, command: string[], timeoutMs: number): Promise<TExecResult> {
    return runInInstance(this.contextOrThrow(instanceId), command, timeoutMs);
  }

  private contextOrThrow(instanceId: string): TInstanceContext {
    const context = this.contexts.get(instanceId);
    if (!context) throw new Error(`Instance ${instanceId} is not running on this node.`);
    return context;
  }

  private rememberContext(spec: TInstanceSpec, env: Record<string, string>, user: TInstanceUser | null, cgroup: TInstanceCgroup | null): void {
    this.setpriv ??= findExecutable('setpriv', this.opts.baseEnv.PATH) ?? '';
    this.contexts.set(spec.instanceId, {
      instanceId: spec.instanceId,
      cwd: env.ANVIL_MODEL_DIR,
      env,
      user: user && { uid: user.uid, gid: user.gid },
      capPrefix: this.prlimit && !spec.gpus ? [this.prlimit, `--as=${spec.memoryBytes}`, '--'] : [],
      setpriv: this.setpriv || undefined,
      adopt: (pid) => cgroup && this.cgroups!.add(cgroup, pid),
    });
  }

  /** The instance ended: so do its shells, and no new ones open. */
  private endShells(instanceId: string): void {
    this.contexts.delete(instanceId);
    for (const shell of this.shells.get(instanceId) ?? []) shell.close('the instance stopped');
    this.shells.delete(instanceId);
  }

  /** Ends whatever the instance left in its cgroup, then removes the cgroup and its working folder. */
  private async cleanUp(instanceId: string, cgroup: TInstanceCgroup | null): Promise<void> {
    if (cgroup) {
      for (const pid of this.cgroups!.pids(cgroup)) killPid(pid);
      await this.cgroups!.remove(cgroup).catch(() => undefined);
    }
    this.runDir.removeInstance(instanceId);
  }
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid) killPid(-pid, signal);
}

function killPid(pid: number, signal: NodeJS.Signals = 'SIGKILL'): void {
  try {
    process.kill(pid, signal);
  } catch {
    /* already gone */
  }
}

const formatBytes = (bytes: number) => (bytes % 1024 ** 3 === 0 ? `${bytes / 1024 ** 3} GiB` : `${Math.round(bytes / 1024 ** 2)} MiB`);

/** Only kill a recorded pid if it still runs Anvil's model server (pids get reused). */
/** Pids whose command line runs `serverPath` (the process table, not Anvil's records). */
function modelServersRunning(serverPath: string, jobOutput: string): number[] {
  const found: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (args.includes(serverPath) || args.some((a) => a.startsWith(jobOutput))) found.push(Number(entry));
    } catch {
      /* gone meanwhile */
    }
  }
  return found;
}

function isOurModelServer(pid: number, jobOutput: string): boolean {
  try {
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.includes(SERVER_SCRIPT) || cmdline.includes(jobOutput);
  } catch {
    return false;
  }
}

function findExecutable(name: string, searchPath = '/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin'): string | undefined {
  for (const dir of searchPath.split(':').filter(Boolean)) {
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      /* next */
    }
  }
  return undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}
