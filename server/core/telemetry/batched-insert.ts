/**
 * Rows buffered and written in one transaction at most `delayMs` later: whoever produces them
 * (a chatty model's log lines, engine stats samples) never waits on the database. Readers call
 * `flush()` first to see everything produced so far.
 */
import type { TDatabase } from '../db/database';

/** Rows kept across failed writes before the oldest are dropped (a database that stays locked must not exhaust memory). */
const MAX_PENDING_ROWS = 100_000;

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
    this.timer ??= setTimeout(() => this.flushLogged(), this.opts.delayMs);
  }

  private flushLogged(): void {
    try {
      this.flush();
    } catch (e) {
      console.error(`[${this.opts.tag}] could not store ${this.opts.what} (kept for the next write):`, e);
    }
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
    try {
      const insert = this.db.prepare(this.sql);
      this.db.transaction(() => rows.forEach((r) => insert.run(...r)))();
    } catch (e) {
      // A write that may succeed later (a locked or full database) keeps its rows for the next one, up
      // to a cap; a batch the database refuses outright (a constraint) is dropped, or it would block every later row.
      if (isTransient(e)) {
        this.pending = rows.concat(this.pending).slice(-MAX_PENDING_ROWS);
        if (!this.isClosed) this.timer ??= setTimeout(() => this.flushLogged(), this.opts.delayMs);
      }
      throw e;
    }
    this.opts.onWritten?.(rows);
  }

  /** Writes what is pending and takes no more. */
  close(): void {
    try {
      this.flush();
    } finally {
      this.isClosed = true;
      clearTimeout(this.timer);
    }
  }
}

const isTransient = (e: unknown) => /^SQLITE_(BUSY|LOCKED|FULL|IOERR)/.test(String((e as { code?: unknown }).code ?? ''));
