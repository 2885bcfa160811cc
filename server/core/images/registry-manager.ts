/**
 * Runs Debian's `docker-registry serve` as a child Anvil owns: on a free loopback port, with a
 * config Anvil writes (filesystem storage and htpasswd under `<dataDir>/registry`), restarted
 * with backoff after a crash, stopped with SIGTERM then SIGKILL on close. It is started through
 * `setpriv --pdeathsig KILL`, so it dies with Anvil even on `kill -9`; a pid file lets the next
 * start kill a leftover where setpriv is missing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import readline from 'node:readline';
import bcrypt from 'bcryptjs';
import type { TRegistryProblem } from '../../contracts/images';
import { newSecret } from '../ids';
import { basicAuthorization, unavailable, type TRegistryBackend, type TUpstream } from './registry-backend';

/** Anvil's own user in the htpasswd file; a project name cannot start with "_", so no project can take it. */
export const SYSTEM_USER = '_anvil';
const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export type TRegistryTimings = {
  /** First restart delay after a crash; doubles up to maxBackoffMs, and resets after a stable run. */
  backoffMs: number;
  maxBackoffMs: number;
  /** A run this long counts as stable. */
  stableMs: number;
  readyTimeoutMs: number;
  stopGraceMs: number;
};

const DEFAULT_TIMINGS: TRegistryTimings = { backoffMs: 500, maxBackoffMs: 30_000, stableMs: 60_000, readyTimeoutMs: 15_000, stopGraceMs: 5_000 };

export type TRegistryManagerOptions = {
  /** `<dataDir>/registry`: config.yml, htpasswd, storage/, registry.pid. */
  dir: string;
  /** The docker-registry executable: a path, or a name looked up in `searchPath`. */
  binary: string;
  searchPath?: string;
  timings?: Partial<TRegistryTimings>;
  /** Where the registry's own warnings go (default console.warn). */
  log?: (line: string) => void;
};

/** The absolute path of an executable, or undefined when there is none. */
export function findExecutable(name: string, searchPath = DEFAULT_PATH): string | undefined {
  const candidates = name.includes('/') ? [path.resolve(name)] : searchPath.split(':').filter(Boolean).map((d) => path.join(d, name));
  return candidates.find((p) => {
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return fs.statSync(p).isFile();
    } catch {
      return false;
    }
  });
}

/** A TCP port nobody listens on at 127.0.0.1 right now. */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

export class RegistryManager implements TRegistryBackend {
  readonly mode = 'managed';
  private readonly timings: TRegistryTimings;
  private readonly binary: string | undefined;
  private readonly setpriv: string | undefined;
  private readonly systemPassword = newSecret(24);
  private readonly httpSecret = newSecret(32);
  private child: ChildProcess | undefined;
  private childExited: Promise<void> | undefined;
  private starting: Promise<TUpstream> | undefined;
  private running: TUpstream | undefined;
  private port: number | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private backoffMs: number;
  private lastError: string | undefined;
  private isClosed = false;

  constructor(private readonly opts: TRegistryManagerOptions) {
    this.timings = { ...DEFAULT_TIMINGS, ...opts.timings };
    this.backoffMs = this.timings.backoffMs;
    this.binary = findExecutable(opts.binary, opts.searchPath);
    this.setpriv = findExecutable('setpriv', opts.searchPath);
  }

  get configFile(): string {
    return path.join(this.opts.dir, 'config.yml');
  }

  get pidFile(): string {
    return path.join(this.opts.dir, 'registry.pid');
  }

  /** The pid of the running registry (tests). */
  pid(): number | undefined {
    return this.child?.exitCode === null && this.child.signalCode === null ? this.child.pid : undefined;
  }

  problem(): { code: TRegistryProblem; detail: string } | null {
    if (!this.binary) {
      return { code: 'not-installed', detail: `${this.opts.binary} is not installed (Debian: apt install docker-registry), and ANVIL_REGISTRY_URL is not set.` };
    }
    if (this.isClosed) return { code: 'registry-down', detail: 'Anvil is shutting down.' };
    if (!this.running && this.lastError) return { code: 'registry-down', detail: this.lastError };
    return null;
  }

  /** The time of the tag's link file in the registry's storage: written at each push of the tag. */
  pushedAt(name: string, tag: string): number | null {
    try {
      return Math.round(fs.statSync(path.join(this.opts.dir, 'storage/docker/registry/v2/repositories', name, '_manifests/tags', tag, 'current/link')).mtimeMs);
    } catch {
      return null;
    }
  }

  async upstream(): Promise<TUpstream> {
    if (this.running) return this.running;
    if (!this.binary || this.isClosed) throw unavailable(this.problem()!.detail);
    if (this.restartTimer) throw unavailable(`docker-registry is restarting after a failure (${this.lastError}).`);
    this.starting ??= this.start().finally(() => (this.starting = undefined));
    return this.starting;
  }

  /** Stops the registry: SIGTERM, then SIGKILL after the grace. */
  async close(): Promise<void> {
    this.isClosed = true;
    clearTimeout(this.restartTimer);
    const { child, childExited } = this;
    if (child && childExited && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), this.timings.stopGraceMs);
      await childExited;
      clearTimeout(timer);
    }
    fs.rmSync(this.pidFile, { force: true });
  }

  private async start(): Promise<TUpstream> {
    this.reapLeftover();
    this.port ??= await freeLoopbackPort();
    await this.writeFiles(this.port);
    const origin = `http://127.0.0.1:${this.port}`;
    const target: TUpstream = { origin, authorization: basicAuthorization(SYSTEM_USER, this.systemPassword) };
    const child = this.spawnChild();
    const startedAt = Date.now();
    const stderrTail: string[] = [];
    readline.createInterface({ input: child.stderr! }).on('line', (line) => {
      stderrTail.push(line);
      if (stderrTail.length > 5) stderrTail.shift();
      // Per-request lines (a 404 on a blob probe is normal during every push) would flood Anvil's log.
      if (!line.includes('http.request.id=')) (this.opts.log ?? console.warn)(`[registry] ${line}`);
    });
    child.stdout!.resume();
    let hasExited = false;
    this.childExited = new Promise<void>((resolve) => {
      child.once('close', (code, signal) => {
        hasExited = true;
        this.onExit(child, `docker-registry exited (${signal ? `signal ${signal}` : `code ${code}`})${lastMessage(stderrTail)}`, Date.now() - startedAt);
        resolve();
      });
    });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    fs.writeFileSync(this.pidFile, String(child.pid));
    const deadline = Date.now() + this.timings.readyTimeoutMs;
    for (;;) {
      if (hasExited || this.isClosed) throw unavailable(this.lastError ?? 'docker-registry stopped.');
      if (await answers(target)) break;
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        await this.childExited;
        throw unavailable(`docker-registry did not answer within ${this.timings.readyTimeoutMs} ms.`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    this.lastError = undefined;
    this.running = target;
    return target;
  }

  private spawnChild(): ChildProcess {
    const registry = [this.binary!, 'serve', this.configFile];
    // The kernel sends SIGKILL to the registry when Anvil dies, however it dies.
    const [command, ...args] = this.setpriv ? [this.setpriv, '--pdeathsig', 'KILL', '--', ...registry] : registry;
    // Nothing of Anvil's environment (its secrets included) but the search path.
    const env: Record<string, string> = { PATH: this.opts.searchPath ?? DEFAULT_PATH };
    const child = spawn(command, args, { cwd: this.opts.dir, stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: env as NodeJS.ProcessEnv });
    this.child = child;
    return child;
  }

  private onExit(child: ChildProcess, reason: string, ranMs: number): void {
    if (this.child !== child) return;
    this.child = undefined;
    this.running = undefined;
    fs.rmSync(this.pidFile, { force: true });
    if (this.isClosed) return;
    this.lastError = reason;
    // A port another process took while the registry was down is not worth fighting over.
    if (/address already in use/.test(reason)) this.port = undefined;
    if (ranMs >= this.timings.stableMs) this.backoffMs = this.timings.backoffMs;
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, this.timings.maxBackoffMs);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      this.upstream().catch(() => undefined);
    }, delay);
    this.restartTimer.unref();
  }

  /** Kills a registry a previous Anvil left running (its pid file names it and it serves our config). */
  private reapLeftover(): void {
    let pid: number;
    try {
      pid = Number(fs.readFileSync(this.pidFile, 'utf8').trim());
    } catch {
      return;
    }
    try {
      const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (cmdline.includes(this.configFile)) process.kill(pid, 'SIGKILL');
    } catch {
      /* gone already */
    }
    fs.rmSync(this.pidFile, { force: true });
  }

  private async writeFiles(port: number): Promise<void> {
    fs.mkdirSync(path.join(this.opts.dir, 'storage'), { recursive: true, mode: 0o700 });
    const hash = await bcrypt.hash(this.systemPassword, 10);
    fs.writeFileSync(path.join(this.opts.dir, 'htpasswd'), `${SYSTEM_USER}:${hash}\n`, { mode: 0o600 });
    // JSON is YAML: every path and secret is quoted correctly without a YAML writer.
    const config = {
      version: '0.1',
      log: { level: 'warn', formatter: 'text', accesslog: { disabled: true } },
      storage: { filesystem: { rootdirectory: path.join(this.opts.dir, 'storage') }, delete: { enabled: true }, cache: { blobdescriptor: 'inmemory' } },
      http: { addr: `127.0.0.1:${port}`, secret: this.httpSecret, headers: { 'X-Content-Type-Options': ['nosniff'] } },
      auth: { htpasswd: { realm: 'anvil-registry', path: path.join(this.opts.dir, 'htpasswd') } },
    };
    fs.writeFileSync(this.configFile, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  }
}

const lastMessage = (lines: string[]) => {
  const line = lines.at(-1)?.replace(/^.*?msg="?/, '').replace(/"$/, '');
  return line ? `: ${line}` : '';
};

/** Whether the registry answers /v2/ to the system credential. */
async function answers(target: TUpstream): Promise<boolean> {
  try {
    const res = await fetch(`${target.origin}/v2/`, { headers: { authorization: target.authorization }, signal: AbortSignal.timeout(1000) });
    await res.body?.cancel();
    return res.status === 200;
  } catch {
    return false;
  }
}
