/** Users, projects and tokens (API tokens for REST, sessions for the console), stored hashed. */
import { createHash } from 'node:crypto';
import { CoreError } from '../errors';
import { newId, newSecret, now } from '../ids';
import type { TDatabase } from '../db/database';
import type { TIdentity } from './identity';
import { hashPassword, verifyPassword } from './passwords';

export const TOKEN_TTL_MS = 24 * 60 * 60 * 1000;
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
export const DEFAULT_DOMAIN = 'anvil';
export const DEFAULT_PROJECT = 'default';
export const ADMIN_USER = 'admin';

type TokenKind = 'api' | 'session';
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export class Iam {
  constructor(private readonly db: TDatabase) {}

  /** First start: creates domain, project `default` and user `admin`. Returns the password if it generated one. */
  bootstrap(adminPassword?: string): { generatedPassword?: string } {
    if (this.db.prepare('SELECT 1 FROM users LIMIT 1').get()) return {};
    const password = adminPassword ?? newSecret(12);
    const t = now();
    const domainId = newId();
    this.db.transaction(() => {
      this.db.prepare('INSERT INTO domains VALUES (?, ?, ?)').run(domainId, DEFAULT_DOMAIN, t);
      this.db.prepare('INSERT INTO projects VALUES (?, ?, ?, ?)').run(newId(), domainId, DEFAULT_PROJECT, t);
      this.db.prepare('INSERT INTO users VALUES (?, ?, ?, ?, ?)').run(newId(), domainId, ADMIN_USER, hashPassword(password), t);
    })();
    return adminPassword ? {} : { generatedPassword: password };
  }

  /** Password authentication scoped to a project (by name or id) of the user's domain. */
  authenticate(input: { domainName: string; userName: string; password: string; project: { id?: string; name?: string } }): TIdentity {
    const user = this.db
      .prepare(
        `SELECT u.id, u.name, u.password_hash, d.id AS domain_id, d.name AS domain_name
         FROM users u JOIN domains d ON d.id = u.domain_id WHERE d.name = ? AND u.name = ?`,
      )
      .get(input.domainName, input.userName) as
      | { id: string; name: string; password_hash: string; domain_id: string; domain_name: string }
      | undefined;
    if (!user || !verifyPassword(input.password, user.password_hash)) {
      throw new CoreError('UNAUTHENTICATED', 'The user name, password or domain name is incorrect.');
    }
    const project = this.db
      .prepare('SELECT id, name FROM projects WHERE domain_id = ? AND (id = ? OR name = ?)')
      .get(user.domain_id, input.project.id ?? '', input.project.name ?? '') as { id: string; name: string } | undefined;
    if (!project) throw new CoreError('FORBIDDEN', 'The project does not exist in this domain or the user cannot access it.');
    return {
      userId: user.id,
      userName: user.name,
      domainId: user.domain_id,
      domainName: user.domain_name,
      projectId: project.id,
      projectName: project.name,
    };
  }

  issueToken(identity: TIdentity, kind: TokenKind): { token: string; expiresAt: number } {
    const token = newSecret(kind === 'api' ? 48 : 32);
    const t = now();
    const expiresAt = t + (kind === 'api' ? TOKEN_TTL_MS : SESSION_TTL_MS);
    this.db.prepare('DELETE FROM tokens WHERE expires_at < ?').run(t);
    this.db
      .prepare('INSERT INTO tokens VALUES (?, ?, ?, ?, ?, ?)')
      .run(sha256(token), kind, identity.userId, identity.projectId, expiresAt, t);
    return { token, expiresAt };
  }

  /** Resolves a token; `expired` distinguishes a known-but-expired token from an unknown one. */
  resolveToken(token: string, kind: TokenKind): { identity: TIdentity; expiresAt: number } | 'expired' | undefined {
    const row = this.db
      .prepare(
        `SELECT t.expires_at, u.id AS user_id, u.name AS user_name, d.id AS domain_id, d.name AS domain_name,
                p.id AS project_id, p.name AS project_name
         FROM tokens t JOIN users u ON u.id = t.user_id JOIN domains d ON d.id = u.domain_id
         JOIN projects p ON p.id = t.project_id WHERE t.hash = ? AND t.kind = ?`,
      )
      .get(sha256(token), kind) as Record<string, string | number> | undefined;
    if (!row) return undefined;
    if ((row.expires_at as number) <= now()) return 'expired';
    return {
      expiresAt: row.expires_at as number,
      identity: {
        userId: row.user_id as string,
        userName: row.user_name as string,
        domainId: row.domain_id as string,
        domainName: row.domain_name as string,
        projectId: row.project_id as string,
        projectName: row.project_name as string,
      },
    };
  }

  revokeToken(token: string): void {
    this.db.prepare('DELETE FROM tokens WHERE hash = ?').run(sha256(token));
  }

}
