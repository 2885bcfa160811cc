/** Instance stdout/stderr, stored line by line with a timestamp, searchable by time range and keyword. */
import type { TLogLine, TLogQuery } from '../../contracts/services';
import { ZLogQuerySchema } from '../../contracts/services';
import type { TDatabase } from '../db/database';
import { now } from '../ids';
import { invalid } from '../errors';
import { BatchedInsert } from './batched-insert';
import { compileLogQuery } from './log-search';

const RETENTION_MS = 7 * 24 * 3600 * 1000;
const MAX_LINE = 8192;
const SCAN_LIMIT = 50_000;

type Pending = [serviceId: string, instanceId: string, ts: number, stream: string, line: string];

export class InstanceLogs {
  /** Lines are written in one transaction every 200 ms so chatty models stay cheap. */
  private readonly batch: BatchedInsert<Pending>;

  constructor(private readonly db: TDatabase) {
    this.batch = new BatchedInsert(db, 'INSERT INTO logs (service_id, instance_id, ts, stream, line) VALUES (?, ?, ?, ?, ?)', {
      delayMs: 200,
      tag: 'logs',
      what: 'instance log lines',
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
    const rows = this.db
      .prepare('SELECT id, ts, instance_id, stream, line FROM logs WHERE service_id = ? AND ts BETWEEN ? AND ? ORDER BY id DESC LIMIT ?')
      .all(q.serviceId, from, to, SCAN_LIMIT) as { id: number; ts: number; instance_id: string; stream: 'stdout' | 'stderr'; line: string }[];
    const lines: TLogLine[] = [];
    for (const r of rows) {
      if (!matches(r.line)) continue;
      if (lines.length === q.limit) return { lines: lines.reverse(), truncated: true };
      lines.push({ id: r.id, ts: r.ts, instanceId: r.instance_id, stream: r.stream, line: r.line });
    }
    return { lines: lines.reverse(), truncated: false };
  }

  purgeExpired(): number {
    return this.db.prepare('DELETE FROM logs WHERE ts < ?').run(now() - RETENTION_MS).changes;
  }
}
