/**
 * Rows buffered and written in one transaction at most `delayMs` later: whoever produces them
 * (a chatty model's log lines, engine stats samples) never waits on the database. Readers call
 * `flush()` first to see everything produced so far.
 */
import type { TDatabase } from '../db/database';

export class BatchedInsert<TRow extends unknown[]> {
  private pending: TRow[] = [];
  private timer: NodeJS.Timeout | undefined;
  private isClosed = false;

  constructor(
    private readonly db: TDatabase,
    private readonly sql: string,
    /** `tag` and `what` name a failed write in the log: "[logs] could not store instance log lines". */
    private readonly opts: { delayMs: number; tag: string; what: string; onWritten?: (rows: TRow[]) => void },
  ) {}

  push(row: TRow): void {
    // A row produced while Anvil closes has nowhere to go.
    if (this.isClosed) return;
    this.pending.push(row);
    this.timer ??= setTimeout(() => {
      try {
        this.flush();
      } catch (e) {
        console.error(`[${this.opts.tag}] could not store ${this.opts.what}:`, e);
      }
    }, this.opts.delayMs);
  }

  /** Drops the buffered rows `isDropped` picks (their resource is being deleted). */
  discard(isDropped: (row: TRow) => boolean): void {
    this.pending = this.pending.filter((r) => !isDropped(r));
  }

  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    const rows = this.pending;
    this.pending = [];
    const insert = this.db.prepare(this.sql);
    this.db.transaction(() => rows.forEach((r) => insert.run(...r)))();
    this.opts.onWritten?.(rows);
  }

  /** Writes what is pending and takes no more. */
  close(): void {
    this.flush();
    this.isClosed = true;
  }
}
