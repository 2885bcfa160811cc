/** Instance stdout/stderr, stored line by line with a timestamp, searchable by time range and keyword. */
import type { TLiveLogLine, TLogLine, TLogQuery } from '../../contracts/services';
import { ZLogQuerySchema } from '../../contracts/services';
import type { TDatabase } from '../db/database';
import { now } from '../ids';
import { invalid } from '../errors';
import { BatchedInsert } from './batched-insert';
import { compileLogQuery, indexFilter } from './log-search';

const RETENTION_MS = 7 * 24 * 3600 * 1000;
const MAX_LINE = 8192;
const SCAN_LIMIT = 50_000;
/** Lines read per query step, newest first, until a page of matches is full. */
const BATCH = 2000;

/** A live tail sends at most this many lines of a service per batch (200 ms); a flood shows its newest. */
const MAX_LIVE_LINES = 500;

type TRow = { id: number; ts: number; service_id: string; instance_id: string; stream: 'stdout' | 'stderr'; line: string };

type Pending = [serviceId: string, instanceId: string, ts: number, stream: string, line: string];

export class InstanceLogs {
  /** Lines are written in one transaction every 200 ms so chatty models stay cheap. */
  private readonly batch: BatchedInsert<Pending>;

  constructor(
    private readonly db: TDatabase,
    /** Told of every batch once stored: the console's live tail. */
    onWritten: (serviceId: string, lines: TLiveLogLine[]) => void = () => undefined,
  ) {
    this.batch = new BatchedInsert(db, 'INSERT INTO logs (service_id, instance_id, ts, stream, line) VALUES (?, ?, ?, ?, ?)', {
      delayMs: 200,
      tag: 'logs',
      what: 'instance log lines',
      onWritten: (rows) => {
        const byService = new Map<string, TLiveLogLine[]>();
        for (const [serviceId, instanceId, ts, stream, line] of rows) {
          const list = byService.get(serviceId) ?? [];
          if (list.length < MAX_LIVE_LINES) list.push({ ts, instanceId, stream: stream as TLiveLogLine['stream'], line });
          byService.set(serviceId, list);
        }
        for (const [serviceId, lines] of byService) onWritten(serviceId, lines);
      },
    });
  }

  /** Deleted services: their late lines are dropped instead of landing as orphan rows. */
  private readonly forgotten = new Set<string>();

  append(serviceId: string, instanceId: string, stream: 'stdout' | 'stderr', line: string): void {
    if (this.forgotten.has(serviceId)) return;
    this.batch.push([serviceId, instanceId, now(), stream, line.slice(0, MAX_LINE)]);
  }

  /** The service is being deleted: drop its buffered lines and any that still arrive. */
  forget(serviceId: string): void {
    this.forgotten.add(serviceId);
    this.batch.discard((p) => p[0] === serviceId);
  }

  /** The last `n` lines of a service, oldest first (a failed service's status shows them). */
  tail(serviceId: string, n: number): string[] {
    this.flush();
    const rows = this.db.prepare('SELECT line FROM logs WHERE service_id = ? ORDER BY id DESC LIMIT ?').all(serviceId, n) as { line: string }[];
    return rows.map((r) => r.line).reverse();
  }

  flush(): void {
    this.batch.flush();
  }

  /** Oldest first within the range; keeps the newest `limit` matches. */
  query(input: TLogQuery): { lines: TLogLine[]; truncated: boolean } {
    this.flush();
    // Checked in the core, not only by the adapters' schemas, so every door answers 400 naming the field.
    const matches = compileLogQuery(typeof input.keyword === 'string' ? input.keyword : '');
    const parsed = ZLogQuerySchema.safeParse(input);
    if (!parsed.success) throw invalid(String(parsed.error.issues[0].path[0] ?? 'query'), parsed.error.issues[0].message);
    const q = parsed.data;
    const to = q.range.kind === 'custom' ? q.range.to : now();
    const from = q.range.kind === 'custom' ? q.range.from : to - q.range.minutes * 60_000;
    const filter = indexFilter(typeof input.keyword === 'string' ? input.keyword : '');
    const lines: TLogLine[] = [];
    const keep = (r: TRow): boolean => {
      if (r.service_id !== q.serviceId || r.ts > to || r.ts < from || (q.instanceId && r.instance_id !== q.instanceId) || !matches(r.line)) return false;
      lines.push({ id: r.id, ts: r.ts, instanceId: r.instance_id, stream: r.stream, line: r.line });
      return true;
    };
    if (filter) {
      // The index hands out matching rowids newest first; lines are stored in time order, so the
      // walk stops at the first line older than the range.
      const rowids = this.db.prepare('SELECT rowid FROM logs_fts WHERE logs_fts MATCH ? AND rowid < ? ORDER BY rowid DESC LIMIT ?').pluck();
      const rowsOf = this.db.prepare('SELECT id, ts, service_id, instance_id, stream, line FROM logs WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id DESC');
      for (let before = Number.MAX_SAFE_INTEGER; ; ) {
        const ids = rowids.all(filter, before, BATCH) as number[];
        for (const r of rowsOf.all(JSON.stringify(ids)) as TRow[]) {
          if (r.ts < from && r.service_id === q.serviceId) return { lines: lines.reverse(), truncated: false };
          if (keep(r) && lines.length > q.limit) return { lines: lines.slice(0, q.limit).reverse(), truncated: true };
        }
        if (ids.length < BATCH) break;
        before = ids[ids.length - 1];
      }
    } else {
      // No literal to look up: a bounded scan of the range's newest lines.
      const page = this.db.prepare(
        'SELECT id, ts, service_id, instance_id, stream, line FROM logs INDEXED BY logs_service_id WHERE service_id = ? AND ts <= ? AND id < ? ORDER BY id DESC LIMIT ?',
      );
      for (let before = Number.MAX_SAFE_INTEGER, scanned = 0; scanned < SCAN_LIMIT; ) {
        const rows = page.all(q.serviceId, to, before, BATCH) as TRow[];
        for (const r of rows) {
          if (r.ts < from) return { lines: lines.reverse(), truncated: false };
          if (keep(r) && lines.length > q.limit) return { lines: lines.slice(0, q.limit).reverse(), truncated: true };
        }
        if (rows.length < BATCH) break;
        before = rows[rows.length - 1].id;
        scanned += rows.length;
      }
    }
    return { lines: lines.reverse(), truncated: false };
  }

  purgeExpired(): number {
    return this.db.prepare('DELETE FROM logs WHERE ts < ?').run(now() - RETENTION_MS).changes;
  }
}
