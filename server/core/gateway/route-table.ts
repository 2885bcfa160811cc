/** Services as the gateway sees them, kept in memory and refreshed from core events (never per request). */
import type { SecretBox } from '../access/secret-box';
import type { DomainBus } from '../bus';
import type { TDatabase } from '../db/database';
import { toApiSpecs } from '../registry/api-specs';
import { serviceOpenApi } from '../registry/service-openapi';
import type { TModelConfig } from '../registry/config-schema';
import type { TAccessRoute } from './authenticator';
import { compileRules, type TCompiledRule } from './rules/service-rules';
import { WeightedVersions } from './version-picker';

export type TRoute = TAccessRoute & {
  name: string;
  status: string;
  /** API url → the request Content-type it declares. */
  apis: Map<string, string>;
  qpsLimit: number | null;
  websocket: boolean;
  projectName: string;
  /** Traffic weights of the versions (smooth weighted round-robin state lives here). */
  versions: WeightedVersions;
  /** Personalized rules, highest priority first. */
  rules: TCompiledRule[];
  /** Guide table 2-11: an asynchronous application answers 202 with a request id; the result is fetched later. */
  requestMode: 'sync' | 'async';
  /** The service's OpenAPI document (JSON text), built on first use. */
  contract(): string;
};

type TRow = {
  id: string; project_id: string; name: string; description: string; status: string; config: string | null; app_name: string; app_version: string;
  app_auth: number; token_enc: string | null; qps_limit: number | null; websocket: number; rules: string; project_name: string; request_mode: 'sync' | 'async';
};

export class RouteTable {
  private readonly routes = new Map<string, TRoute>();

  constructor(
    private readonly db: TDatabase,
    bus: DomainBus,
    private readonly box: SecretBox,
  ) {
    const ids = db.prepare('SELECT id FROM services').all() as { id: string }[];
    for (const { id } of ids) this.refresh(id);
    bus.on('service.changed', ({ serviceId }) => this.refresh(serviceId));
  }

  get(serviceId: string): TRoute | undefined {
    return this.routes.get(serviceId);
  }

  private refresh(serviceId: string): void {
    const row = this.db
      .prepare(
        `SELECT s.id, s.project_id, s.name, s.description, s.status, a.name AS app_name, a.version AS app_version, s.app_auth, s.token_enc, s.qps_limit, s.websocket, s.rules, p.name AS project_name, a.config, a.request_mode
         FROM services s JOIN apps a ON a.id = s.app_id JOIN projects p ON p.id = s.project_id WHERE s.id = ?`,
      )
      .get(serviceId) as TRow | undefined;
    if (!row) {
      this.routes.delete(serviceId);
      return;
    }
    const specs = row.config ? toApiSpecs(JSON.parse(row.config) as TModelConfig) : [];
    let contract: string | undefined;
    const serviceToken = row.token_enc ? this.box.open(row.token_enc) : undefined;
    this.routes.set(serviceId, {
      serviceId,
      projectId: row.project_id,
      name: row.name,
      status: row.status,
      apis: new Map(specs.map((s) => [s.url, s.requestContentType.split(';')[0].trim().toLowerCase()])),
      appAuth: !!row.app_auth,
      serviceToken,
      qpsLimit: row.qps_limit,
      websocket: !!row.websocket,
      projectName: row.project_name,
      versions: new WeightedVersions(
        this.db.prepare('SELECT id, weight FROM service_versions WHERE service_id = ? ORDER BY position').all(serviceId) as { id: string; weight: number }[],
      ),
      rules: compileRules(row.rules),
      requestMode: row.request_mode,
      contract: () =>
        (contract ??= JSON.stringify(
          serviceOpenApi({
            serviceId, serviceName: row.name, description: row.description, app: { name: row.app_name, version: row.app_version }, apis: specs,
            appAuth: !!row.app_auth, hasServiceToken: !!serviceToken, requestMode: row.request_mode,
          }),
        )),
    });
  }
}
