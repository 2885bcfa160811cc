/**
 * Health checks of instances (guide tables 2-8 and 2-10). Each probe is an HTTP GET, a command run
 * in the instance (EXEC) or, for an image that declares none, any HTTP answer on its port. A startup probe gates
 * the rest and restarts the instance when it keeps failing; readiness takes an instance out of
 * routing after `failureThreshold` failures in a row and back in at the next success; liveness
 * restarts it after its threshold.
 */
import net from 'node:net';
import type { TProbe, TProbes } from '../../contracts/probes';
import { checkHealth } from './health-wait';

export type TProbeCheck = { kind: 'http'; path: string } | { kind: 'exec'; command: string } | { kind: 'tcp' };
export type TProbeTiming = { periodMs: number; timeoutMs: number; initialDelayMs: number; failureThreshold: number };
export type TProbeSpec = TProbeTiming & { check: TProbeCheck };

/** Anvil's model server probe (GET /health) when an application declares none; tests shrink the clocks. */
export type TProbeSettings = TProbeTiming & { path: string };
export const DEFAULT_PROBE: TProbeSettings = { path: '/health', periodMs: 10_000, timeoutMs: 3_000, initialDelayMs: 0, failureThreshold: 3 };

/** What the supervisor runs for one instance. */
export type TProbePlan = {
  startup?: TProbeSpec;
  /** What decides that a started instance is ready the first time (polled every 25 ms). */
  readyCheck: TProbeCheck;
  readiness?: TProbeSpec;
  liveness?: TProbeSpec;
  /** The application declared these probes itself (events name the probe). */
  isDeclared?: boolean;
};

type THealthConfig = { check_method?: string; url?: string; command?: string; period_seconds?: number; timeout_seconds?: number; initial_delay_seconds?: number; failure_threshold?: number };

/**
 * The probes of an application: its own startup/readiness/liveness probes (created from an image),
 * else config.json `health` (readiness at its threshold, liveness at twice it), else Anvil's model
 * server default. An image that declares no probe is ready once its port accepts connections.
 */
export function probePlanOf(app: { probes?: TProbes; health?: THealthConfig; servesAnvilHealth: boolean }, defaults: TProbeSettings = DEFAULT_PROBE): TProbePlan {
  const { probes, health } = app;
  if (probes && (probes.startup || probes.readiness || probes.liveness)) {
    const startup = probes.startup && specOf(probes.startup);
    const readiness = probes.readiness && specOf(probes.readiness);
    const liveness = probes.liveness && specOf(probes.liveness);
    const readyCheck = readiness?.check ?? (app.servesAnvilHealth ? { kind: 'http' as const, path: defaults.path } : { kind: 'tcp' as const });
    return { startup, readyCheck, readiness, liveness, isDeclared: true };
  }
  if (health && (health.check_method === 'HTTP' || health.check_method === 'EXEC')) {
    const s = (v: number | undefined, fallback: number) => (v === undefined ? fallback : Number(v) * 1000);
    const check: TProbeCheck =
      health.check_method === 'EXEC' ? { kind: 'exec', command: health.command ?? 'true' } : { kind: 'http', path: health.url?.startsWith('/') ? health.url : defaults.path };
    const timing = {
      periodMs: s(health.period_seconds, defaults.periodMs),
      timeoutMs: Math.max(1000, s(health.timeout_seconds, defaults.timeoutMs)),
      initialDelayMs: s(health.initial_delay_seconds, defaults.initialDelayMs),
      failureThreshold: Number(health.failure_threshold ?? defaults.failureThreshold),
    };
    return { readyCheck: check, readiness: { ...timing, check }, liveness: { ...timing, failureThreshold: 2 * timing.failureThreshold, check } };
  }
  if (!app.servesAnvilHealth) return { readyCheck: { kind: 'tcp' } };
  const check: TProbeCheck = { kind: 'http', path: defaults.path };
  const { path: _path, ...timing } = defaults;
  return { readyCheck: check, readiness: { ...timing, check }, liveness: { ...timing, failureThreshold: 2 * timing.failureThreshold, check } };
}

function specOf(p: TProbe): TProbeSpec {
  const check: TProbeCheck = p.checkMethod === 'EXEC' ? { kind: 'exec', command: p.command ?? '' } : { kind: 'http', path: p.url || '/health' };
  // The guide allows a 0 s timeout; a check still needs time to answer, so it gets 1 s at least.
  return { check, periodMs: p.periodSeconds * 1000, timeoutMs: Math.max(1, p.timeoutSeconds) * 1000, initialDelayMs: p.initialDelaySeconds * 1000, failureThreshold: p.failureThreshold };
}

/** Runs one check against an instance: true when it passes within `timeoutMs`. */
export type TCheckRunner = (check: TProbeCheck, timeoutMs: number) => Promise<boolean>;

/** The checks of an instance at `host:port`; EXEC goes through `exec` (the driver's), false without one. */
export function checkRunner(target: { host: string; port: number }, exec?: (command: string[], timeoutMs: number) => Promise<{ exitCode: number | null }>): TCheckRunner {
  return async (check, timeoutMs) => {
    if (check.kind === 'http') return checkHealth(target.host, target.port, timeoutMs, check.path);
    if (check.kind === 'tcp') return answers(target.host, target.port, timeoutMs);
    if (!exec) return false;
    const result = await exec(['/bin/sh', '-c', check.command], timeoutMs).catch(() => ({ exitCode: null }));
    return result.exitCode === 0;
  };
}

/**
 * Whether something serves on the port: a connection that gets an HTTP answer, whatever its status.
 * A connect alone is not enough: Docker's port proxy accepts connections before the server in the
 * container listens (and then drops them).
 */
function answers(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => socket.write(`HEAD / HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`));
    socket.once('data', (chunk: Buffer) => done(chunk.subarray(0, 5).toString() === 'HTTP/'));
    socket.once('end', () => done(false));
    socket.once('error', () => done(false));
  });
}

/**
 * One probe on its period. `onResult` hears every result with the failures in a row so far; the
 * caller decides what a threshold means (readiness, liveness, startup).
 */
export class ProbeRunner {
  private timer: NodeJS.Timeout | undefined;
  private failures = 0;
  private isStopped = false;

  constructor(
    private readonly spec: TProbeSpec,
    private readonly run: TCheckRunner,
    private readonly onResult: (isOk: boolean, failuresInRow: number) => void,
  ) {}

  start(): void {
    this.schedule(this.spec.initialDelayMs + this.spec.periodMs);
  }

  /** Starts with a check after the initial delay only (a startup probe checks at once). */
  startNow(): void {
    this.schedule(this.spec.initialDelayMs);
  }

  stop(): void {
    this.isStopped = true;
    clearTimeout(this.timer);
  }

  private schedule(delayMs: number): void {
    if (this.isStopped) return;
    this.timer = setTimeout(() => void this.once(), delayMs);
    this.timer.unref();
  }

  private async once(): Promise<void> {
    const isOk = await this.run(this.spec.check, this.spec.timeoutMs);
    if (this.isStopped) return;
    this.failures = isOk ? 0 : this.failures + 1;
    this.onResult(isOk, this.failures);
    this.schedule(this.spec.periodMs);
  }
}
