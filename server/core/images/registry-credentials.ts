/**
 * Push credentials of the image repository: one per project, its user name the project's name and
 * its password random. The password is kept (the repository page shows it again) in the database,
 * which only Anvil's user can open; the gate compares it on every request, so a reset revokes the
 * old one at once.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { TProjectRef } from '../../contracts/admin';
import type { TRegistryCredential } from '../../contracts/images';
import type { TDatabase } from '../db/database';
import { newSecret, now } from '../ids';

type TRow = { project_id: string; username: string; password: string; created_at: number };

const toCredential = (r: TRow): TRegistryCredential => ({ username: r.username, password: r.password, createdAt: r.created_at });
const digest = (s: string) => createHash('sha256').update(s).digest();

export class RegistryCredentials {
  constructor(private readonly db: TDatabase) {}

  /** The project's credential, created on first request. */
  get(project: TProjectRef): TRegistryCredential {
    const row = this.row(project.id);
    if (row) return toCredential(row);
    this.db
      .prepare('INSERT INTO registry_credentials (project_id, username, password, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (project_id) DO NOTHING')
      .run(project.id, project.name, newSecret(24), now());
    return toCredential(this.row(project.id)!);
  }

  /** A new password for the project; the old one stops working with the next request. */
  reset(project: TProjectRef): TRegistryCredential {
    this.get(project);
    this.db.prepare('UPDATE registry_credentials SET password = ?, created_at = ? WHERE project_id = ?').run(newSecret(24), now(), project.id);
    return toCredential(this.row(project.id)!);
  }

  /** The project a Basic-auth pair belongs to, or undefined (unknown user or wrong password; compared in constant time). */
  verify(username: string, password: string): TProjectRef | undefined {
    const row = this.db
      .prepare('SELECT c.project_id, c.password, p.name FROM registry_credentials c JOIN projects p ON p.id = c.project_id WHERE c.username = ?')
      .get(username) as { project_id: string; password: string; name: string } | undefined;
    const isMatch = timingSafeEqual(digest(password), digest(row?.password ?? `\0${password}`));
    return row && isMatch ? { id: row.project_id, name: row.name } : undefined;
  }

  private row(projectId: string): TRow | undefined {
    return this.db.prepare('SELECT * FROM registry_credentials WHERE project_id = ?').get(projectId) as TRow | undefined;
  }
}
