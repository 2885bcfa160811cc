/**
 * Users and projects of Anvil's one domain, and who is a member of what. Administrators
 * (`users.is_admin`) manage them; a token can only be scoped to a project its user is a member of,
 * so removing a membership or a user revokes the tokens it allowed.
 */
import type { z } from 'zod';
import type { TCreateProject, TCreateUser, TMembership, TProject, TProjectRef, TUser } from '../../contracts/admin';
import { ZCreateProjectSchema, ZCreateUserSchema, ZMembershipSchema, ZResetPasswordSchema } from '../../contracts/admin';
import type { TDatabase } from '../db/database';
import { CoreError, invalid, notFound } from '../errors';
import { newId, now } from '../ids';
import type { Iam } from './iam';
import { DEFAULT_DOMAIN } from './iam';
import { hashPassword } from './passwords';

/** Parses with a shared schema; the first issue becomes a field error, like the console's forms. */
function parse<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw invalid(String(issue.path[0] ?? 'form'), issue.message);
}

export class Directory {
  constructor(
    private readonly db: TDatabase,
    private readonly iam: Iam,
  ) {}

  /** Whether the user may manage users and projects. */
  isAdmin(userId: string): boolean {
    return !!(this.db.prepare('SELECT is_admin FROM users WHERE id = ?').get(userId) as { is_admin: number } | undefined)?.is_admin;
  }

  /** Refuses non-administrators (checked on every call, so a revoked right takes effect at once). */
  requireAdmin(userId: string): void {
    if (!this.isAdmin(userId)) throw new CoreError('FORBIDDEN', 'Only an administrator can manage users and projects.');
  }

  listProjects(): TProject[] {
    return (
      this.db
        .prepare(
          `SELECT p.id, p.name, p.created_at, (SELECT COUNT(*) FROM project_members m WHERE m.project_id = p.id) AS members
           FROM projects p WHERE p.domain_id = ? ORDER BY p.name`,
        )
        .all(this.domainId()) as { id: string; name: string; created_at: number; members: number }[]
    ).map((r) => ({ id: r.id, name: r.name, createdAt: r.created_at, members: r.members }));
  }

  /** A project by id or name. */
  findProject(idOrName: string): TProjectRef | undefined {
    return this.db.prepare('SELECT id, name FROM projects WHERE domain_id = ? AND (id = ? OR name = ?)').get(this.domainId(), idOrName, idOrName) as
      | TProjectRef
      | undefined;
  }

  /** The projects a user can scope a session or token to. */
  projectsOf(userId: string): TProjectRef[] {
    return this.db
      .prepare('SELECT p.id, p.name FROM projects p JOIN project_members m ON m.project_id = p.id WHERE m.user_id = ? ORDER BY p.name')
      .all(userId) as TProjectRef[];
  }

  createProject(input: TCreateProject): TProject {
    const { name } = parse(ZCreateProjectSchema, input);
    if (this.findProject(name)) throw new CoreError('CONFLICT', `A project named ${name} already exists.`, 'name');
    const id = newId();
    const t = now();
    this.db.prepare('INSERT INTO projects (id, domain_id, name, created_at) VALUES (?, ?, ?, ?)').run(id, this.domainId(), name, t);
    return { id, name, createdAt: t, members: 0 };
  }

  listUsers(): TUser[] {
    const users = this.db.prepare('SELECT id, name, is_admin, created_at FROM users WHERE domain_id = ? ORDER BY name').all(this.domainId()) as {
      id: string; name: string; is_admin: number; created_at: number;
    }[];
    return users.map((u) => ({ id: u.id, name: u.name, isAdmin: !!u.is_admin, createdAt: u.created_at, projects: this.projectsOf(u.id) }));
  }

  /** A user by id or name. */
  findUser(idOrName: string): TUser | undefined {
    return this.listUsers().find((u) => u.id === idOrName || u.name === idOrName);
  }

  async createUser(input: TCreateUser): Promise<TUser> {
    const user = parse(ZCreateUserSchema, input);
    if (this.db.prepare('SELECT 1 FROM users WHERE domain_id = ? AND name = ?').get(this.domainId(), user.name)) {
      throw new CoreError('CONFLICT', `A user named ${user.name} already exists.`, 'name');
    }
    const projects = user.projectIds.map((p) => {
      const found = this.findProject(p);
      if (!found) throw invalid('projectIds', `Project ${p} does not exist.`);
      return found;
    });
    const passwordHash = await hashPassword(user.password);
    const id = newId();
    const t = now();
    this.db.transaction(() => {
      this.db
        .prepare('INSERT INTO users (id, domain_id, name, password_hash, created_at, is_admin) VALUES (?, ?, ?, ?, ?, ?)')
        .run(id, this.domainId(), user.name, passwordHash, t, user.isAdmin ? 1 : 0);
      const member = this.db.prepare('INSERT OR IGNORE INTO project_members (user_id, project_id, created_at) VALUES (?, ?, ?)');
      for (const p of projects) member.run(id, p.id, t);
    })();
    return this.userById(id);
  }

  addMember(input: TMembership): TUser {
    const { userId, projectId } = this.membership(input);
    this.db.prepare('INSERT OR IGNORE INTO project_members (user_id, project_id, created_at) VALUES (?, ?, ?)').run(userId, projectId, now());
    return this.userById(userId);
  }

  /** Removes a membership; the user's tokens and sessions for that project stop working at once. */
  removeMember(input: TMembership): TUser {
    const { userId, projectId } = this.membership(input);
    const others = this.db.prepare('SELECT COUNT(*) AS n FROM project_members WHERE user_id = ? AND project_id != ?').get(userId, projectId) as { n: number };
    // A user with no project can no longer log in at all; delete the user instead.
    if (others.n === 0) throw new CoreError('FAILED_PRECONDITION', 'A user must stay a member of at least one project; delete the user instead.');
    this.db.prepare('DELETE FROM project_members WHERE user_id = ? AND project_id = ?').run(userId, projectId);
    this.iam.revokeTokensOf(userId, projectId);
    return this.userById(userId);
  }

  /** Sets a new password; the user's existing tokens and sessions are revoked. */
  async resetPassword(input: { userId: string; password: string }): Promise<void> {
    const { userId, password } = parse(ZResetPasswordSchema, input);
    this.userById(userId);
    this.db.prepare('UPDATE users SET password_hash = ? WHERE id = ?').run(await hashPassword(password), userId);
    this.iam.revokeTokensOf(userId);
  }

  /** Deletes a user and revokes their tokens; never the caller, never the last administrator. */
  deleteUser(actorId: string | undefined, userId: string): void {
    const user = this.userById(userId);
    if (userId === actorId) throw new CoreError('FAILED_PRECONDITION', 'You cannot delete your own user.');
    const admins = (this.db.prepare('SELECT COUNT(*) AS n FROM users WHERE is_admin = 1').get() as { n: number }).n;
    if (user.isAdmin && admins <= 1) throw new CoreError('FAILED_PRECONDITION', 'The last administrator cannot be deleted.');
    this.iam.revokeTokensOf(userId);
    this.db.prepare('DELETE FROM users WHERE id = ?').run(userId);
  }

  private membership(input: TMembership): TMembership {
    const { userId, projectId } = parse(ZMembershipSchema, input);
    this.userById(userId);
    if (!this.db.prepare('SELECT 1 FROM projects WHERE id = ? AND domain_id = ?').get(projectId, this.domainId())) throw notFound(`Project ${projectId}`);
    return { userId, projectId };
  }

  private userById(id: string): TUser {
    const row = this.db.prepare('SELECT id, name, is_admin, created_at FROM users WHERE id = ? AND domain_id = ?').get(id, this.domainId()) as
      | { id: string; name: string; is_admin: number; created_at: number }
      | undefined;
    if (!row) throw notFound(`User ${id}`);
    return { id: row.id, name: row.name, isAdmin: !!row.is_admin, createdAt: row.created_at, projects: this.projectsOf(row.id) };
  }

  private domainId(): string {
    const row = this.db.prepare('SELECT id FROM domains WHERE name = ?').get(DEFAULT_DOMAIN) as { id: string } | undefined;
    if (!row) throw new CoreError('FAILED_PRECONDITION', 'Anvil has not been initialised yet (no domain).');
    return row.id;
  }
}
