/**
 * The gateway's in-memory view of AK/SK keys and APP-authentication apps, refreshed from
 * `access.changed` and `token.revoked` (never read from the database per request), plus the
 * lock-out of access keys after repeated bad signatures.
 */
import type { AccessKeys, TKeyMaterial } from '../access/access-keys';
import type { AuthApps, TAppMaterial } from '../access/auth-apps';
import { secretHash } from '../access/secret-box';
import type { DomainBus } from '../bus';
import type { TDatabase } from '../db/database';
import type { TIdentity } from '../iam/identity';

/** Huawei's rule: more than five failed AK/SK signatures in a row lock the key for 5 minutes. */
export const LOCK_AFTER_FAILURES = 5;
export const LOCK_MS = 5 * 60_000;

export class GatewayCredentials {
  private readonly keys = new Map<string, TKeyMaterial>();
  private readonly appsByKey = new Map<string, TAppMaterial>();
  private readonly appsByCode = new Map<string, TAppMaterial>();
  /** `${userId}:${projectId}` → the user's identity in that project, or null when not a member. */
  private readonly identities = new Map<string, TIdentity | null>();
  private readonly failures = new Map<string, { count: number; lockedUntil: number }>();

  constructor(
    private readonly deps: { db: TDatabase; bus: DomainBus; accessKeys: AccessKeys; apps: AuthApps },
  ) {
    for (const k of deps.accessKeys.material()) this.keys.set(k.accessKey, k);
    this.loadApps();
    deps.bus.on('access.changed', (change) => {
      if (change.kind === 'auth-app') return this.loadApps();
      for (const [ak, k] of this.keys) if (k.userId === change.userId) this.keys.delete(ak);
      for (const k of deps.accessKeys.material(change.userId)) this.keys.set(k.accessKey, k);
    });
    // Membership removed, user deleted, password reset: the user's identities are looked up again.
    deps.bus.on('token.revoked', ({ userId }) => this.forgetUser(userId));
  }

  accessKey(accessKey: string): TKeyMaterial | undefined {
    return this.keys.get(accessKey);
  }

  appByKey(appKey: string): TAppMaterial | undefined {
    return this.appsByKey.get(appKey);
  }

  appByCode(code: string): TAppMaterial | undefined {
    return this.appsByCode.get(secretHash(code));
  }

  /** The user's identity in `projectId` (undefined when not a member); one query per user and project, then memory. */
  identityIn(userId: string, projectId: string): TIdentity | undefined {
    const key = `${userId}:${projectId}`;
    let found = this.identities.get(key);
    if (found === undefined) {
      const row = this.deps.db
        .prepare(
          `SELECT u.id AS userId, u.name AS userName, d.id AS domainId, d.name AS domainName, p.id AS projectId, p.name AS projectName
           FROM users u JOIN domains d ON d.id = u.domain_id JOIN project_members m ON m.user_id = u.id
           JOIN projects p ON p.id = m.project_id WHERE u.id = ? AND p.id = ?`,
        )
        .get(userId, projectId) as TIdentity | undefined;
      found = row ?? null;
      this.identities.set(key, found);
    }
    return found ?? undefined;
  }

  /** Whether the key is locked now (five bad signatures in a row, less than five minutes ago). */
  isLocked(accessKey: string, nowMs: number): boolean {
    const f = this.failures.get(accessKey);
    return !!f && f.lockedUntil > nowMs;
  }

  noteFailure(accessKey: string, nowMs: number): void {
    const f = this.failures.get(accessKey) ?? { count: 0, lockedUntil: 0 };
    if (f.lockedUntil && f.lockedUntil <= nowMs) f.count = 0;
    f.count += 1;
    f.lockedUntil = f.count >= LOCK_AFTER_FAILURES ? nowMs + LOCK_MS : 0;
    this.failures.set(accessKey, f);
  }

  noteSuccess(accessKey: string): void {
    if (this.failures.size) this.failures.delete(accessKey);
  }

  private loadApps(): void {
    this.appsByKey.clear();
    this.appsByCode.clear();
    for (const app of this.deps.apps.material()) {
      this.appsByKey.set(app.appKey, app);
      for (const hash of app.codeHashes) this.appsByCode.set(hash, app);
    }
  }

  private forgetUser(userId: string): void {
    for (const key of this.identities.keys()) if (key.startsWith(`${userId}:`)) this.identities.delete(key);
  }
}
