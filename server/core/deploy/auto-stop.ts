/**
 * Auto-stop (guide §3.1.1): a running service with auto-stop on stops by itself at a deadline
 * stored in `services.auto_stop_at`, so the deadline survives an Anvil restart.
 */
import type { TDatabase } from '../db/database';

export class AutoStopClock {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly deps: {
      db: TDatabase;
      /** Length of an auto-stop hour (tests shrink it). */
      hourMs: number;
      /** Called when a deadline is reached. */
      onDue: (serviceId: string) => void;
    },
  ) {}

  /** The deadline `hours` from now. */
  deadlineIn(hours: number): number {
    return Date.now() + hours * this.deps.hourMs;
  }

  /** Stores the deadline and arms its timer (a past deadline fires at once). */
  arm(serviceId: string, at: number): void {
    this.deps.db.prepare('UPDATE services SET auto_stop_at = ? WHERE id = ?').run(at, serviceId);
    this.schedule(serviceId, at);
  }

  disarm(serviceId: string): void {
    clearTimeout(this.timers.get(serviceId));
    this.timers.delete(serviceId);
    this.deps.db.prepare('UPDATE services SET auto_stop_at = NULL WHERE id = ?').run(serviceId);
  }

  /** Whether a timer is armed for the service (what the stored deadline promises is really scheduled). */
  isArmed(serviceId: string): boolean {
    return this.timers.has(serviceId);
  }

  /** Anvil start: re-arm every stored deadline. */
  recover(): void {
    const rows = this.deps.db.prepare('SELECT id, auto_stop_at FROM services WHERE auto_stop_at IS NOT NULL').all() as { id: string; auto_stop_at: number }[];
    for (const row of rows) this.schedule(row.id, row.auto_stop_at);
  }

  close(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private schedule(serviceId: string, at: number): void {
    clearTimeout(this.timers.get(serviceId));
    // setTimeout holds at most ~24.8 days; a 24-hour auto-stop is well inside.
    const timer = setTimeout(() => {
      this.timers.delete(serviceId);
      this.deps.onDue(serviceId);
    }, Math.max(0, at - Date.now()));
    timer.unref();
    this.timers.set(serviceId, timer);
  }
}
