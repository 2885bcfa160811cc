/**
 * Permanent access keys (AK/SK) of users, for signed requests to the gateway (guide §3.1.4.2.2).
 * The secret is shown once, at creation; it stays encrypted in the database because the gateway
 * needs it to recompute signatures.
 */
import { MAX_ACCESS_KEYS_PER_USER, type TAccessKey, type TCreatedAccessKey } from '../../contracts/access';
import type { DomainBus } from '../bus';
import type { TDatabase } from '../db/database';
import { CoreError, notFound } from '../errors';
import { now } from '../ids';
import type { SecretBox } from './secret-box';
import { newAccessKeyId, newSecretAccessKey } from './random-keys';

type TRow = { access_key: string; user_id: string; secret_enc: string; description: string; status: 'active' | 'inactive'; created_at: number; last_used_at: number | null };

const toKey = (r: TRow): TAccessKey => ({ accessKey: r.access_key, status: r.status, description: r.description, createdAt: r.created_at, lastUsedAt: r.last_used_at });

/** What the gateway keeps in memory per key. */
export type TKeyMaterial = { accessKey: string; userId: string; secret: string; isActive: boolean };

const LAST_USED_WRITE_MS = 60_000;

export class AccessKeys {
  private readonly lastUsedWritten = new Map<string, number>();

  constructor(
    private readonly db: TDatabase,
    private readonly box: SecretBox,
    private readonly bus: DomainBus,
  ) {}

  list(userId: string): TAccessKey[] {
    return (this.db.prepare('SELECT * FROM access_keys WHERE user_id = ? ORDER BY created_at').all(userId) as TRow[]).map(toKey);
  }

  /** A new key pair; the returned secret is never shown again. */
  create(user: { id: string; name: string }, description: string): TCreatedAccessKey {
    const secretKey = newSecretAccessKey();
    const accessKey = newAccessKeyId();
    const insert = this.db.transaction(() => {
      const { n } = this.db.prepare('SELECT COUNT(*) AS n FROM access_keys WHERE user_id = ?').get(user.id) as { n: number };
      if (n >= MAX_ACCESS_KEYS_PER_USER) {
        throw new CoreError('QUOTA_EXCEEDED', `A user can have at most ${MAX_ACCESS_KEYS_PER_USER} access keys; delete one first.`);
      }
      this.db
        .prepare(`INSERT INTO access_keys (access_key, user_id, secret_enc, description, status, created_at) VALUES (?, ?, ?, ?, 'active', ?)`)
        .run(accessKey, user.id, this.box.seal(secretKey), description, now());
    });
    insert.immediate();
    this.changed(user.id);
    return { ...toKey(this.row(user.id, accessKey)!), secretKey, userName: user.name };
  }

  setStatus(userId: string, accessKey: string, status: 'active' | 'inactive'): TAccessKey {
    const { changes } = this.db.prepare('UPDATE access_keys SET status = ? WHERE access_key = ? AND user_id = ?').run(status, accessKey, userId);
    if (!changes) throw notFound(`Access key ${accessKey}`);
    this.changed(userId);
    return toKey(this.row(userId, accessKey)!);
  }

  remove(userId: string, accessKey: string): void {
    const { changes } = this.db.prepare('DELETE FROM access_keys WHERE access_key = ? AND user_id = ?').run(accessKey, userId);
    if (!changes) throw notFound(`Access key ${accessKey}`);
    this.changed(userId);
  }

  /** Every key with its secret in clear, for the gateway's in-memory table. */
  material(userId?: string): TKeyMaterial[] {
    const rows = (userId ? this.db.prepare('SELECT * FROM access_keys WHERE user_id = ?').all(userId) : this.db.prepare('SELECT * FROM access_keys').all()) as TRow[];
    return rows.map((r) => ({ accessKey: r.access_key, userId: r.user_id, secret: this.box.open(r.secret_enc), isActive: r.status === 'active' }));
  }

  /** Records that a key signed a request; written at most once a minute per key, off the request path. */
  noteUsed(accessKey: string): void {
    const t = now();
    if (t - (this.lastUsedWritten.get(accessKey) ?? 0) < LAST_USED_WRITE_MS) return;
    this.lastUsedWritten.set(accessKey, t);
    setImmediate(() => this.db.prepare('UPDATE access_keys SET last_used_at = ? WHERE access_key = ?').run(t, accessKey));
  }

  private row(userId: string, accessKey: string): TRow | undefined {
    return this.db.prepare('SELECT * FROM access_keys WHERE access_key = ? AND user_id = ?').get(accessKey, userId) as TRow | undefined;
  }

  private changed(userId: string): void {
    this.bus.emit('access.changed', { kind: 'access-key', userId });
  }
}
