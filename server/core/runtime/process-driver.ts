/** Runtime driver that runs each instance as a child process of Anvil on a free loopback port. */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import type { RuntimeDriver, TInstanceHooks, TInstanceSpec, TNodeCapacity, TRunningInstance } from './runtime-driver';

const STOP_GRACE_MS = 5000;
const SERVER_SCRIPT = 'anvil_model_server.py';

export class ProcessDriver implements RuntimeDriver {
  readonly name = 'process';
  private readonly children = new Map<string, ChildProcess>();

  constructor(private readonly opts: { python: string; serverDir: string; baseEnv: Record<string, string>; gpus?: number }) {}

  capacity(): TNodeCapacity {
    return { cpus: os.cpus().length, memoryGiB: Math.floor(os.totalmem() / 1024 ** 3), gpus: this.opts.gpus ?? 0 };
  }

  async start(spec: TInstanceSpec, hooks: TInstanceHooks): Promise<TRunningInstance> {
    const port = await freePort();
    const env: Record<string, string> = Object.assign({}, this.opts.baseEnv, spec.env, {
      PORT: String(port),
      PYTHONUNBUFFERED: '1',
      PYTHONDONTWRITEBYTECODE: '1',
      ANVIL_MODEL_DIR: spec.modelDir,
      ANVIL_MODEL_NAME: spec.modelName,
      ANVIL_MODEL_TYPE: spec.modelType,
      ANVIL_INSTANCE_ID: spec.instanceId,
      ANVIL_SERVICE_ID: spec.serviceId,
    });
    const child = spawn(this.opts.python, [path.join(this.opts.serverDir, SERVER_SCRIPT)], {
      cwd: spec.modelDir,
      env: env as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.children.set(spec.instanceId, child);
    for (const stream of ['stdout', 'stderr'] as const) {
      readline.createInterface({ input: child[stream]! }).on('line', (line) => hooks.onLog(stream, line));
    }
    child.once('exit', (code, signal) => {
      this.children.delete(spec.instanceId);
      hooks.onExit(signal ? `signal ${signal}` : `exit code ${code}`);
    });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    return { instanceId: spec.instanceId, host: '127.0.0.1', port, pid: child.pid ?? null };
  }

  async stop(instanceId: string): Promise<void> {
    const child = this.children.get(instanceId);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  }

  async reapStale(records: { instanceId: string; pid: number | null }[]): Promise<void> {
    for (const { pid } of records) {
      if (pid && isOurModelServer(pid)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
    }
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.children.keys()].map((id) => this.stop(id)));
  }
}

/** Only kill a recorded pid if it still runs Anvil's model server (pids get reused). */
function isOurModelServer(pid: number): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(SERVER_SCRIPT);
  } catch {
    return false;
  }
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
