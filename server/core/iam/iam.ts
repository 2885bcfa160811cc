/** Users, projects and tokens (API tokens for REST, sessions for the console), stored hashed. */
import { createHash } from 'node:crypto';
import type { DomainBus } from '../bus';
import { CoreError } from '../errors';
import { newId, newSecret, now } from '../ids';
import type { TDatabase } from '../db/database';
import type { TIdentity } from './identity';
import { LoginGuard } from './login-guard';
import { hashPasswordSync, verifyPassword } from './passwords';

export const TOKEN_TTL_MS = 24 * 60 * 60 * 1000;
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
export const DEFAULT_DOMAIN = 'anvil';
export const DEFAULT_PROJECT = 'default';
export const ADMIN_USER = 'admin';

type TokenKind = 'api' | 'session';
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
/** How tokens are stored (and announced when revoked): never the token itself. */
export const tokenHash = sha256;

export class Iam {
  constructor(
    private readonly db: TDatabase,
    private readonly bus: DomainBus,
    private readonly loginGuard: LoginGuard = new LoginGuard(),
  ) {}

  /** First start: creates domain, project `default` and user `admin` (an administrator, member of `default`). Returns the password if it generated one. */
  bootstrap(adminPassword?: string): { generatedPassword?: string } {
    if (this.db.prepare('SELECT 1 FROM users LIMIT 1').get()) return {};
    const password = adminPassword ?? newSecret(12);
    const t = now();
    const domainId = newId();
    this.db.transaction(() => {
      this.db.prepare('INSERT INTO domains VALUES (?, ?, ?)').run(domainId, DEFAULT_DOMAIN, t);
      const projectId = newId();
      const userId = newId();
      this.db.prepare('INSERT INTO projects (id, domain_id, name, created_at) VALUES (?, ?, ?, ?)').run(projectId, domainId, DEFAULT_PROJECT, t);
      this.db
        .prepare('INSERT INTO users (id, domain_id, name, password_hash, created_at, is_admin) VALUES (?, ?, ?, ?, ?, 1)')
        .run(userId, domainId, ADMIN_USER, hashPasswordSync(password), t);
      this.db.prepare('INSERT INTO project_members (user_id, project_id, created_at) VALUES (?, ?, ?)').run(userId, projectId, t);
    })();
    return adminPassword ? {} : { generatedPassword: password };
  }

  /**
   * Password authentication scoped to a project (by name or id; by default the user's first) the user is a member of.
   * Rate-limited per user and per client address (login-guard.ts); unknown users cost the same as known ones.
   */
  async authenticate(input: {
    domainName: string;
    userName: string;
    password: string;
    project?: { id?: string; name?: string };
    /** The caller's network address, for the per-address limit. */
    clientAddress: string;
  }): Promise<TIdentity> {
    const attempt = this.loginGuard.admit(input.clientAddress, `${input.domainName}\u0000${input.userName}`);
    let user: { id: string; name: string; password_hash: string; domain_id: string; domain_name: string } | undefined;
    let isValid = false;
    try {
      user = this.db
        .prepare(
          `SELECT u.id, u.name, u.password_hash, d.id AS domain_id, d.name AS domain_name
           FROM users u JOIN domains d ON d.id = u.domain_id WHERE d.name = ? AND u.name = ?`,
        )
        .get(input.domainName, input.userName) as typeof user;
      isValid = await verifyPassword(input.password, user?.password_hash);
    } finally {
      if (!user || !isValid) attempt.failed();
    }
    if (!user || !isValid) throw new CoreError('UNAUTHENTICATED', 'The user name, password or domain name is incorrect.');
    attempt.succeeded();
    const project = this.memberProject(user.id, input.project);
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

  /** The project a user may scope a token to: the one named (if a member), else `default` or the first by name. */
  memberProject(userId: string, project?: { id?: string; name?: string }): { id: string; name: string } {
    const member = this.db
      .prepare(
        `SELECT p.id, p.name FROM projects p JOIN project_members m ON m.project_id = p.id AND m.user_id = ?
         WHERE ? OR p.id = ? OR p.name = ? ORDER BY p.name = ? DESC, p.name LIMIT 1`,
      )
      .get(userId, project ? 0 : 1, project?.id ?? '', project?.name ?? '', DEFAULT_PROJECT) as { id: string; name: string } | undefined;
    if (!member) throw new CoreError('FORBIDDEN', 'The project does not exist in this domain or the user cannot access it.');
    return member;
  }

  /** Logout: the token stops working at once, and live connections using it are told. */
  revokeToken(token: string): void {
    this.revokeWhere('hash = ?', sha256(token));
  }

  /** Revokes every token of a user (password reset, deletion), or only those scoped to one project (membership removed). */
  revokeTokensOf(userId: string, projectId?: string): void {
    if (projectId) this.revokeWhere('user_id = ? AND project_id = ?', userId, projectId);
    else this.revokeWhere('user_id = ?', userId);
  }

  private revokeWhere(where: string, ...args: string[]): void {
    const rows = this.db.prepare(`DELETE FROM tokens WHERE ${where} RETURNING hash, kind, user_id, project_id`).all(...args) as {
      hash: string; kind: TokenKind; user_id: string; project_id: string;
    }[];
    for (const r of rows) this.bus.emit('token.revoked', { tokenHash: r.hash, kind: r.kind, userId: r.user_id, projectId: r.project_id });
  }

}
