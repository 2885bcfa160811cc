/**
 * APP authentication (guide §3.1.4.2.3): apps of a project with a generated AppKey/AppSecret, up to
 * five AppCodes each, and the services each app is bound to. Secrets are encrypted at rest (they
 * are shown again on request); AppCodes are also stored hashed, which is how the gateway finds them.
 */
import { MAX_APP_CODES, type TAuthApp } from '../../contracts/access';
import type { DomainBus } from '../bus';
import type { TDatabase } from '../db/database';
import { CoreError, invalid, notFound } from '../errors';
import { newId, now } from '../ids';
import { newAppCode, newAppKey, newAppSecret } from './random-keys';
import { secretHash, type SecretBox } from './secret-box';

type TAppRow = { id: string; project_id: string; name: string; description: string; app_key: string; app_secret_enc: string; created_at: number; updated_at: number };
type TCodeRow = { id: string; app_id: string; code_enc: string; code_hash: string; created_at: number };

/** What the gateway keeps in memory per app. */
export type TAppMaterial = { id: string; projectId: string; name: string; appKey: string; secret: string; codeHashes: string[]; serviceIds: string[] };

export class AuthApps {
  constructor(
    private readonly db: TDatabase,
    private readonly box: SecretBox,
    private readonly bus: DomainBus,
  ) {}

  list(projectId: string): TAuthApp[] {
    const rows = this.db.prepare('SELECT * FROM auth_apps WHERE project_id = ? ORDER BY created_at').all(projectId) as TAppRow[];
    return rows.map((r) => this.toApp(r));
  }

  get(projectId: string, appId: string): TAuthApp {
    return this.toApp(this.row(projectId, appId));
  }

  create(projectId: string, input: { name: string; description: string }): TAuthApp {
    const id = newId();
    const t = now();
    try {
      this.db
        .prepare('INSERT INTO auth_apps (id, project_id, name, description, app_key, app_secret_enc, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(id, projectId, input.name, input.description, newAppKey(), this.box.seal(newAppSecret()), t, t);
    } catch (e) {
      if ((e as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') throw invalid('name', `An app named ${input.name} already exists in this project.`);
      throw e;
    }
    this.changed(projectId);
    return this.get(projectId, id);
  }

  /** A new AppSecret; signatures made with the old one fail from the next request. */
  resetSecret(projectId: string, appId: string): TAuthApp {
    this.row(projectId, appId);
    this.db.prepare('UPDATE auth_apps SET app_secret_enc = ?, updated_at = ? WHERE id = ?').run(this.box.seal(newAppSecret()), now(), appId);
    this.changed(projectId);
    return this.get(projectId, appId);
  }

  remove(projectId: string, appId: string): void {
    this.row(projectId, appId);
    this.db.prepare('DELETE FROM auth_apps WHERE id = ?').run(appId);
    this.changed(projectId);
  }

  addCode(projectId: string, appId: string): TAuthApp {
    this.row(projectId, appId);
    const code = newAppCode();
    this.db.transaction(() => {
      const { n } = this.db.prepare('SELECT COUNT(*) AS n FROM auth_app_codes WHERE app_id = ?').get(appId) as { n: number };
      if (n >= MAX_APP_CODES) throw new CoreError('QUOTA_EXCEEDED', `An app can have at most ${MAX_APP_CODES} AppCodes; delete one first.`);
      this.db
        .prepare('INSERT INTO auth_app_codes (id, app_id, code_enc, code_hash, created_at) VALUES (?, ?, ?, ?, ?)')
        .run(newId(), appId, this.box.seal(code), secretHash(code), now());
    }).immediate();
    this.changed(projectId);
    return this.get(projectId, appId);
  }

  removeCode(projectId: string, appId: string, codeId: string): TAuthApp {
    this.row(projectId, appId);
    const { changes } = this.db.prepare('DELETE FROM auth_app_codes WHERE id = ? AND app_id = ?').run(codeId, appId);
    if (!changes) throw notFound(`AppCode ${codeId}`);
    this.changed(projectId);
    return this.get(projectId, appId);
  }

  /** Lets the app call the service (both in the project). Binding twice is not an error. */
  bind(projectId: string, appId: string, serviceId: string): TAuthApp {
    this.row(projectId, appId);
    const service = this.db.prepare('SELECT id FROM services WHERE id = ? AND project_id = ?').get(serviceId, projectId);
    if (!service) throw notFound(`Service ${serviceId}`);
    this.db.prepare('INSERT INTO auth_app_bindings (app_id, service_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING').run(appId, serviceId, now());
    this.changed(projectId);
    return this.get(projectId, appId);
  }

  /** Calls through the app to the service are refused from the next request. */
  unbind(projectId: string, appId: string, serviceId: string): TAuthApp {
    this.row(projectId, appId);
    const { changes } = this.db.prepare('DELETE FROM auth_app_bindings WHERE app_id = ? AND service_id = ?').run(appId, serviceId);
    if (!changes) throw notFound(`A binding of this app to service ${serviceId}`);
    this.changed(projectId);
    return this.get(projectId, appId);
  }

  /** The apps bound to a service (the calling guide lists them). */
  boundTo(serviceId: string): { id: string; name: string; appKey: string }[] {
    return this.db
      .prepare('SELECT a.id, a.name, a.app_key AS appKey FROM auth_apps a JOIN auth_app_bindings b ON b.app_id = a.id WHERE b.service_id = ? ORDER BY a.name')
      .all(serviceId) as { id: string; name: string; appKey: string }[];
  }

  /** Every app of every project, secrets in clear, for the gateway's in-memory table. */
  material(): TAppMaterial[] {
    const apps = this.db.prepare('SELECT * FROM auth_apps').all() as TAppRow[];
    const codes = this.db.prepare('SELECT app_id, code_hash FROM auth_app_codes').all() as Pick<TCodeRow, 'app_id' | 'code_hash'>[];
    const bindings = this.db.prepare('SELECT app_id, service_id FROM auth_app_bindings').all() as { app_id: string; service_id: string }[];
    return apps.map((a) => ({
      id: a.id, projectId: a.project_id, name: a.name, appKey: a.app_key, secret: this.box.open(a.app_secret_enc),
      codeHashes: codes.filter((c) => c.app_id === a.id).map((c) => c.code_hash),
      serviceIds: bindings.filter((b) => b.app_id === a.id).map((b) => b.service_id),
    }));
  }

  private row(projectId: string, appId: string): TAppRow {
    const row = this.db.prepare('SELECT * FROM auth_apps WHERE id = ? AND project_id = ?').get(appId, projectId) as TAppRow | undefined;
    if (!row) throw notFound(`App ${appId}`);
    return row;
  }

  private toApp(r: TAppRow): TAuthApp {
    const codes = this.db.prepare('SELECT * FROM auth_app_codes WHERE app_id = ? ORDER BY created_at').all(r.id) as TCodeRow[];
    const services = this.db
      .prepare('SELECT s.id, s.name FROM services s JOIN auth_app_bindings b ON b.service_id = s.id WHERE b.app_id = ? ORDER BY s.name')
      .all(r.id) as { id: string; name: string }[];
    return {
      id: r.id, name: r.name, description: r.description, appKey: r.app_key, appSecret: this.box.open(r.app_secret_enc),
      codes: codes.map((c) => ({ id: c.id, code: this.box.open(c.code_enc), createdAt: c.created_at })),
      services, createdAt: r.created_at, updatedAt: r.updated_at,
    };
  }

  private changed(projectId: string): void {
    this.bus.emit('access.changed', { kind: 'auth-app', projectId });
  }
}
