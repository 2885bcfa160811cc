/**
 * How a service is reached (the calling guide, guide table 3-5): its addresses, its own token, APP
 * authentication and the bound apps, and its traffic limit. Changes reach the gateway through
 * `service.changed`, which refreshes its in-memory route.
 */
import { ZUpdateServiceAccessSchema, type TServiceAccess } from '../../contracts/access';
import type { DomainBus } from '../bus';
import type { TDatabase } from '../db/database';
import { invalid, notFound } from '../errors';
import { now } from '../ids';
import type { AuthApps } from './auth-apps';
import { newServiceToken } from './random-keys';
import type { SecretBox } from './secret-box';

type TRow = { id: string; project_id: string; app_auth: number; token_enc: string | null; qps_limit: number | null; websocket: number };

export class ServiceAccess {
  constructor(
    private readonly deps: { db: TDatabase; box: SecretBox; bus: DomainBus; apps: AuthApps },
  ) {}

  get(projectId: string, serviceId: string): TServiceAccess {
    let row = this.row(projectId, serviceId);
    // Services deployed before service tokens existed get one on first look.
    if (!row.token_enc) row = this.setToken(row);
    return {
      serviceId, path: `/v1/infers/${serviceId}`, websocket: !!row.websocket, appAuth: !!row.app_auth,
      qpsLimit: row.qps_limit, serviceToken: this.deps.box.open(row.token_enc!), apps: this.deps.apps.boundTo(serviceId),
    };
  }

  /** Turns APP authentication on or off and sets or clears the traffic limit (guide §3.3: changeable on a running service). */
  update(projectId: string, input: unknown): TServiceAccess {
    const parsed = ZUpdateServiceAccessSchema.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw invalid(issue.path.map(String).join('.') || 'form', issue.message);
    }
    const { serviceId, appAuth, qpsLimit } = parsed.data;
    const row = this.row(projectId, serviceId);
    if (qpsLimit != null && row.websocket) throw invalid('qpsLimit', 'A WebSocket service has no traffic limit (guide table 3-2).');
    this.deps.db
      .prepare('UPDATE services SET app_auth = ?, qps_limit = ?, updated_at = ? WHERE id = ?')
      .run(appAuth === undefined ? row.app_auth : Number(appAuth), qpsLimit === undefined ? row.qps_limit : qpsLimit, now(), serviceId);
    this.changed(row);
    return this.get(projectId, serviceId);
  }

  /** A new service token; the old one is refused from the next request. */
  resetToken(projectId: string, serviceId: string): TServiceAccess {
    this.setToken(this.row(projectId, serviceId));
    return this.get(projectId, serviceId);
  }

  private setToken(row: TRow): TRow {
    const tokenEnc = this.deps.box.seal(newServiceToken());
    this.deps.db.prepare('UPDATE services SET token_enc = ? WHERE id = ?').run(tokenEnc, row.id);
    this.changed(row);
    return { ...row, token_enc: tokenEnc };
  }

  private row(projectId: string, serviceId: string): TRow {
    const row = this.deps.db
      .prepare('SELECT id, project_id, app_auth, token_enc, qps_limit, websocket FROM services WHERE id = ? AND project_id = ?')
      .get(serviceId, projectId) as TRow | undefined;
    if (!row) throw notFound(`Service ${serviceId}`);
    return row;
  }

  private changed(row: TRow): void {
    this.deps.bus.emit('service.changed', { projectId: row.project_id, serviceId: row.id });
  }
}
