/** Lifecycle events of AI applications and services (guide §2.6, §3.5), with their retention. */
import { EVENT_MESSAGES, formatEventMessage, type TEventCode, type TEventRecord } from '../../contracts/events';
import type { DomainBus } from '../bus';
import type { TDatabase } from '../db/database';
import { now } from '../ids';

/** Guide §2.4 / §3.1.2: AI-app events are kept 3 months, service events 1 month. */
const RETENTION_MS = { app: 92 * 24 * 3600 * 1000, service: 31 * 24 * 3600 * 1000 } as const;

type Row = { id: number; resource_type: 'app' | 'service'; resource_id: string; code: string; type: TEventRecord['type']; args: string; message: string; created_at: number };

const toRecord = (r: Row): TEventRecord => ({
  id: r.id,
  resourceType: r.resource_type,
  resourceId: r.resource_id,
  code: r.code,
  type: r.type,
  args: JSON.parse(r.args),
  message: r.message,
  createdAt: r.created_at,
});

export class EventLog {
  constructor(
    private readonly db: TDatabase,
    private readonly bus: DomainBus,
  ) {}

  record(projectId: string, resourceType: 'app' | 'service', resourceId: string, code: TEventCode, ...args: (string | number)[]): TEventRecord {
    const strArgs = args.map(String);
    const entry = EVENT_MESSAGES[code];
    const message = formatEventMessage(code, strArgs, 'en');
    const t = now();
    const { lastInsertRowid } = this.db
      .prepare('INSERT INTO events (project_id, resource_type, resource_id, code, type, args, message, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(projectId, resourceType, resourceId, code, entry.type, JSON.stringify(strArgs), message, t);
    const event: TEventRecord = { id: Number(lastInsertRowid), resourceType, resourceId, code, type: entry.type, args: strArgs, message, createdAt: t };
    this.bus.emit('event.recorded', { projectId, event });
    return event;
  }

  /** Newest first. */
  list(resourceType: 'app' | 'service', resourceId: string, limit = 500): TEventRecord[] {
    const rows = this.db
      .prepare('SELECT * FROM events WHERE resource_type = ? AND resource_id = ? ORDER BY id DESC LIMIT ?')
      .all(resourceType, resourceId, limit) as Row[];
    return rows.map(toRecord);
  }

  purgeExpired(): number {
    const t = now();
    let removed = 0;
    for (const [type, ms] of Object.entries(RETENTION_MS)) {
      removed += this.db.prepare('DELETE FROM events WHERE resource_type = ? AND created_at < ?').run(type, t - ms).changes;
    }
    return removed;
  }
}
