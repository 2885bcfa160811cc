/**
 * Health probes of ready instances (guide §2.2.3 health check, table 2-8): each probe is one GET
 * of the health URL. `failureThreshold` failures in a row fail readiness (the instance leaves
 * routing); as many again fail liveness (the instance is restarted). One success restores it.
 */
import { checkHealth } from './health-wait';

export type TProbeSettings = { path: string; periodMs: number; timeoutMs: number; initialDelayMs: number; failureThreshold: number };

/** Anvil's defaults when config.json declares no `health`; the model server always serves GET /health. */
export const DEFAULT_PROBE: TProbeSettings = { path: '/health', periodMs: 10_000, timeoutMs: 3_000, initialDelayMs: 0, failureThreshold: 3 };

type THealthConfig = { check_method?: string; url?: string; period_seconds?: number; timeout_seconds?: number; initial_delay_seconds?: number; failure_threshold?: number };

/** Probe settings from config.json `health` (seconds) over the defaults. */
export function probeSettingsOf(health: THealthConfig | undefined, defaults: TProbeSettings = DEFAULT_PROBE): TProbeSettings {
  if (!health || health.check_method !== 'HTTP') return defaults;
  const seconds = (v: number | undefined, fallback: number) => (v === undefined ? fallback : Number(v) * 1000);
  return {
    path: health.url?.startsWith('/') ? health.url : defaults.path,
    periodMs: seconds(health.period_seconds, defaults.periodMs),
    timeoutMs: Math.max(1, seconds(health.timeout_seconds, defaults.timeoutMs)),
    initialDelayMs: seconds(health.initial_delay_seconds, defaults.initialDelayMs),
    failureThreshold: Number(health.failure_threshold ?? defaults.failureThreshold),
  };
}

export type TProbeVerdict = 'healthy' | 'unready' | 'dead' | 'unchanged';

/** Periodic probing of one instance; `onVerdict` hears each change of state. */
export class InstanceProber {
  private timer: NodeJS.Timeout | undefined;
  private failures = 0;
  private isStopped = false;

  constructor(
    private readonly target: { host: string; port: number },
    private readonly settings: TProbeSettings,
    private readonly onVerdict: (verdict: Exclude<TProbeVerdict, 'unchanged'>, failures: number) => void,
  ) {}

  start(): void {
    this.schedule(this.settings.initialDelayMs + this.settings.periodMs);
  }

  stop(): void {
    this.isStopped = true;
    clearTimeout(this.timer);
  }

  private schedule(delayMs: number): void {
    if (this.isStopped) return;
    this.timer = setTimeout(() => void this.probeOnce(), delayMs);
    this.timer.unref();
  }

  private async probeOnce(): Promise<void> {
    const isOk = await checkHealth(this.target.host, this.target.port, this.settings.timeoutMs, this.settings.path);
    if (this.isStopped) return;
    const verdict = nextVerdict(this.failures, isOk, this.settings.failureThreshold);
    this.failures = isOk ? 0 : this.failures + 1;
    if (verdict !== 'unchanged') this.onVerdict(verdict, this.failures);
    if (verdict !== 'dead') this.schedule(this.settings.periodMs);
  }
}

/** The state change one probe result causes, given the failures in a row before it. */
export function nextVerdict(failuresBefore: number, isOk: boolean, threshold: number): TProbeVerdict {
  if (isOk) return failuresBefore >= threshold ? 'healthy' : 'unchanged';
  const failures = failuresBefore + 1;
  if (failures === threshold) return 'unready';
  if (failures === 2 * threshold) return 'dead';
  return 'unchanged';
}
